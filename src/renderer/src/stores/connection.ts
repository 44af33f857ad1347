import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { accessToken, getClient, onConnectionStatus, type ConnectionStatus } from '../api/client'

/** Transport state and who is working, for the header. */
export const useConnectionStore = defineStore('connection', () => {
  const status = ref<ConnectionStatus>({ state: 'connecting', transport: 'websocket', endpoint: '', problem: null })
  const userName = ref<string | null>(null)
  const version = ref<string | null>(null)
  /** Increments on every (re)connection so views can reload what they show. */
  const generation = ref(0)
  let stop: (() => void) | null = null

  /** `pulmo serve` refuses sockets without the token it printed; say so rather than retrying blindly. */
  // Decided before the first connection attempt (the Electron window has window.pulmo, no token).
  const tokenMissing = computed(() => !window.pulmo && status.value.transport === 'websocket' && !accessToken())

  async function loadIdentity(): Promise<void> {
    const client = getClient()
    const [info, settings] = await Promise.allSettled([
      client.invoke('system.info', {}),
      client.invoke('settings.get', {})
    ])
    if (info.status === 'fulfilled') version.value = info.value.version
    if (settings.status === 'fulfilled') userName.value = settings.value.userName
  }

  function start(): void {
    if (stop) return
    stop = onConnectionStatus((next) => {
      const wasOpen = status.value.state === 'open'
      status.value = next
      if (next.state === 'open' && !wasOpen) {
        generation.value += 1
        void loadIdentity()
      }
    })
  }

  return { status, userName, version, generation, tokenMissing, start }
})
