import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PulmoService } from '../../src/main/services'
import { readVolumes } from '../../src/main/volume'
import { lungmaskSlices, p002, tempDir } from '../helpers/paths'

/** Everything the database and the data folder hold, to prove a refused import changed nothing. */
function snapshot(service: PulmoService): string {
  const tables = ['patients', 'studies', 'series', 'masks', 'audit_log']
  const rows = tables.map((t) => service.store.db.prepare(`SELECT * FROM ${t} ORDER BY id`).all())
  return JSON.stringify({ rows, files: readdirSync(join(service.dataDir, 'series')).sort() })
}

describe('importing studies through the service', () => {
  const dir = tempDir()
  let service: PulmoService

  beforeAll(() => {
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
  })
  afterAll(() => {
    service.close()
    dir.remove()
  })

  it('imports P002 as one CT series with the geometry and HU range of the files, once', async () => {
    const first = await service.invoke('studies.import', { paths: [p002] })
    expect(first.created).toHaveLength(1)
    const series = first.studies[0].series[0]
    expect(series).toMatchObject({ modality: 'CT', unit: 'HU', rows: 512, columns: 512, slices: 133 })
    expect(series.spacing[0]).toBeCloseTo(0.6035, 4)
    expect(series.spacing[1]).toBeCloseTo(0.6035, 4)
    expect(series.spacing[2]).toBeCloseTo(2, 4)
    const header = await service.invoke('series.header', { seriesId: series.id })
    expect(header.valueRange).toEqual([-1024, 1470])

    const again = await service.invoke('studies.import', { paths: [p002] })
    expect(again.created).toHaveLength(0)
    expect(again.existing).toEqual([series.id])
    expect((await service.invoke('studies.list', {})).flatMap((s) => s.series)).toHaveLength(1)
  })

  it('exports a series to NIfTI that reads back with identical voxels and geometry', async () => {
    const [study] = await service.invoke('studies.list', {})
    const seriesId = study.series[0].id
    const out = join(dir.path, 'p002.nii.gz')
    await service.invoke('series.export', { seriesId, path: out })
    const [back] = await readVolumes([out])
    const stored = await service.studies.volume(seriesId)
    expect(back.dimensions).toEqual([512, 512, 133])
    expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(
      Buffer.from(stored.data.buffer, stored.data.byteOffset, stored.data.byteLength))).toBe(true)
    for (let i = 0; i < 3; i++) {
      expect(back.spacing[i]).toBeCloseTo(stored.spacing[i], 5)
      expect(back.origin[i]).toBeCloseTo(stored.origin[i], 4)
    }
    back.direction.forEach((d, i) => expect(d).toBeCloseTo(stored.direction[i], 5))
    const voxels = await service.invoke('series.voxels', { seriesId })
    expect(voxels.byteLength).toBe(512 * 512 * 133 * 2)
  })

  it('imports the two lungmask slices as one series of two slices', async () => {
    const r = await service.invoke('studies.import', { paths: [lungmaskSlices] })
    expect(r.created).toHaveLength(1)
    expect(r.studies[0].series[0]).toMatchObject({ rows: 512, columns: 512, slices: 2 })
  })

  it('refuses a truncated DICOM and a text file named .dcm, naming the file, and changes nothing', async () => {
    const before = snapshot(service)
    const bad = join(dir.path, 'bad')
    mkdirSync(bad)
    const truncated = join(bad, 'truncated.dcm')
    writeFileSync(truncated, readFileSync(join(lungmaskSlices, '0.dcm')).subarray(0, 1000))
    await expect(service.invoke('studies.import', { paths: [truncated] })).rejects.toThrow(/truncated\.dcm/)

    const text = join(bad, 'notes.dcm')
    writeFileSync(text, 'This is a radiology note, not an image.\n')
    await expect(service.invoke('studies.import', { paths: [text] })).rejects.toThrow(/notes\.dcm/)

    // one good file beside a bad one: the good one must not be imported either
    const mixed = join(dir.path, 'mixed')
    mkdirSync(mixed)
    copyFileSync(join(p002, 'IM0001.dcm'), join(mixed, 'IM0001.dcm'))
    copyFileSync(text, join(mixed, 'notes.dcm'))
    await expect(service.invoke('studies.import', { paths: [mixed] })).rejects.toThrow(/notes\.dcm/)
    expect(snapshot(service)).toBe(before)
  })

  it('validates requests against the contract', async () => {
    await expect(service.dispatch('studies.import', { paths: [] })).rejects.toMatchObject({ code: 'validation' })
    await expect(service.dispatch('series.header', { seriesId: 'one' })).rejects.toMatchObject({ code: 'validation' })
    await expect(service.dispatch('no.such.method', {})).rejects.toMatchObject({ code: 'validation' })
    await expect(service.invoke('series.header', { seriesId: 9999 })).rejects.toMatchObject({ code: 'not-found' })
  })
})
