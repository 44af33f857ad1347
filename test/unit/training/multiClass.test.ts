import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { initEngine } from '../../../src/main/ml/engine'
import { loadNetwork, type InfNetNetwork, type MultiClassNetwork } from '../../../src/main/ml/models/infnet'
import { readLabelledSlices } from '../../../src/main/training/labelledSlices'
import { runSplit } from '../../../src/main/training/folds'
import { evaluateMultiClass, trainMultiClass, type MultiClassTrainingEvent } from '../../../src/main/training/multiClass'
import { projectRoot, semisegTrain, tempDir } from '../../helpers/paths'

const priorModel = join(projectRoot, 'resources/models/infnet-lite')

/** The first `n` COVID-SemiSeg slices with all four label folders, in a temp dir. */
function tinyMultiClassSet(n: number): { path: string; remove(): void } {
  const dir = tempDir('pulmo-tiny-multiclass-')
  const names = readdirSync(join(semisegTrain, 'images'))
    .filter((f) => f.endsWith('.jpg'))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .slice(0, n)
    .map((f) => f.replace(/\.jpg$/, ''))
  for (const sub of ['images', 'masks', 'edges', 'masks-multiclass']) mkdirSync(join(dir.path, sub))
  for (const name of names) {
    copyFileSync(join(semisegTrain, 'images', name + '.jpg'), join(dir.path, 'images', name + '.jpg'))
    for (const sub of ['masks', 'edges', 'masks-multiclass']) copyFileSync(join(semisegTrain, sub, name + '.png'), join(dir.path, sub, name + '.png'))
  }
  return dir
}

describe('multi-class Inf-Net training', () => {
  const data = tinyMultiClassSet(4)
  const out = tempDir()
  beforeAll(async () => {
    await initEngine({ backend: 'wasm', log: () => {} })
  })
  afterAll(() => {
    data.remove()
    out.remove()
  })

  const config = (dir: string) => ({
    data: data.path,
    out: join(out.path, dir),
    prior: priorModel,
    inputSize: 32,
    baseFilters: 4,
    epochs: 2,
    batchSize: 2,
    learningRate: 1e-2,
    checkpointEvery: 1,
    augment: { cutout: 0.2 }
  })

  it('lowers the loss on a batch it keeps seeing, and validates a held-out fold', async () => {
    const events: MultiClassTrainingEvent[] = []
    const result = await trainMultiClass(
      { ...config('fit'), batchSize: 3, epochs: 8, folds: 4, fold: 0, augment: undefined },
      { onEvent: (e) => events.push(e) }
    )
    expect(result).toMatchObject({ status: 'finished', globalStep: 8 })
    const losses = events.flatMap((e) => (e.kind === 'step' ? [e.losses.total] : []))
    expect(losses).toHaveLength(8)
    expect(Math.min(...losses.slice(-2))).toBeLessThan(losses[0])
    const v = result.validation!
    expect(v).toMatchObject({ kind: 'validation', epoch: 8, slices: 1 })
    expect(v.meanDice).toBeCloseTo((v.diceGroundGlass + v.diceConsolidation) / 2, 12)
    expect(Number.isFinite(v.loss)).toBe(true)
    const card = JSON.parse(readFileSync(join(out.path, 'fit', 'card.json'), 'utf8'))
    expect(card).toMatchObject({ architecture: 'infnet-multiclass', inputSize: 32, training: { prior: priorModel, baseFilters: 4, trainingSlices: 3 } })
    expect(card.metrics.validationMeanDice).toBeCloseTo(v.meanDice, 12)

    // The exported evaluation gives the same figures from the saved network and the prior model.
    const network = loadNetwork(join(out.path, 'fit')) as MultiClassNetwork
    const slices = await readLabelledSlices(data.path)
    const prior = loadNetwork(priorModel) as InfNetNetwork
    // the held-out fold evaluated again gives the run's validation figures: it validated that slice, with that network
    const { validation: heldOut } = runSplit(slices.length, { folds: 4, fold: 0, seed: card.training.seed })
    const held = await evaluateMultiClass(network, prior, heldOut.map((i) => slices[i]), { epoch: 8 })
    const again = await evaluateMultiClass(network, prior, slices, { epoch: 8 })
    network.dispose()
    prior.dispose()
    for (const k of ['diceGroundGlass', 'diceConsolidation', 'meanDice', 'sensitivityGroundGlass', 'specificityConsolidation'] as const)
      expect(held[k], k).toBeCloseTo(v[k], 5)
    expect(again.slices).toBe(4)
    expect(again.meanDice).toBeCloseTo((again.diceGroundGlass + again.diceConsolidation) / 2, 12)
  })

  it('stops with a checkpoint and resumes to exactly the weights of an uninterrupted run', async () => {
    const straight: MultiClassTrainingEvent[] = []
    const a = await trainMultiClass(config('straight'), { onEvent: (e) => straight.push(e) })
    expect(a).toMatchObject({ status: 'finished', globalStep: 4 })
    expect(straight.filter((e) => e.kind === 'step').map((e) => e.globalStep)).toEqual([1, 2, 3, 4])

    let seen = 0
    const stopped = await trainMultiClass(config('resumed'), { shouldStop: () => seen >= 3, onEvent: (e) => e.kind === 'step' && seen++ })
    expect(stopped).toMatchObject({ status: 'stopped', globalStep: 3 })
    const resumed: MultiClassTrainingEvent[] = []
    const b = await trainMultiClass(config('resumed'), { resume: true, onEvent: (e) => resumed.push(e) })
    expect(b).toMatchObject({ status: 'finished', globalStep: 4 })
    expect(resumed.filter((e) => e.kind === 'step').map((e) => e.globalStep)).toEqual([4])

    const weights = (dir: string) => readFileSync(join(out.path, dir, 'weights.bin'))
    expect(weights('resumed').equals(weights('straight'))).toBe(true)
  })
})
