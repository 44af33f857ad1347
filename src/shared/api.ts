/**
 * The contract between the renderer (or any client) and the services. Every request, response and
 * event is a zod schema; the Electron IPC binding, the HTTP + WebSocket server and the CLI all
 * validate against these. This file imports nothing from Node or the DOM.
 */
import type { ApiEvent } from './api/events'
import type { Method, Params, Result } from './api/methods'

export * from './api/records'
export * from './api/pacs'
export * from './api/methods'
export * from './api/events'
export * from './api/errors'

/** The typed client every transport implements and the renderer consumes. */
export interface PulmoClient {
  invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  onEvent(listener: (event: ApiEvent) => void): () => void
}
