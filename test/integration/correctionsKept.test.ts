import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrainingRun } from '../../src/shared/api'
import { correctedTrainingSlices } from '../../src/shared/correctedSlices'
import { PulmoService } from '../../src/main/services'
import { analyseSeries } from '../helpers/analyse'
import { tempDir } from '../helpers/paths'
import { tinyServiceWithLungmaskSeries } from '../helpers/tinyService'

/** Starts a one-epoch run on the series' corrected slices only and waits for it to end. */
async function retrain(service: PulmoService, seriesId: number): Promise<TrainingRun> {
  let off: () => void = () => {}
  const ended = new Promise<void>((resolve) => {
    off = service.onEvent((e) => {
      if (e.type === 'task-ended' && e.kind === 'training') resolve()
    })
  })
  const run = await service.invoke('training.start', { seriesIds: [seriesId], includeBundled: false, epochs: 1, inputSize: 64 })
  await ended
  off()
  return run
}

/** Ground glass on rows 200–259, columns 120–179 of one 512 × 512 slice (value/count runs). */
function block(): number[] {
  const runs: number[] = []
  let at = 0
  for (let y = 200; y < 260; y++) {
    runs.push(0, y * 512 + 120 - at, 1, 60)
    at = y * 512 + 180
  }
  runs.push(0, 512 * 512 - at)
  return runs
}

/**
 * The reading chain on the two real lungmask slices with a tiny untrained model: correct → sign →
 * Analyze → amendment → retraining data. Analyze must not drop the radiologist's mask.
 */
describe('Analyze after a correction keeps the correction', () => {
  const dir = tempDir('pulmo-corrections-')
  let service: PulmoService
  let seriesId: number

  beforeAll(async () => {
    ;({ service, seriesId } = await tinyServiceWithLungmaskSeries(dir.path, 'Dr Lee'))
  }, 120_000)
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('correct → sign → Analyze scores the amendment from the correction; its slices stay training data', async () => {
    expect((await analyseSeries(service, seriesId)).status).toBe('finished')
    const corrected = await service.invoke('masks.save', { seriesId, baseVersion: 1, slices: [{ k: 0, runs: block() }] })
    expect(corrected).toMatchObject({ version: 2, source: 'annotator', trainingSlices: [0] })
    const draft = (await service.invoke('reports.get', { seriesId }))!
    expect(draft.maskVersion).toBe(2)
    const signed = await service.invoke('reports.sign', { reportId: draft.id })
    expect(signed.infectedVolumeMl).toBeGreaterThan(0)

    // Analyze with nothing said: the model's new segmentation is v3, the correction follows as v4
    const ended = await analyseSeries(service, seriesId)
    expect(ended.status, ended.message).toBe('finished')
    expect(ended.message).toContain('Scored from your corrected mask (v4, a copy of v2); the model')
    const versions = await service.invoke('masks.list', { seriesId })
    expect(versions.map((v) => [v.version, v.source, v.revertedTo, v.trainingSlices])).toEqual([
      [1, 'model', null, []],
      [2, 'annotator', null, [0]],
      [3, 'model', null, []],
      [4, 'annotator', 2, [0]]
    ])
    const v2 = await service.invoke('masks.voxels', { seriesId, version: 2 })
    expect(Buffer.from(await service.invoke('masks.voxels', { seriesId })).equals(Buffer.from(v2))).toBe(true)
    const amendment = (await service.invoke('reports.get', { seriesId }))!
    expect(amendment).toMatchObject({ maskVersion: 4, mask: { source: 'annotator', author: 'Dr Lee', revertedTo: 2 }, signedAt: null })
    expect(amendment.amends?.reportId).toBe(signed.id)
    // the same labels in the same lungs: the amendment's figures are the signed report's
    expect(amendment.infectedVolumeMl).toBeCloseTo(signed.infectedVolumeMl, 9)
    expect(amendment.ctss.final).toBe(signed.ctss.final)
    expect(correctedTrainingSlices(versions)).toEqual([{ version: 4, slices: [0] }])
    expect((await retrain(service, seriesId)).slices).toBe(1)
  }, 300_000)

  it('Analyze choosing the model as the base: the report follows the model, the corrected slice stays training data', async () => {
    const ended = await analyseSeries(service, seriesId, 'model')
    expect(ended.status, ended.message).toBe('finished')
    expect(ended.message).not.toContain('corrected mask')
    const current = (await service.invoke('reports.get', { seriesId }))!
    expect(current).toMatchObject({ maskVersion: 5, mask: { source: 'model' } })
    // a later correction of another slice on top of the model's version adds to the training data
    await service.invoke('masks.save', { seriesId, baseVersion: 5, slices: [{ k: 1, runs: block() }] })
    const versions = await service.invoke('masks.list', { seriesId })
    expect(versions.at(-1)?.trainingSlices).toEqual([1])
    expect(correctedTrainingSlices(versions)).toEqual([
      { version: 4, slices: [0] },
      { version: 6, slices: [1] }
    ])
    expect((await retrain(service, seriesId)).slices).toBe(2)
  }, 300_000)
})
