import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { z } from 'zod'
import { api, type Method } from '../../src/shared/api'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/contentSecurityPolicy'
import { MAX_HTTP_BODY_BYTES, MAX_MESSAGE_BYTES, startServer, type RunningServer } from '../../src/main/server'
import { PulmoService } from '../../src/main/services'
import { tempDir } from '../helpers/paths'

type Reply = { id: number; result?: unknown; error?: { code: string; message: string } }

/** A value of the wrong JSON type for a field: the first candidate its schema refuses. */
function wrongValueFor(field: z.ZodType): unknown {
  for (const candidate of ['not-a-valid-value', 12.5, true, ['x'], { nested: 1 }, -7]) {
    if (!field.safeParse(candidate).success) return candidate
  }
  throw new Error('the field accepts anything')
}

interface Malformed {
  method: string
  what: string
  params: unknown
  /** What the error message must say. */
  names: RegExp
}

/** Malformed parameters for every method of the contract: not an object, junk keys, wrong types, missing fields. */
function malformedRequests(): Malformed[] {
  const out: Malformed[] = []
  for (const method of Object.keys(api) as Method[]) {
    const schema = api[method].params as unknown as z.ZodObject<Record<string, z.ZodType>>
    out.push({ method, what: 'a string instead of an object', params: 'params', names: /expected object, received string/ })
    out.push({ method, what: 'an array instead of an object', params: [1, 2, 3], names: /expected object, received array/ })
    out.push({ method, what: 'an unknown key', params: { __junk: { $where: 'sleep(1)' } }, names: /Unrecognized key: "__junk"/ })
    for (const [key, field] of Object.entries(schema.shape)) {
      out.push({ method, what: `a wrong type for ${key}`, params: { [key]: wrongValueFor(field) }, names: new RegExp(`→ at ${key}\\b`) })
      if (!field.safeParse(undefined).success) {
        out.push({ method, what: `missing ${key}`, params: {}, names: new RegExp(`received undefined\\s+→ at ${key}\\b`) })
      }
    }
  }
  return out
}

/** The WebSocket transport: token, host and origin checks, size limits, and the contract's validation on every method. */
describe('pulmo serve transport', () => {
  const dir = tempDir()
  const uiDir = join(dir.path, 'ui')
  let service: PulmoService
  let server: RunningServer

  beforeAll(async () => {
    mkdirSync(join(uiDir, 'assets'), { recursive: true })
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><div id="app"></div>')
    writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log(1)')
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
    server = await startServer(service, { staticDir: uiDir })
  })
  afterAll(async () => {
    await server.close()
    service.close()
    dir.remove()
  })

  const connect = (query: string, headers: Record<string, string> = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers })
      ws.once('open', () => resolve(ws))
      ws.once('error', reject)
    })

  /** Sends requests on one socket and collects the replies by id. */
  async function exchange(ws: WebSocket, requests: Array<{ id: number; method: string; params: unknown }>): Promise<Map<number, Reply>> {
    const replies = new Map<number, Reply>()
    const onMessage = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString())
      if ('id' in m) replies.set(m.id, m)
    }
    ws.on('message', onMessage)
    for (const r of requests) ws.send(JSON.stringify(r))
    await expect.poll(() => replies.size, { timeout: 20_000 }).toBe(requests.length)
    ws.off('message', onMessage)
    return replies
  }

  /** A raw HTTP GET with exactly the headers given (fetch would add or refuse some). */
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers }, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      })
      req.on('error', reject)
      req.end()
    })

  it('listens on 127.0.0.1 only', async () => {
    expect(server.host).toBe('127.0.0.1')
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/)
    // Not reachable on the machine's other addresses.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address)
    for (const address of others) {
      await expect(fetch(`http://${address}:${server.port}/?token=${server.token}`)).rejects.toThrow()
    }
  })

  it('refuses sockets without the token, with a wrong one, or from another origin or host', async () => {
    await expect(connect('')).rejects.toThrow(/401/)
    await expect(connect('?token=' + 'f'.repeat(48))).rejects.toThrow(/401/)
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/)
    await expect(connect(`?token=${server.token}`, { Origin: 'null' })).rejects.toThrow(/403/)
    await expect(connect(`?token=${server.token}`, { Host: `rebound.example:${server.port}` })).rejects.toThrow(/403/)
    const ws = await connect(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` })
    const replies = await exchange(ws, [{ id: 1, method: 'system.info', params: {} }])
    expect(replies.get(1)?.result).toMatchObject({ transport: 'websocket' })
    ws.close()
  })

  it('requires the token on every HTTP request (query or the page cookie) and refuses other origins', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/nothing-here']) {
      const r = await get(path)
      expect(r.status, path).toBe(401)
      expect(r.body).toMatch(/access token is missing or wrong/)
    }
    expect((await get(`/assets/app.js?token=${'0'.repeat(48)}`)).status).toBe(401)

    const page = await get(`/?token=${server.token}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<div id="app">')
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    const cookie = String(page.headers['set-cookie'])
    expect(cookie).toMatch(new RegExp(`^pulmo-token-${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/$`))
    // The page's scripts load with the cookie the page got.
    const script = await get('/assets/app.js', { Cookie: cookie.split(';')[0] })
    expect([script.status, script.body]).toEqual([200, 'console.log(1)'])
    // The page itself does not: opened without the token in its address, it is refused as a page.
    for (const path of ['/', '/index.html']) {
      const refused = await get(path, { Cookie: cookie.split(';')[0] })
      expect(refused.status, path).toBe(401)
      expect(refused.headers['content-type']).toMatch(/^text\/html/)
      expect(refused.body).toMatch(/access token is missing or wrong/)
      expect(refused.body).not.toContain('<div id="app">')
    }
    expect((await get('/assets/app.js', { Cookie: `pulmo-token-${server.port}=${'a'.repeat(48)}` })).status).toBe(401)

    expect((await get(`/?token=${server.token}`, { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await get(`/?token=${server.token}`, { Host: 'rebound.example' })).status).toBe(403)
    expect((await get(`/..%2f..%2fetc%2fpasswd?token=${server.token}`)).status).toBe(404)
  })

  it('limits upload sizes: HTTP bodies (413) and socket messages (closed with 1009), and keeps serving', async () => {
    const post = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, method: 'POST', headers: { 'Content-Length': MAX_HTTP_BODY_BYTES + 1 } },
        (res) => resolve(res.statusCode!)
      )
      req.on('error', reject)
      req.end(Buffer.alloc(MAX_HTTP_BODY_BYTES + 1))
    })
    expect(post).toBe(413)

    const ws = await connect(`?token=${server.token}`)
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
    ws.send(JSON.stringify({ id: 1, method: 'masks.save', params: { seriesId: 1, baseVersion: 0, slices: [{ k: 0, runs: Array(MAX_MESSAGE_BYTES / 2).fill(1) }] } }))
    expect(await closed).toBe(1009)

    const again = await connect(`?token=${server.token}`)
    const replies = await exchange(again, [{ id: 2, method: 'system.info', params: {} }])
    expect(replies.get(2)?.result).toMatchObject({ transport: 'websocket' })
    again.close()
  })

  it('answers malformed parameters to every method with a validation error that names the problem', async () => {
    const ws = await connect(`?token=${server.token}`)
    const cases = malformedRequests()
    const methods = new Set(cases.map((c) => c.method))
    expect(methods.size).toBe(Object.keys(api).length)
    expect(cases.length).toBeGreaterThan(4 * methods.size)
    const replies = await exchange(
      ws,
      cases.map((c, i) => ({ id: i + 1, method: c.method, params: c.params }))
    )
    for (const [i, c] of cases.entries()) {
      const reply = replies.get(i + 1)!
      expect(reply.result, `${c.method} with ${c.what}`).toBeUndefined()
      expect(reply.error?.code, `${c.method} with ${c.what}: ${reply.error?.message}`).toBe('validation')
      expect(reply.error?.message, `${c.method} with ${c.what}`).toMatch(new RegExp(`^Invalid parameters for ${c.method.replace('.', '\\.')}:`))
      expect(reply.error?.message, `${c.method} with ${c.what}`).toMatch(c.names)
    }
    // Nothing a malformed request asked for happened, and the server still serves.
    const after = await exchange(ws, [
      { id: 1, method: 'studies.list', params: {} },
      { id: 2, method: 'settings.get', params: {} }
    ])
    expect(after.get(1)?.result).toEqual([])
    expect(after.get(2)?.result).toMatchObject({ backend: 'auto' })
    ws.close()
  })

  it('answers malformed envelopes with a validation error and keeps the socket open', async () => {
    const ws = await connect(`?token=${server.token}`)
    const replies: Reply[] = []
    ws.on('message', (data, isBinary) => {
      if (!isBinary) replies.push(JSON.parse(data.toString()))
    })
    ws.send('not json at all')
    ws.send(JSON.stringify({ method: 'system.info', params: {} })) // no id
    ws.send(JSON.stringify({ id: 'seven', method: 'system.info', params: {} }))
    ws.send(JSON.stringify({ id: 3, method: 42, params: {} }))
    ws.send(Buffer.from([1, 2, 3]), { binary: true })
    ws.send(JSON.stringify({ id: 999, method: 'fs.readFile', params: { path: '/etc/passwd' } }))
    ws.send(JSON.stringify({ id: 1000, method: '__proto__', params: {} }))
    ws.send(JSON.stringify({ id: 1001, method: 'system.info', params: {} }))
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBe(8)
    const malformed = replies.filter((r) => r.id === 0)
    expect(malformed).toHaveLength(5)
    for (const r of malformed) expect(r.error).toMatchObject({ code: 'validation', message: expect.stringMatching(/^Malformed request: /) })
    expect(replies.find((r) => r.id === 999)?.error).toEqual({ code: 'validation', message: 'Unknown method "fs.readFile".' })
    expect(replies.find((r) => r.id === 1000)?.error).toEqual({ code: 'validation', message: 'Unknown method "__proto__".' })
    expect(replies.find((r) => r.id === 1001)?.result).toMatchObject({ transport: 'websocket' })
    ws.close()
  })

  it('serves a clear message when the UI is not built', async () => {
    const bare = await startServer(service, { staticDir: join(dir.path, 'no-ui') })
    try {
      const res = await fetch(bare.url)
      expect(res.status).toBe(503)
      expect(await res.text()).toMatch(/not built; run `npm run build`/)
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    } finally {
      await bare.close()
    }
  })
})
