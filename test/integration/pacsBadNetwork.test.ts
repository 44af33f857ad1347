/**
 * A PACS that misbehaves: a small fake DICOMweb server answers garbage, truncated multipart bodies,
 * wrong content types, huge or endless bodies, slow answers, wrong instances and error statuses.
 * Each ends in a clear error within a bounded time, and nothing is left half imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DicomWebClient, PacsError } from '../../src/main/pacs'
import { PacsService, PulmoService, toApiError } from '../../src/main/services'
import { pacsReadyCopy, type PacsReadyCopy } from '../helpers/pacsData'
import { p002, tempDir } from '../helpers/paths'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
const dir = tempDir('pulmo-badnet-')
let server: Server
let base = ''
let handler: Handler = (_req, res) => res.end()
let copy: PacsReadyCopy
const sockets = new Set<import('node:net').Socket>()

const json = (res: ServerResponse, value: unknown): void => {
  res.writeHead(200, { 'content-type': 'application/dicom+json' })
  res.end(JSON.stringify(value))
}
const ui = (v: string) => ({ vr: 'UI', Value: [v] })

function multipart(parts: Buffer[], boundary = 'xyzBOUNDARY'): Buffer {
  const chunks: Buffer[] = []
  for (const p of parts)
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), p, Buffer.from('\r\n'))
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

/** A PACS holding the three-slice copy, whose WADO-RS answers `instance(i, bytes, res)` decides. */
function pacsWith(instance: (index: number, bytes: Buffer, res: ServerResponse) => void): Handler {
  const sops = copy.files.map((f) => f)
  return (req, res) => {
    const url = new URL(req.url ?? '/', base)
    const path = url.pathname
    if (path.endsWith('/series'))
      return json(res, [{ '0020000E': ui(copy.seriesInstanceUid), '00080060': { vr: 'CS', Value: ['CT'] } }])
    if (path.endsWith('/instances')) {
      return json(
        res,
        sops.map((_, i) => ({ '00080018': ui(sopUid(i)), '00080016': ui('1.2.840.10008.5.1.4.1.1.2') }))
      )
    }
    const m = /\/instances\/([0-9.]+)$/.exec(path)
    if (m) {
      const index = sops.findIndex((_, i) => sopUid(i) === m[1])
      return instance(index, readFileSync(sops[index]), res)
    }
    res.writeHead(404).end()
  }
}

let sopUids: string[] = []
const sopUid = (i: number): string => sopUids[i]

function connection(overrides: Partial<ConstructorParameters<typeof DicomWebClient>[0]> = {}) {
  return {
    url: `${base}/dicom-web`,
    auth: { kind: 'basic' as const, user: 'u', password: 'p' },
    timeoutMs: 1500,
    maxResponseBytes: 2_000_000,
    ...overrides
  }
}

async function failure(run: () => Promise<unknown>): Promise<{ error: PacsError; ms: number }> {
  const started = Date.now()
  try {
    await run()
  } catch (e) {
    if (e instanceof PacsError) return { error: e, ms: Date.now() - started }
    throw e
  }
  throw new Error('expected a PacsError')
}

describe('a misbehaving PACS', () => {
  beforeAll(async () => {
    copy = pacsReadyCopy(p002, join(dir.path, 'copy'), { slices: [60, 61, 62] })
    const dcmjs = (await import('dcmjs')).default
    sopUids = copy.files.map((f) => {
      const b = readFileSync(f)
      const m = dcmjs.data.DicomMessage.readFile(
        b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
      )
      return String(m.dict['00080018'].Value[0])
    })
    server = createServer((req, res) => handler(req, res))
    server.on('connection', (s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const address = server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
    dir.remove()
  })

  it('garbage, the wrong JSON shape and a wrong content type in a search', async () => {
    const client = new DicomWebClient(connection())
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json' })
      res.end('<<<this is not json')
    }
    expect((await failure(() => client.searchStudies())).error.message).toMatch(
      /answer to the study search is not JSON/
    )
    handler = (_req, res) => json(res, { studies: 'none' })
    expect((await failure(() => client.searchStudies())).error.message).toMatch(/not a DICOM JSON array/)
    handler = (_req, res) => json(res, [{ '0020000D': ui('not a uid!') }])
    expect((await failure(() => client.searchStudies())).error.message).toMatch(/without a valid UID/)
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>login page</html>')
    }
    const html = await failure(() => client.searchStudies())
    expect(html.error.kind).toBe('malformed')
    expect(html.error.message).toMatch(/with text\/html, not DICOM JSON/)
  })

  it('401, 403 and 413 as messages that say what to do, without the password', async () => {
    const client = new DicomWebClient(connection({ auth: { kind: 'basic', user: 'u', password: 'hunter2-secret' } }))
    for (const [status, pattern] of [
      [401, /refused the credentials \(401\).*check the user name and password/],
      [403, /does not allow the study search for this user \(403\)/]
    ] as const) {
      handler = (_req, res) => res.writeHead(status).end()
      const { error } = await failure(() => client.searchStudies())
      expect(error.message).toMatch(pattern)
      expect(error.message).not.toContain('hunter2')
      expect(toApiError(error).code).toBe('unauthorized')
    }
    handler = (req, res) => {
      req.resume()
      req.on('end', () => res.writeHead(413).end())
    }
    const { error } = await failure(() =>
      client.store('1.2.3', [{ sopInstanceUid: '1.2.3.4', bytes: new Uint8Array(1000) }])
    )
    expect(error.kind).toBe('too-large')
    expect(error.message).toMatch(/refused storing 1 object as too large \(413\)/)
  })

  it('a slow answer is a timeout within the bound, an endless or huge one stops at the size limit', async () => {
    const client = new DicomWebClient(connection({ timeoutMs: 1000 }))
    handler = () => {} // never answers
    const slow = await failure(() => client.searchStudies())
    expect(slow.error.kind).toBe('timeout')
    expect(slow.error.message).toMatch(/did not answer the study search within 1 s/)
    expect(slow.ms).toBeLessThan(3000)

    handler = (_req, res) => {
      // Headers at once, then a trickle that never ends.
      res.writeHead(200, { 'content-type': 'application/dicom+json' })
      res.write('[')
      const t = setInterval(() => res.write(' '), 100)
      res.on('close', () => clearInterval(t))
    }
    const trickle = await failure(() => client.searchStudies())
    expect(trickle.error.kind).toBe('timeout')
    expect(trickle.ms).toBeLessThan(3000)

    const endless = new DicomWebClient(connection({ timeoutMs: 20_000, maxResponseBytes: 1_000_000 }))
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = (): void => {
        while (res.write(chunk)) {
          /* fill the socket */
        }
      }
      res.on('drain', pump)
      pump()
    }
    const huge = await failure(() => endless.searchStudies())
    expect(huge.error.kind).toBe('too-large')
    expect(huge.error.message).toMatch(/exceeds the 1000000 bytes/)
    expect(huge.ms).toBeLessThan(10_000)

    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json', 'content-length': String(50_000_000_000) })
      res.write('[')
    }
    expect((await failure(() => endless.searchStudies())).error.message).toMatch(/is 50000000000 bytes, more than/)
  })

  async function pullThrough(
    instance: (index: number, bytes: Buffer, res: ServerResponse) => void
  ): Promise<{ message: string; service: PulmoService }> {
    handler = pacsWith(instance)
    const service = new PulmoService({
      dataDir: join(dir.path, `data-${Math.random().toString(36).slice(2)}`),
      transport: 'websocket'
    })
    const target = PacsService.target(connection())
    let message = ''
    try {
      await service.pacs.pull(target, copy.studyInstanceUid)
    } catch (e) {
      message = toApiError(e).message
    }
    return { message, service }
  }

  function expectNothingImported(service: PulmoService): void {
    expect(service.store.studies.studies()).toHaveLength(0)
    const cache = join(service.dataDir, 'pacs-cache')
    const files = readdirSync(cache, { recursive: true }).map(String)
    expect(files.filter((f) => f.includes('.tmp-'))).toEqual([])
    // Only complete, checked instances are kept for a resumed pull, never the broken one.
    expect(
      files.filter((f) => f.endsWith('.dcm')).every((f) => sopUids.some((u, i) => i < 2 && f.endsWith(`${u}.dcm`)))
    ).toBe(true)
    service.close()
  }

  it('a pull whose third slice comes truncated, as garbage, untyped or as another instance imports nothing', async () => {
    const cases: Array<[string, (i: number, bytes: Buffer, res: ServerResponse) => void, RegExp]> = [
      [
        'truncated multipart',
        (i, bytes, res) => {
          res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY' })
          const body = multipart([bytes])
          res.end(i === 2 ? body.subarray(0, body.length >> 1) : body)
        },
        /truncated \(part 1 has no closing delimiter\)/
      ],
      [
        'connection cut mid-body',
        (i, bytes, res) => {
          const body = multipart([bytes])
          res.writeHead(200, {
            'content-type': 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY',
            'content-length': String(body.length)
          })
          if (i === 2) {
            res.write(body.subarray(0, 1000))
            setTimeout(() => res.socket?.destroy(), 50)
          } else res.end(body)
        },
        /broke off after|truncated/
      ],
      [
        'garbage DICOM',
        (i, bytes, res) => {
          res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY' })
          res.end(multipart([i === 2 ? Buffer.from('definitely not a DICOM file, just text'.repeat(10)) : bytes]))
        },
        /not a DICOM file/
      ],
      [
        'wrong content type',
        (i, bytes, res) => {
          res.writeHead(200, {
            'content-type':
              i === 2 ? 'application/json' : 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY'
          })
          res.end(i === 2 ? '{"error":"oops"}' : multipart([bytes]))
        },
        /with application\/json, not multipart\/related DICOM/
      ],
      [
        'another instance',
        (i, bytes, res) => {
          res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY' })
          res.end(multipart([i === 2 ? readFileSync(copy.files[0]) : bytes]))
        },
        /sent another instance/
      ],
      [
        'a slow slice',
        (i, bytes, res) => {
          if (i === 2) return // never answers
          res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY' })
          res.end(multipart([bytes]))
        },
        /did not answer the retrieval of instance .* within 2 s/
      ]
    ]
    for (const [name, instance, pattern] of cases) {
      const started = Date.now()
      const { message, service } = await pullThrough(instance)
      expect(message, name).toMatch(pattern)
      expect(Date.now() - started, name).toBeLessThan(10_000)
      expectNothingImported(service)
    }
  })

  it('a well-behaved fake PACS pulls the three slices (the checks above are not what fails)', async () => {
    const { message, service } = await pullThrough((_i, bytes, res) => {
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=xyzBOUNDARY' })
      res.end(multipart([bytes]))
    })
    expect(message).toBe('')
    expect(service.store.studies.studies()).toHaveLength(1)
    expect(service.store.studies.seriesByUid(copy.seriesInstanceUid)?.slices).toBe(3)
    service.close()
  })
})
