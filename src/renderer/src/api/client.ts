/**
 * The one way the renderer reaches the services: window.pulmo (exposed by the Electron preload)
 * when present, otherwise the WebSocket server of `pulmo serve` on the page's own host.
 */
import type { ApiEvent, Method, Params, PulmoClient, Result } from '../../../shared/api'
import { toApiError } from './errors'
import { WebSocketClient, type ConnectionStatus } from './websocketClient'

export type { ConnectionStatus } from './websocketClient'

const tokenStorageKey = 'pulmo.token'

let client: PulmoClient | null = null
let socketClient: WebSocketClient | null = null

/** The access token `pulmo serve` put in the page address (kept for reloads within the tab). */
export function accessToken(location: Pick<Location, 'search'> = window.location): string | null {
  const fromAddress = new URLSearchParams(location.search).get('token')
  if (fromAddress) {
    try {
      sessionStorage.setItem(tokenStorageKey, fromAddress)
    } catch {
      // Storage can be disabled; the address still carries the token.
    }
    return fromAddress
  }
  try {
    return sessionStorage.getItem(tokenStorageKey)
  } catch {
    return null
  }
}

export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = token ? `?token=${encodeURIComponent(token)}` : ''
  return `${scheme}//${location.host}/ws${query}`
}

/** Wraps the preload's client so errors that crossed the contextBridge become ApiError again. */
function ipcClient(bridge: PulmoClient): PulmoClient {
  return {
    async invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      try {
        return await bridge.invoke(method, params)
      } catch (error) {
        throw toApiError(error)
      }
    },
    onEvent(listener: (event: ApiEvent) => void): () => void {
      return bridge.onEvent(listener)
    }
  }
}

export function getClient(): PulmoClient {
  if (client) return client
  if (window.pulmo) {
    client = ipcClient(window.pulmo)
  } else {
    socketClient = new WebSocketClient(webSocketUrl(window.location, accessToken()))
    client = socketClient
  }
  return client
}

/** Connection state for the header; the Electron IPC channel is always open. */
export function onConnectionStatus(listener: (status: ConnectionStatus) => void): () => void {
  getClient()
  if (socketClient) return socketClient.onStatus(listener)
  listener({ state: 'open', transport: 'ipc', endpoint: 'this workstation', problem: null })
  return () => undefined
}
