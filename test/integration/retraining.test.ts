import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { ApiEvent, TrainingRun } from '../../src/shared/api'
import { PulmoService } from '../../src/main/services'
import { lungmaskSlices, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'

function until<T extends ApiEvent>(service: PulmoService, match: (e: ApiEvent) => e is T): Promise<T> {
  return new Promise((resolve) => {
    const off = service.onEvent((e) => {
      if (match(e)) {
        off()
        resolve(e)
      }
    })
  })
}

describe('retraining on corrected slices', () => {
  const dir = tempDir()
  let service: PulmoService
  let seriesId: number

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket', modelDir })
    service.settings.set({ backend: 'wasm', userName: 'annotator.kim' })
    seriesId = (await service.invoke('studies.import', { paths: [lungmaskSlices] })).created[0]
    const sliceSize = 512 * 512
    // a corrected slice: a block of ground-glass in the right lung of slice 0 (rows 200–259, columns 120–179)
    const runs: number[] = []
    let at = 0
    for (let y = 200; y < 260; y++) {
      runs.push(0, y * 512 + 120 - at, 1, 60)
      at = y * 512 + 180
    }
    runs.push(0, sliceSize - at)
    await service.invoke('masks.save', { seriesId, baseVersion: 0, slices: [{ k: 0, runs }] })
  })
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('trains from the base model with live progress, pauses, resumes, registers the new model and can activate it', async () => {
    const steps: number[] = []
    service.onEvent((e) => e.type === 'training-progress' && steps.push(e.globalStep))
    const run: TrainingRun = await service.invoke('training.start', { seriesIds: [seriesId], includeBundled: false, epochs: 6, inputSize: 64 })
    expect(run).toMatchObject({ status: 'running', slices: 1, epochs: 6, baseModel: 'infnet-tiny test' })

    const first = await until(service, (e): e is Extract<ApiEvent, { type: 'training-progress' }> => e.type === 'training-progress')
    expect(first).toMatchObject({ runId: run.id, totalSteps: 18, backend: 'wasm' })
    expect(Object.keys(first.step.losses)).toEqual(expect.arrayContaining(['total', 'global', 's5', 's4', 's3', 'edge']))
    const paused = until(service, (e): e is Extract<ApiEvent, { type: 'task-ended' }> => e.type === 'task-ended')
    await service.invoke('training.pause', { runId: run.id })
    await paused
    const afterPause = (await service.invoke('training.list', {}))[0]
    expect(afterPause.status).toBe('paused')
    expect(afterPause.globalStep).toBeGreaterThanOrEqual(1)

    const ended = until(service, (e): e is Extract<ApiEvent, { type: 'task-ended' }> => e.type === 'task-ended')
    await service.invoke('training.resume', { runId: run.id })
    expect(await ended).toMatchObject({ kind: 'training', status: 'finished' })
    const done = (await service.invoke('training.list', {}))[0]
    expect(done).toMatchObject({ status: 'finished', globalStep: 18, totalSteps: 18 })
    expect(done.history.length).toBeGreaterThanOrEqual(18)
    expect(steps.at(-1)).toBe(18)

    const models = await service.invoke('models.list', {})
    const retrained = models.find((m) => m.id === done.modelId)!
    expect(retrained.name).toBe('infnet-lite')
    expect(retrained.active).toBe(false)
    const after = await service.invoke('models.activate', { modelId: retrained.id })
    expect(after.filter((m) => m.active).map((m) => m.id)).toEqual([retrained.id])
  })
})
