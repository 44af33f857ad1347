/**
 * The watcher leaves a study alone while it is still arriving: only when its instance count is the
 * same as one poll earlier does it look at it (a fake PACS whose study grows, then stays).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { PacsService, PulmoService } from '../../src/main/services'
import { tempDir } from '../helpers/paths'

describe('pulmo pacs watch and a study still arriving', () => {
  const dir = tempDir()
  afterAll(() => dir.remove())

  it('waits until the study stops growing, then finds its Pulmo result and leaves it', async () => {
    const counts = [10, 20, 20, 20]
    let poll = -1
    const log: string[] = []
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      res.writeHead(200, { 'content-type': 'application/dicom+json' })
      if (path.endsWith('/studies')) {
        poll++
        log.push(`search ${poll}`)
        res.end(
          JSON.stringify([
            {
              '0020000D': { vr: 'UI', Value: ['1.2.3'] },
              '00080061': { vr: 'CS', Value: ['CT'] },
              '00201208': { vr: 'IS', Value: [counts[poll]] }
            }
          ])
        )
      } else {
        log.push(`series ${poll}`)
        res.end(
          JSON.stringify([
            {
              '0020000E': { vr: 'UI', Value: ['1.2.3.9'] },
              '00080060': { vr: 'CS', Value: ['SEG'] },
              '00080070': { vr: 'LO', Value: ['Pulmo'] }
            }
          ])
        )
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const address = server.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dicom-web`
    const service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
    try {
      const target = PacsService.target({ url, auth: { kind: 'none' } })
      const result = await service
        .pacsWatcher(target)
        .run({ intervalMs: 50, log: () => {}, shouldStop: () => false, polls: 4 })
      expect(result.processed).toEqual([])
      // 10 → 20: still arriving; 20 → 20: stable, so it is looked at (and found done); then never again.
      expect(log).toEqual(['search 0', 'search 1', 'search 2', 'series 2', 'search 3'])
    } finally {
      service.close()
      server.close()
    }
  })
})
