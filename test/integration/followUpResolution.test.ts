import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SeriesComparison } from '../../src/shared/followUp'
import { PulmoService } from '../../src/main/services'
import { analyseSeries } from '../helpers/analyse'
import { normal002, p002, tempDir } from '../helpers/paths'
import { retagSeries } from '../helpers/retag'

/**
 * Follow-up on the real COVID-CT-MD series with the bundled models: P002 (COVID pneumonia) and then
 * normal002 re-tagged as the same patient's later study must read as resolution, lobe by lobe where
 * P002 was involved; P002 re-imported as a later study must read stable everywhere.
 */
describe('follow-up that sees resolution, on real scans', () => {
  const dir = tempDir('pulmo-resolution-')
  let service: PulmoService
  let covid: number
  let clear: number
  let again: number

  beforeAll(async () => {
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
    await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
    const patient = { patientId: 'CTMD-P002', patientName: 'Covid^Patient' }
    const paths = [
      retagSeries(p002, join(dir.path, 'covid'), { ...patient, studyDate: '20200301' }),
      retagSeries(normal002, join(dir.path, 'clear'), { ...patient, studyDate: '20200329' }),
      retagSeries(p002, join(dir.path, 'again'), { ...patient, studyDate: '20200302' })
    ]
    const ids: number[] = []
    for (const path of paths) ids.push((await service.invoke('studies.import', { paths: [path] })).created[0])
    ;[covid, clear, again] = ids
    for (const id of ids) {
      const result = await analyseSeries(service, id)
      expect(result.status, result.message).toBe('finished')
    }
  }, 1_200_000)
  afterAll(async () => {
    await service?.shutdown()
    dir.remove()
  })

  it('P002 → normal002 as its later study reads resolved overall and in the lobes P002 had involved', async () => {
    const c: SeriesComparison = await service.invoke('comparison.compare', { seriesA: covid, seriesB: clear })
    console.info(c.summary.join('\n'))
    console.info(JSON.stringify({ ml: c.infectedMlByLung, trend: c.percentInfected.trend, ctss: c.ctss, lobar: c.lobar }))
    expect(c.trend).toBe('resolved')
    expect(c.summary[0]).toMatch(/^Lungs 3\.6 % → 0\.04 % infected \(143\.2 → 2\.0 mL\), resolved over 28 days; CT-SS \d+ → \d+ \(−\d+\) of 40, lobar score \d+ → \d+ \(−\d+\) of 25; resolved: /)
    expect(c.percentInfected.trend.left).toBe('resolved')
    const trendOf = (id: string) => c.lobes.find((l) => l.id === id)!.trend
    // measured (the bundled model with its flip test-time augmentation): LLL 118.7 → 0.9 mL (normal002's
    // own false positive there), LUL 19.0 → 0.0, RLL 5.5 → 1.1
    expect(['RLL', 'LUL', 'LLL'].map(trendOf)).toEqual(['resolved', 'resolved', 'resolved'])
    expect(['RUL', 'RML'].map(trendOf)).toEqual(['stable', 'stable'])
    expect(c.ctss.change).toBeLessThan(0)
    expect(c.lobar.change).toBeLessThan(0)
  })

  it('P002 imported again as a later study reads stable everywhere', async () => {
    const c = await service.invoke('comparison.compare', { seriesA: covid, seriesB: again })
    console.info(c.summary.join('\n'))
    expect(c.trend).toBe('stable')
    expect(c.percentInfected.trend).toEqual({ total: 'stable', left: 'stable', right: 'stable' })
    expect(c.lobes.map((l) => [l.id, l.trend, l.infectedVolumeMl.change])).toEqual(['RUL', 'RML', 'RLL', 'LUL', 'LLL'].map((id) => [id, 'stable', 0]))
    expect(c.regions.every((r) => r.trend === 'stable')).toBe(true)
    expect(c.infectedVolumeMl.change).toBe(0)
    expect(c.summary[0]).toContain('every lobe stable')
  })

  it('states the pattern of both studies on their reports: P002 typical, normal002 negative', async () => {
    const before = (await service.invoke('reports.get', { seriesId: covid }))!
    const after = (await service.invoke('reports.get', { seriesId: clear }))!
    expect([before.pattern.final?.rsna, before.pattern.final?.coRads]).toEqual(['typical', 5])
    expect([after.pattern.final?.rsna, after.pattern.final?.coRads]).toEqual(['negative', 1])
  })
})
