import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { encodeBinaryReply, WireRequest, type WireReply } from '../shared/wire'
import { rendererDir } from './paths'
import { toApiError, type PulmoService } from './services'

export interface ServerOptions {
  port?: number
  host?: string
  token?: string
  staticDir?: string
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2'
}

/** The same CSP as the Electron window: the page may talk only to its own origin. */
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

/** Largest JSON request a client may send over the socket. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024

function sameToken(a: string | null, b: string): boolean {
  if (!a || a.length !== b.length) return false
  return timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

/**
 * Serves the contract over WebSocket (/ws?token=…) and the built renderer over HTTP, on the
 * loopback interface only by default. Every socket must present the token printed at start and
 * come from this server's own origin (or from no browser at all).
 */
export async function startServer(service: PulmoService, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('hex')
  const staticDir = options.staticDir ?? rendererDir()

  const http = createServer((req, res) => serveStatic(staticDir, req, res))
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const origin = req.headers.origin
    const allowedOrigin = !origin || origin === `http://${req.headers.host}`
    if (url.pathname !== '/ws' || !sameToken(url.searchParams.get('token'), token) || !allowedOrigin) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(service, ws))
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (http.address() as AddressInfo).port
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        http.close(() => resolve())
        http.closeAllConnections()
      })
  }
}

function attach(service: PulmoService, ws: WebSocket): void {
  const send = (m: WireReply): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m))
  }
  const off = service.onEvent((event) => send({ event }))
  ws.on('close', off)
  ws.on('message', async (data, isBinary) => {
    let request: WireRequest
    try {
      if (isBinary) throw new Error('binary requests are not part of the contract')
      request = WireRequest.parse(JSON.parse(data.toString()))
    } catch (e) {
      send({ id: 0, error: { code: 'validation', message: `Malformed request: ${(e as Error).message}` } })
      return
    }
    try {
      const result = await service.dispatch(request.method, request.params)
      if (result instanceof Uint8Array) {
        if (ws.readyState === ws.OPEN) ws.send(encodeBinaryReply(request.id, result))
      } else {
        send({ id: request.id, result })
      }
    } catch (e) {
      send({ id: request.id, error: toApiError(e) })
    }
  })
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  const headers = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end()
    return
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
  const relative = normalize(pathname === '/' ? '/index.html' : pathname)
  const file = join(root, relative)
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    if (!existsSync(join(root, 'index.html'))) {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/plain' }).end('The workstation UI is not built; run `npm run build`.')
      return
    }
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found')
    return
  }
  res.writeHead(200, { ...headers, 'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}
