import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PulmoService } from '../../src/main/services'
import { analyseSeries } from '../helpers/analyse'
import { lungmaskSlices, tempDir } from '../helpers/paths'
import { retagSeries } from '../helpers/retag'
import { saveTinyModel } from '../helpers/tinyModel'

/**
 * A follow-up compares what the radiologist signed: two studies of one patient (the real lungmask
 * slices re-tagged), analysed with a tiny model; the earlier one signed, then corrected so that an
 * unsigned amendment with other figures is drafted after the signature.
 */
describe('follow-up on signed reports', () => {
  const dir = tempDir('pulmo-follow-up-signed-')
  let service: PulmoService
  const ids: number[] = []

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket', modelDir })
    await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
    for (const [n, studyDate] of ['20200301', '20200315'].entries()) {
      const copy = retagSeries(lungmaskSlices, join(dir.path, `study-${n}`), { patientId: 'LM-0042', patientName: 'Lung^Mask', studyDate })
      ids.push((await service.invoke('studies.import', { paths: [copy] })).created[0])
    }
    for (const id of ids) expect((await analyseSeries(service, id)).status).toBe('finished')
  }, 300_000)
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('uses the signed report, not a draft amendment drafted since; a draft only when nothing is signed', async () => {
    // the earlier study: ground glass painted in the right lung (rows 200–259, columns 120–179 of slice 0), signed
    const sliceSize = 512 * 512
    const runs: number[] = []
    let at = 0
    for (let y = 200; y < 260; y++) {
      runs.push(0, y * 512 + 120 - at, 1, 60)
      at = y * 512 + 180
    }
    runs.push(0, sliceSize - at)
    await service.invoke('masks.save', { seriesId: ids[0], baseVersion: 1, slices: [{ k: 0, runs }, { k: 1, runs: [0, sliceSize] }] })
    const first = (await service.invoke('reports.get', { seriesId: ids[0] }))!
    const signed = await service.invoke('reports.sign', { reportId: first.id })
    // then every label erased: the amendment this drafts has 0 mL infected
    await service.invoke('masks.save', { seriesId: ids[0], baseVersion: 2, slices: [0, 1].map((k) => ({ k, runs: [0, sliceSize] })) })
    const amendment = (await service.invoke('reports.get', { seriesId: ids[0] }))!
    expect(amendment).toMatchObject({ signedAt: null, infectedVolumeMl: 0, amends: { reportId: signed.id } })
    expect(signed.infectedVolumeMl).toBeGreaterThan(0)

    const c = await service.invoke('comparison.compare', { seriesA: ids[1], seriesB: ids[0] })
    expect(c.before).toMatchObject({ seriesId: ids[0], reportId: signed.id, signedBy: 'Dr Lee', signedAt: signed.signedAt, maskVersion: 2 })
    expect(c.infectedVolumeMl.before).toBeCloseTo(signed.infectedVolumeMl, 9)
    // the later study has nothing signed: its draft, reported as unsigned
    const later = (await service.invoke('reports.get', { seriesId: ids[1] }))!
    expect(c.after).toMatchObject({ seriesId: ids[1], reportId: later.id, signedBy: null, signedAt: null })
    // the later report's follow-up section compares with the earlier study's signed report too
    const previous = await service.invoke('comparison.previous', { seriesId: ids[1] })
    expect(previous?.before.reportId).toBe(signed.id)
  }, 120_000)

  it('flags a lung volume that changed by more than 25 % (one of the two slices scanned)', async () => {
    const half = retagSeries(lungmaskSlices, join(dir.path, 'half'), { patientId: 'LM-0042', patientName: 'Lung^Mask', studyDate: '20200401' })
    rmSync(join(half, '1.dcm'))
    const halfId = (await service.invoke('studies.import', { paths: [half] })).created[0]
    expect((await analyseSeries(service, halfId)).status).toBe('finished')
    const c = await service.invoke('comparison.compare', { seriesA: ids[1], seriesB: halfId })
    const change = (c.lungVolumeMl.after - c.lungVolumeMl.before) / c.lungVolumeMl.before
    expect(change).toBeLessThan(-0.25)
    expect(c.lungVolumeWarning).toContain(`The lung volume fell by ${Math.round(-change * 100)} %`)
    // two scans of the same two slices: no warning
    expect((await service.invoke('comparison.compare', { seriesA: ids[0], seriesB: ids[1] })).lungVolumeWarning).toBeNull()
  }, 120_000)
})
