import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import WebSocket from 'ws'
import { api } from '../../src/shared/api'
import { startServer, type RunningServer } from '../../src/main/server'
import { PulmoService } from '../../src/main/services'
import { tempDir } from '../helpers/paths'

/** The WebSocket transport: token and origin checks, and the contract's validation on every method. */
describe('pulmo serve transport', () => {
  const dir = tempDir()
  let service: PulmoService
  let server: RunningServer

  beforeAll(async () => {
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
    server = await startServer(service, { staticDir: join(dir.path, 'no-ui') })
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

  it('listens on 127.0.0.1 only and refuses sockets without the token or from another origin', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/)
    await expect(connect('')).rejects.toThrow(/401/)
    await expect(connect('?token=' + 'f'.repeat(48))).rejects.toThrow(/401/)
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/401/)
    const ws = await connect(`?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` })
    ws.close()
  })

  it('answers a malformed request to every method with a validation error', async () => {
    const ws = await connect(`?token=${server.token}`)
    const replies = new Map<number, { error?: { code: string; message: string } }>()
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString())
      if ('id' in m) replies.set(m.id, m)
    })
    const methods = Object.keys(api)
    methods.forEach((method, i) => ws.send(JSON.stringify({ id: i + 1, method, params: { unexpected: [1, 2, 3] } })))
    ws.send(JSON.stringify({ id: 999, method: 'fs.readFile', params: {} }))
    ws.send('not json at all')
    await expect.poll(() => replies.size, { timeout: 10_000 }).toBe(methods.length + 2)
    for (let i = 0; i < methods.length; i++) {
      expect(replies.get(i + 1)?.error, methods[i]).toMatchObject({ code: 'validation' })
    }
    expect(replies.get(999)?.error?.message).toMatch(/Unknown method/)
    expect(replies.get(0)?.error?.code).toBe('validation')
    ws.close()
  })

  it('serves a clear message when the UI is not built, with a strict CSP', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`)
    expect(res.status).toBe(503)
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    const traversal = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fetc%2fpasswd`)
    expect([403, 404, 503]).toContain(traversal.status)
  })
})
