import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import type { ApiErrorShape, MaskVersion, SliceEdit } from '../../src/shared/api'
import { applyEdit, maskEdit } from '../helpers/maskEdits'
import { lungmaskSlices, projectRoot, tempDir } from '../helpers/paths'

/** A client of `pulmo serve` speaking the wire format: JSON requests, JSON or binary replies. */
class WireClient {
  private next = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: ApiErrorShape) => void }>()

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        const id = data.readUInt32LE(0)
        this.pending.get(id)?.resolve(new Uint8Array(data.subarray(4)))
        this.pending.delete(id)
        return
      }
      const m = JSON.parse(data.toString())
      if (!('id' in m)) return
      const p = this.pending.get(m.id)
      this.pending.delete(m.id)
      if ('error' in m) p?.reject(m.error)
      else p?.resolve(m.result)
    })
  }

  static open(url: string): Promise<WireClient> {
    const u = new URL(url)
    const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`)
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WireClient(ws)))
      ws.once('error', reject)
    })
  }

  call<T>(method: string, params: unknown): Promise<T> {
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.ws.send(JSON.stringify({ id, method, params }))
    })
  }

  close(): void {
    this.ws.close()
  }
}

/**
 * Two clients of a real `pulmo serve` (the built CLI, in its own process) save mask versions of the
 * same series on the same parent at the same moment, round after round: optimistic versioning keeps
 * exactly one of each pair, refuses the other with a conflict error, and loses or duplicates nothing.
 */
describe('concurrent mask saves through pulmo serve', () => {
  const dir = tempDir('pulmo-concurrency-')
  const dataDir = join(dir.path, 'data')
  let server: ChildProcess
  let url = ''

  beforeAll(async () => {
    server = spawn(process.execPath, [join(projectRoot, 'bin/pulmo.js'), 'serve', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    url = await new Promise<string>((resolve, reject) => {
      let text = ''
      server.stdout!.on('data', (d) => {
        text += d
        const m = /http:\/\/\S+\/\?token=[0-9a-f]+/.exec(text)
        if (m) resolve(m[0])
      })
      server.on('exit', (code) => reject(new Error(`pulmo serve exited with ${code}: ${text}`)))
    })
  })
  afterAll(async () => {
    server.kill('SIGTERM')
    await new Promise((r) => server.once('exit', r))
    dir.remove()
  })

  it('keeps exactly one of two simultaneous saves on the same parent, every round, and refuses the other clearly', async () => {
    expect(new URL(url).hostname).toBe('127.0.0.1')
    const [a, b] = await Promise.all([WireClient.open(url), WireClient.open(url)])
    await a.call('settings.set', { userName: 'annotator' })
    const imported = await a.call<{ created: number[] }>('studies.import', { paths: [lungmaskSlices] })
    const seriesId = imported.created[0]
    const header = await b.call<{ dimensions: [number, number, number] }>('series.header', { seriesId })
    expect(header.dimensions).toEqual([512, 512, 2])
    const sliceSize = 512 * 512

    const rounds = 20
    const expected: Uint8Array[] = [new Uint8Array(sliceSize * 2)]
    const wins = { a: 0, b: 0 }
    for (let round = 0; round < rounds; round++) {
      const base = round
      const edits: Record<'a' | 'b', SliceEdit> = { a: maskEdit(base + 1, header.dimensions, 1), b: maskEdit(base + 1, header.dimensions, 2) }
      // Both requests leave in the same tick; which one goes first alternates between rounds.
      const send = (who: 'a' | 'b') => ({ a, b })[who].call<MaskVersion>('masks.save', { seriesId, baseVersion: base, slices: [edits[who]] })
      const [first, second] = round % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)
      const sent = { [first]: send(first), [second]: send(second) } as Record<'a' | 'b', Promise<MaskVersion>>
      const outcomes = await Promise.allSettled([sent.a, sent.b])
      const accepted = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ who: i === 0 ? 'a' : 'b', version: o.value }] : []))
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as ApiErrorShape] : []))
      expect(accepted, `round ${round}`).toHaveLength(1)
      expect(accepted[0].version).toMatchObject({ version: base + 1, parentVersion: base || null, author: 'annotator', source: 'annotator' })
      expect(refused).toEqual([
        {
          code: 'conflict',
          message: `Mask version ${base + 1} was saved since you opened version ${base}; reload and reapply your edits.`
        }
      ])
      const who = accepted[0].who as 'a' | 'b'
      wins[who]++
      const labels = expected[base].slice()
      applyEdit(labels, edits[who], sliceSize)
      expected.push(labels)
    }
    console.log('concurrent saves won:', JSON.stringify(wins))

    // A save on a stale parent is refused too, and changes nothing.
    await expect(b.call('masks.save', { seriesId, baseVersion: 3, slices: [maskEdit(99, header.dimensions)] })).rejects.toEqual({
      code: 'conflict',
      message: `Mask version ${rounds} was saved since you opened version 3; reload and reapply your edits.`
    })

    const versions = await a.call<MaskVersion[]>('masks.list', { seriesId })
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1))
    expect(versions.map((v) => v.parentVersion)).toEqual(Array.from({ length: rounds }, (_, i) => (i === 0 ? null : i)))
    for (const v of versions) {
      const labels = await b.call<Uint8Array>('masks.voxels', { seriesId, version: v.version })
      expect(Buffer.compare(labels, expected[v.version]), `version ${v.version}`).toBe(0)
    }
    // The refused saves' files were removed: one file per version.
    expect(readdirSync(join(dataDir, 'masks'))).toHaveLength(rounds)
    a.close()
    b.close()
  })
})
