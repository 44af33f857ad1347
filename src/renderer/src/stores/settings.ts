import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Settings, SystemInfo } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'
import { useConnectionStore } from './connection'

export const backends: { id: Settings['backend']; label: string; hint: string }[] = [
  { id: 'auto', label: 'Automatic', hint: 'TensorFlow (GPU) when installed, else oneDNN on the CPU, else WebAssembly, else plain JavaScript' },
  { id: 'tensorflow', label: 'TensorFlow (GPU)', hint: 'Needs @tensorflow/tfjs-node-gpu on this workstation' },
  { id: 'native', label: 'oneDNN (CPU, full width)', hint: 'The CPU default where the install built the native kernels (g++ and libdnnl)' },
  { id: 'wasm', label: 'WebAssembly (CPU)', hint: 'Works everywhere; the fallback without the native kernels' },
  { id: 'cpu', label: 'JavaScript (CPU, slow)', hint: 'Reference backend for checking results' }
]

/** Workstation settings (user name, compute backend, default model) and system facts. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings | null>(null)
  const info = ref<SystemInfo | null>(null)
  const error = ref<string | null>(null)
  const saving = ref(false)

  async function load(): Promise<void> {
    try {
      const client = getClient()
      const [current, system] = await Promise.all([client.invoke('settings.get', {}), client.invoke('system.info', {})])
      settings.value = current
      info.value = system
      error.value = null
    } catch (failure) {
      error.value = errorMessage(failure)
    }
  }

  async function save(change: Partial<Omit<Settings, 'dataDir'>>): Promise<boolean> {
    saving.value = true
    error.value = null
    try {
      settings.value = await getClient().invoke('settings.set', change)
      useConnectionStore().userName = settings.value.userName
      return true
    } catch (failure) {
      error.value = errorMessage(failure)
      return false
    } finally {
      saving.value = false
    }
  }

  return { settings, info, error, saving, load, save }
})
