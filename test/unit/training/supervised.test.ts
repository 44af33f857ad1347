import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { initEngine } from '../../../src/main/ml/engine'
import { foldSplit } from '../../../src/main/training/folds'
import { scaledSize, trainSupervised } from '../../../src/main/training/supervised'
import type { TrainingEvent } from '../../../src/main/training/progress'
import { tempDir } from '../../helpers/paths'
import { tinyTrainingSet } from '../../helpers/tinyData'

describe('supervised Inf-Net training', () => {
  const data = tinyTrainingSet(4)
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
    backbone: 'lite' as const,
    inputSize: 64,
    epochs: 2,
    batchSize: 2,
    scales: [1],
    learningRate: 1e-3,
    checkpointEvery: 1
  })

  it('splits folds so that every slice is validated exactly once', () => {
    const validated = [0, 1, 2, 3, 4].flatMap((f) => foldSplit(50, 5, f).validation)
    expect(validated.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(foldSplit(50, 5, 0).train).toHaveLength(40)
    expect(scaledSize(352, 0.75)).toBe(256)
    expect(scaledSize(352, 1.25)).toBe(448)
  })

  it('stops with a checkpoint and resumes to exactly the weights of an uninterrupted run', async () => {
    const straight: TrainingEvent[] = []
    const a = await trainSupervised(config('straight'), { onEvent: (e) => straight.push(e) })
    expect(a).toMatchObject({ status: 'finished', globalStep: 4 })
    const steps = straight.filter((e) => e.kind === 'step')
    expect(steps.map((e) => e.globalStep)).toEqual([1, 2, 3, 4])
    expect(steps[0]).toMatchObject({ epochs: 2, stepsPerEpoch: 2, totalSteps: 4, learningRate: 1e-3 })

    let seen = 0
    const stopped = await trainSupervised(config('resumed'), { shouldStop: () => seen >= 3, onEvent: (e) => e.kind === 'step' && seen++ })
    expect(stopped).toMatchObject({ status: 'stopped', globalStep: 3 })
    const resumedEvents: TrainingEvent[] = []
    const b = await trainSupervised(config('resumed'), { resume: true, onEvent: (e) => resumedEvents.push(e) })
    expect(b).toMatchObject({ status: 'finished', globalStep: 4 })
    expect(resumedEvents.filter((e) => e.kind === 'step').map((e) => e.globalStep)).toEqual([4])

    const weights = (dir: string) => readFileSync(join(out.path, dir, 'weights.bin'))
    expect(weights('resumed').equals(weights('straight'))).toBe(true)
  })

  it("keeps the card's input window and inference of the network it trains on from (a fine-tune reads CT as its base did)", async () => {
    const base = join(out.path, 'base')
    await trainSupervised({ ...config('base'), epochs: 1 })
    const card = (dir: string) => JSON.parse(readFileSync(join(out.path, dir, 'card.json'), 'utf8')) as Record<string, unknown>
    expect(card('base').inference).toBeUndefined()
    const inputWindow = { center: -350, width: 1400, note: 'the base model\'s' }
    const inference = { flip: true, note: 'flip test-time augmentation' }
    writeFileSync(join(base, 'card.json'), JSON.stringify({ ...card('base'), inputWindow, inference }))
    await trainSupervised({ ...config('fine-tuned'), epochs: 1, init: base })
    expect(card('fine-tuned')).toMatchObject({ inputWindow, inference })
  })
})
