/**
 * Exposes exactly the typed client (window.pulmo) and nothing else of Node or Electron. Runs
 * sandboxed, so it imports only 'electron' and types.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { ApiErrorShape, ApiEvent, Method, Params, PulmoClient, Result } from '../shared/api'

type Envelope = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape }

const client: PulmoClient & { pickPaths(): Promise<string[] | null> } = {
  async invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    const reply = (await ipcRenderer.invoke('pulmo:invoke', method, params)) as Envelope
    if (reply.ok) return reply.result as Result<M>
    throw Object.assign(new Error(reply.error.message), { name: 'ApiError', code: reply.error.code })
  },
  onEvent(listener: (event: ApiEvent) => void): () => void {
    const handler = (_e: IpcRendererEvent, event: ApiEvent): void => listener(event)
    ipcRenderer.on('pulmo:event', handler)
    return () => ipcRenderer.off('pulmo:event', handler)
  },
  pickPaths: () => ipcRenderer.invoke('pulmo:pick-folder') as Promise<string[] | null>
}

contextBridge.exposeInMainWorld('pulmo', client)
