import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { initEngine } from '../../../src/main/ml/engine'
import { loadNetwork, type InfNetNetwork, type MultiClassNetwork } from '../../../src/main/ml/models/infnet'
import { readLabelledSlices } from '../../../src/main/training/labelledSlices'
import {
  classCounts,
  classDice,
  evaluateMultiClass,
  multiClassScores,
  trainMultiClass,
  type MultiClassTrainingEvent
} from '../../../src/main/training/multiClass'
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

describe('multi-class Dice, sensitivity and specificity', () => {
  it('scores a hand-made case by the documented rules', () => {
    // 2×4 slices. Slice A: ground-glass truth {0,1,2}, predicted {1,2,3}: tp 2, fp 1, fn 1 → Dice 4/6.
    // Consolidation truth {4}, predicted {4,5}: tp 1, fp 1 → Dice 2/3.
    const truthA = Uint8Array.from([1, 1, 1, 0, 2, 0, 0, 0])
    const predA = Uint8Array.from([0, 1, 1, 1, 2, 2, 0, 0])
    expect(classCounts(predA, truthA, 1)).toEqual({ tp: 2, fp: 1, fn: 1, tn: 4 })
    expect(classDice(classCounts(predA, truthA, 1))).toBeCloseTo(2 / 3, 12)
    // Slice B: no consolidation anywhere → Dice 1; ground-glass predicted but absent → Dice 0.
    const truthB = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0])
    const predB = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0])
    const s = multiClassScores([
      { predicted: predA, truth: truthA },
      { predicted: predB, truth: truthB }
    ])
    expect(s.slices).toBe(2)
    expect(s.diceGroundGlass).toBeCloseTo((2 / 3 + 0) / 2, 12)
    expect(s.diceConsolidation).toBeCloseTo((2 / 3 + 1) / 2, 12)
    expect(s.meanDice).toBeCloseTo((s.diceGroundGlass + s.diceConsolidation) / 2, 12)
    // Pooled over both slices: ground-glass tp 2, fn 1, fp 2, tn 11; consolidation tp 1, fn 0, fp 1, tn 14.
    expect(s.sensitivityGroundGlass).toBeCloseTo(2 / 3, 12)
    expect(s.specificityGroundGlass).toBeCloseTo(11 / 13, 12)
    expect(s.sensitivityConsolidation).toBe(1)
    expect(s.specificityConsolidation).toBeCloseTo(14 / 15, 12)
    expect(s).toMatchObject({ slicesWithGroundGlass: 1, slicesWithConsolidation: 1 })
  })
})

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
    for (const k of ['diceGroundGlass', 'diceConsolidation', 'meanDice', 'sensitivityGroundGlass', 'specificityConsolidation'] as const) {
      expect(v[k]).toBeGreaterThanOrEqual(0)
      expect(v[k]).toBeLessThanOrEqual(1)
    }
    expect(Number.isFinite(v.loss)).toBe(true)
    const card = JSON.parse(readFileSync(join(out.path, 'fit', 'card.json'), 'utf8'))
    expect(card).toMatchObject({ architecture: 'infnet-multiclass', inputSize: 32, training: { prior: priorModel, baseFilters: 4, trainingSlices: 3 } })
    expect(card.metrics.validationMeanDice).toBeCloseTo(v.meanDice, 12)

    // The exported evaluation gives the same figures from the saved network and the prior model.
    const network = loadNetwork(join(out.path, 'fit')) as MultiClassNetwork
    const slices = await readLabelledSlices(data.path)
    const prior = loadNetwork(priorModel) as InfNetNetwork
    const again = await evaluateMultiClass(network, prior, slices, { epoch: 8 })
    network.dispose()
    prior.dispose()
    expect(again.slices).toBe(4)
    expect(again.meanDice).toBeGreaterThanOrEqual(0)
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
