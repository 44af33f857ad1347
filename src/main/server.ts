import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { CONTENT_SECURITY_POLICY } from '../shared/contentSecurityPolicy'
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
  /** The address the server listens on (127.0.0.1 unless --host says otherwise). */
  host: string
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

/** Largest JSON request a client may send over the socket; a bigger one closes it with 1009 (message too big). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024

/** The HTTP side serves files only: a request may not carry a body bigger than this. */
export const MAX_HTTP_BODY_BYTES = 64 * 1024

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

function sameToken(a: string | null, b: string): boolean {
  if (!a || a.length !== b.length) return false
  return timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

/** Who may use the server: the request's token (query or the page's cookie), Host and Origin. */
interface Gate {
  token: string
  cookieName: string
  /** Host header values that name this server (empty: any, when bound beyond the loopback). */
  hosts: Set<string>
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}

/**
 * Checks a request against the gate: its Host (DNS rebinding), its Origin (other sites' pages),
 * then the token. Returns the refusal, or null when the request may proceed.
 */
function refusal(gate: Gate, req: IncomingMessage, url: URL, acceptCookie: boolean): { status: number; message: string } | null {
  const host = req.headers.host ?? ''
  if (gate.hosts.size && !gate.hosts.has(host)) return { status: 403, message: `Host ${host || '(none)'} is not this server.` }
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, message: `Requests from ${origin} are refused.` }
  const token = url.searchParams.get('token') ?? (acceptCookie ? (cookies(req).get(gate.cookieName) ?? null) : null)
  if (!sameToken(token, gate.token)) {
    return { status: 401, message: 'The access token is missing or wrong: open the address printed by `pulmo serve`.' }
  }
  return null
}

/** The workstation page (not one of its assets). */
function isPageRequest(pathname: string): boolean {
  return pathname === '/' || pathname === '/index.html'
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A plain page saying why the workstation is not shown (no script, no style: the CSP allows neither inline). */
function refusalPage(message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Pulmo: access refused</title></head>
<body>
<h1>Pulmo: access refused</h1>
<p id="refusal">${escapeHtml(message)}</p>
<p>This workstation serves patient images and reports, so every page must carry the access token
that <code>pulmo serve</code> printed when it started: open that address (it ends with
<code>/?token=…</code>) instead of this one.</p>
</body>
</html>
`
}

/**
 * Serves the contract over WebSocket (/ws?token=…) and the built renderer over HTTP, on the
 * loopback interface only by default. Every HTTP request and every socket must present the token
 * printed at start (a page opened with ?token= gets it as an HttpOnly same-site cookie for its
 * scripts and styles), name this server as Host and come from this server's own origin (or from no
 * browser at all). Request bodies and socket messages are size-limited.
 */
export async function startServer(service: PulmoService, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(24).toString('hex')
  const staticDir = options.staticDir ?? rendererDir()
  const gate: Gate = { token, cookieName: '', hosts: new Set() }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // The page itself needs the token in its address: the cookie is only for the page's own scripts
    // and styles. A page opened without it (a bookmark, a second tab) would load, find no token
    // for its socket and show an empty workstation; it is refused instead, with the way in.
    const page = isPageRequest(url.pathname)
    const refused = refusal(gate, req, url, !page)
    if (refused) {
      const headers = { ...securityHeaders, Connection: 'close' }
      if (page) res.writeHead(refused.status, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(refusalPage(refused.message))
      else res.writeHead(refused.status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(refused.message)
      return
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_HTTP_BODY_BYTES || req.headers['transfer-encoding'] !== undefined) {
      res.writeHead(413, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('Request body too large.')
      return
    }
    const cookie = url.searchParams.has('token') ? `${gate.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/` : undefined
    serveStatic(staticDir, req, res, cookie)
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const refused = url.pathname === '/ws' ? refusal(gate, req, url, false) : { status: 404, message: 'Not found' }
    if (refused) {
      socket.write(`HTTP/1.1 ${refused.status} ${STATUS_CODES[refused.status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refused.message}`)
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(service, ws))
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, host, () => resolve())
  })
  const address = http.address() as AddressInfo
  const port = address.port
  // Cookies are not per port: the name carries it so two servers on the loopback keep theirs apart.
  gate.cookieName = `pulmo-token-${port}`
  if (LOOPBACK_HOSTS.has(host)) for (const name of LOOPBACK_HOSTS) gate.hosts.add(`${name}:${port}`)
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/?token=${token}`,
    host: address.address,
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
  // A protocol error (an oversized or malformed frame) closes this socket with its code (1009, 1002);
  // without a listener the error would be thrown and take the whole server down.
  ws.on('error', () => ws.terminate())
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

const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store'
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, cookie: string | undefined): void {
  const headers: Record<string, string> = { ...securityHeaders, ...(cookie ? { 'Set-Cookie': cookie } : {}) }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end()
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
  } catch {
    res.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('Bad path')
    return
  }
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
