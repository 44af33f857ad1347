import { cpSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PulmoService } from '../../src/main/services'
import { semisegTrain, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'

/**
 * A fresh data folder: the retraining form's defaults (bundled slices on exactly when installed,
 * no corrected series yet) start a run, and the data folder is where a user adds the slices.
 */
describe('retraining from a fresh data folder with the form’s defaults', () => {
  const dir = tempDir('pulmo-training-defaults-')
  const dataDir = join(dir.path, 'data')
  let service: PulmoService

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    // the backend setting left at its default, 'auto'
    service = new PulmoService({ dataDir, transport: 'websocket', modelDir })
  }, 60_000)
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('says how many bundled slices are installed and where to add them', async () => {
    const info = await service.invoke('system.info', {})
    // beside this development checkout, the project's shared COVID-SemiSeg split is found
    expect(info.bundledTraining).toEqual({ slices: readdirSync(join(semisegTrain, 'images')).length, addTo: join(dataDir, 'training-slices') })
    expect(info.bundledTraining.slices).toBe(50)
  })

  it('slices copied into the data folder are the ones used, and a run starts from the defaults', async () => {
    const added = join(dataDir, 'training-slices')
    const names = readdirSync(join(semisegTrain, 'images')).slice(0, 3)
    for (const sub of ['images', 'masks', 'edges']) {
      mkdirSync(join(added, sub), { recursive: true })
      for (const name of names) {
        const file = sub === 'images' ? name : name.replace(/\.jpg$/, '.png')
        cpSync(join(semisegTrain, sub, file), join(added, sub, file))
      }
    }
    const info = await service.invoke('system.info', {})
    expect(info.bundledTraining.slices).toBe(3)
    const live: string[] = []
    const ended = new Promise<string>((resolve) => {
      const off = service.onEvent((e) => {
        if (e.type === 'training-progress') live.push(e.backend)
        if (e.type === 'task-ended' && e.kind === 'training') {
          off()
          resolve(e.status)
        }
      })
    })
    // the form's defaults: no corrected series, bundled slices included because they are installed, 5 epochs
    const run = await service.invoke('training.start', { seriesIds: [], includeBundled: info.bundledTraining.slices > 0, epochs: 5, inputSize: 64 })
    expect(run).toMatchObject({ status: 'running', slices: 3, epochs: 5 })
    expect(await ended).toBe('finished')
    // the runs table names the backend the run computed with, as the live monitor did, not the setting
    const [finished] = await service.invoke('training.list', {})
    expect(live.length).toBeGreaterThan(0)
    expect(new Set(live).size).toBe(1)
    expect(finished.backend).toBe(live[0])
    expect(finished.backend).not.toBe('auto')
  }, 300_000)
})
