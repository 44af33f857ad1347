import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { initEngine } from '../../../../src/main/ml/engine'
import { seededRandom } from '../../../../src/main/ml/nn/parameters'
import {
  CoachNetwork,
  cellsToPixels,
  erasedFraction,
  hardTopKMask,
  pretrainInpainting,
  randomMask,
  readGreySlices,
  reconstructionLoss,
  topKMask,
  type InpaintingEvent
} from '../../../../src/main/training/selfSupervised'
import { semisegTrain, tempDir } from '../../../helpers/paths'

describe('the coach and self-supervised inpainting', () => {
  const out = tempDir()
  beforeAll(async () => {
    await initEngine({ backend: 'wasm', log: () => {} })
  })
  afterAll(() => out.remove())

  it("erases the requested share of each real slice with the coach's masks (within 2 %)", async () => {
    const stack = await readGreySlices([join(semisegTrain, 'images')], 128, 6)
    const coach = new CoachNetwork(3)
    const x = tf.tensor4d(stack.slices, [stack.count, 128, 128, 1])
    for (const erase of [0.25, 0.4, 0.5]) {
      const keep = tf.tidy(() => cellsToPixels(hardTopKMask(coach.scores(x, false), 1 - erase), 128))
      for (const f of erasedFraction(keep)) expect(Math.abs(f - erase)).toBeLessThanOrEqual(0.02)
      // hard masks are 0/1 only
      const values = new Set(keep.dataSync())
      expect([...values].sort()).toEqual([0, 1])
      keep.dispose()
    }
    // The soft mask (α = 1, the coach's own update) sits on the same cut: σ(0) between kept and erased.
    const scores = coach.scores(x, false)
    const soft = topKMask(scores, 0.75, 1)
    const hard = hardTopKMask(scores, 0.75)
    const [s, h] = [soft.dataSync(), hard.dataSync()]
    for (let i = 0; i < s.length; i++) expect(s[i] > 0.5).toBe(h[i] === 1)
    tf.dispose([x, scores, soft, hard])
    coach.dispose()
  })

  it('random masks keep exactly k of the cells even when all scores tie', () => {
    const m = randomMask(3, 8, 8, 0.75, seededRandom(1))
    expect(erasedFraction(m)).toEqual([0.25, 0.25, 0.25])
    const tied = hardTopKMask(tf.zeros([2, 4, 4, 1]), 0.75)
    expect(erasedFraction(tied)).toEqual([0.25, 0.25])
    tf.dispose([m, tied])
  })

  it('measures the reconstruction error on the erased region, plus a weighted context term', () => {
    const target = tf.tensor4d([0, 0, 0, 0], [1, 2, 2, 1])
    const prediction = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1])
    const keep = tf.tensor4d([1, 1, 0, 0], [1, 2, 2, 1])
    // erased: (9 + 16) / 2 = 12.5; kept: (1 + 4) / 2 = 2.5
    expect(reconstructionLoss(prediction, target, keep, 0).dataSync()[0]).toBeCloseTo(12.5, 4)
    expect(reconstructionLoss(prediction, target, keep, 0.1).dataSync()[0]).toBeCloseTo(12.75, 4)
    tf.dispose([target, prediction, keep])
  })

  it('runs round 0 and one coach/inpainter round on tiny data; the inpainter’s reconstruction loss falls in every round', async () => {
    const events: InpaintingEvent[] = []
    const dir = join(out.path, 'pretrain')
    const result = await pretrainInpainting(
      {
        images: [join(semisegTrain, 'images')],
        limitPerFolder: 8,
        out: dir,
        inputSize: 64,
        batchSize: 2,
        rounds: 1,
        round0Steps: 10,
        coachSteps: 6,
        inpainterSteps: 8,
        learningRate: 2e-3,
        coachLearningRate: 1e-2,
        checkpointEvery: 10
      },
      { onEvent: (e) => events.push(e) }
    )
    expect(result.status).toBe('finished')
    expect(result.globalStep).toBe(10 + 6 + 8)
    expect(result.rounds).toHaveLength(2)
    for (const round of result.rounds) {
      // the inpainter's reconstruction loss on the fixed probe slices and masks falls over its phase
      expect(round.probeLossCoach).toBeLessThan(round.probeLossBefore)
      expect(existsSync(round.picture)).toBe(true)
      expect(readFileSync(round.picture).subarray(1, 4).toString()).toBe('PNG')
    }
    const coachSteps = events.filter((e) => e.kind === 'pretrain-step' && e.phase === 'coach')
    expect(coachSteps).toHaveLength(6)
    expect(existsSync(join(dir, 'model.json'))).toBe(true)
    expect(JSON.parse(readFileSync(join(dir, 'rounds.json'), 'utf8'))).toHaveLength(2)
  }, 300_000)

  it('stops with a checkpoint and resumes, coach and inpainter, to exactly the weights of an uninterrupted run', async () => {
    const config = (dir: string) => ({
      images: [join(semisegTrain, 'images')],
      limitPerFolder: 4,
      out: join(out.path, dir),
      inputSize: 32,
      batchSize: 2,
      rounds: 1,
      round0Steps: 3,
      coachSteps: 2,
      inpainterSteps: 3,
      checkpointEvery: 2
    })
    const whole = await pretrainInpainting(config('whole'))
    expect(whole.globalStep).toBe(8)
    let steps = 0
    // stop inside the coach phase of round 1 (after step 4), then resume from the checkpoint
    const first = await pretrainInpainting(config('split'), {
      onEvent: (e) => {
        if (e.kind === 'pretrain-step') steps = e.globalStep
      },
      shouldStop: () => steps >= 4
    })
    expect(first.status).toBe('stopped')
    expect(first.globalStep).toBe(4)
    const events: InpaintingEvent[] = []
    const second = await pretrainInpainting(config('split'), { resume: true, onEvent: (e) => events.push(e) })
    expect(second.status).toBe('finished')
    expect(events.find((e) => e.kind === 'log' && /Resuming at round 1, coach step 1/.test(e.message))).toBeDefined()
    expect(events.filter((e) => e.kind === 'pretrain-step')).toHaveLength(4)
    expect(readFileSync(join(out.path, 'split', 'weights.bin')).equals(readFileSync(join(out.path, 'whole', 'weights.bin')))).toBe(true)
  }, 300_000)
})
