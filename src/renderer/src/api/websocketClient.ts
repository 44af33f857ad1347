/**
 * PulmoClient over the WebSocket wire format of src/shared/wire.ts, used when the renderer is served
 * to a browser by `pulmo serve`. Requests carry increasing ids; replies (JSON or a binary frame
 * prefixed with the id) settle the matching pending promise. The socket reconnects with backoff;
 * requests made while it is down wait in an outbox and are sent once it is open again.
 */
import { ApiError, type ApiEvent, type Method, type Params, type PulmoClient, type Result } from '../../../shared/api'
import { decodeBinaryReply } from '../../../shared/wire'
import { toApiError } from './errors'

export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

export interface ConnectionStatus {
  state: ConnectionState
  transport: 'ipc' | 'websocket'
  /** Where the client is connected, e.g. "127.0.0.1:8417". */
  endpoint: string
  /** Why the last connection attempt failed or closed, if it did. */
  problem: string | null
}

interface PendingRequest {
  method: Method
  resolve: (value: unknown) => void
  reject: (error: ApiError) => void
}

type SocketFactory = (url: string) => WebSocket

const reconnectDelaysMs = [250, 500, 1000, 2000, 4000, 8000]
const maxRequestId = 0xffffffff

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export class WebSocketClient implements PulmoClient {
  private socket: WebSocket | null = null
  private nextId = 1
  private readonly pending = new Map<number, PendingRequest>()
  /** Requests serialised while the socket was not open, sent in order on (re)connection. */
  private outbox: { id: number; frame: string }[] = []
  private readonly eventListeners = new Set<(event: ApiEvent) => void>()
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>()
  private attempt = 0
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private status: ConnectionStatus

  constructor(
    private readonly url: string,
    private readonly createSocket: SocketFactory = (address) => new WebSocket(address)
  ) {
    this.status = { state: 'connecting', transport: 'websocket', endpoint: new URL(url).host, problem: null }
    this.connect()
  }

  invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = this.allocateId()
    const frame = JSON.stringify({ id, method, params })
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject })
      if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(frame)
      else this.outbox.push({ id, frame })
    })
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener)
    listener(this.status)
    return () => this.statusListeners.delete(listener)
  }

  private allocateId(): number {
    // Binary replies carry the id as uint32, so ids wrap before they outgrow it.
    for (;;) {
      const id = this.nextId
      this.nextId = id >= maxRequestId ? 1 : id + 1
      if (!this.pending.has(id)) return id
    }
  }

  private setStatus(state: ConnectionState, problem: string | null): void {
    this.status = { ...this.status, state, problem }
    for (const listener of this.statusListeners) listener(this.status)
  }

  private connect(): void {
    this.reconnectTimer = null
    let socket: WebSocket
    try {
      socket = this.createSocket(this.url)
    } catch (error) {
      this.scheduleReconnect(toApiError(error).message)
      return
    }
    socket.binaryType = 'arraybuffer'
    this.socket = socket
    socket.addEventListener('open', () => {
      this.attempt = 0
      this.setStatus('open', null)
      const queued = this.outbox
      this.outbox = []
      for (const { id, frame } of queued) if (this.pending.has(id)) socket.send(frame)
    })
    socket.addEventListener('message', (message: MessageEvent) => this.receive(message.data))
    socket.addEventListener('close', (close: CloseEvent) => {
      if (this.socket !== socket) return
      this.socket = null
      const reason =
        close.reason || (close.code === 1006 ? 'the server is not reachable' : `closed (code ${close.code})`)
      this.failInFlight()
      this.scheduleReconnect(reason)
    })
  }

  /** Requests already sent may or may not have run; they fail rather than being silently resent. */
  private failInFlight(): void {
    const queued = new Set(this.outbox.map((entry) => entry.id))
    for (const [id, request] of this.pending) {
      if (queued.has(id)) continue
      this.pending.delete(id)
      request.reject(
        new ApiError('internal', `The connection to the Pulmo server was lost before '${request.method}' completed.`)
      )
    }
  }

  private scheduleReconnect(problem: string): void {
    if (this.reconnectTimer !== null) return
    const delay = reconnectDelaysMs[Math.min(this.attempt, reconnectDelaysMs.length - 1)]
    this.attempt += 1
    this.setStatus('reconnecting', problem)
    this.reconnectTimer = setTimeout(() => this.connect(), delay)
  }

  private receive(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      if (data.byteLength < 4) return
      const { id, payload } = decodeBinaryReply(data)
      this.settle(id, (request) => request.resolve(payload))
      return
    }
    if (typeof data !== 'string') return
    let reply: unknown
    try {
      reply = JSON.parse(data)
    } catch {
      return
    }
    if (!isRecord(reply)) return
    if (isRecord(reply.event) && typeof reply.event.type === 'string') {
      const event = reply.event as ApiEvent
      for (const listener of this.eventListeners) listener(event)
      return
    }
    if (typeof reply.id !== 'number') return
    if ('error' in reply) {
      const error = toApiError(reply.error)
      this.settle(reply.id, (request) => request.reject(error))
    } else {
      const result = reply.result
      this.settle(reply.id, (request) => request.resolve(result))
    }
  }

  private settle(id: number, action: (request: PendingRequest) => void): void {
    const request = this.pending.get(id)
    if (!request) return
    this.pending.delete(id)
    action(request)
  }
}
