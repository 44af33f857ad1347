import * as tf from '@tensorflow/tfjs'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { engineInfo } from '../../ml/engine'
import { INPUT_MEAN, INPUT_STD } from '../../ml/inference/preprocess'
import { createNetwork, saveNetwork, type AnyNetwork } from '../../ml/models/infnet'
import { applyPendingUpdates, type ForwardContext } from '../../ml/nn/layers'
import { seededRandom } from '../../ml/nn/parameters'
import { encodePng } from '../../volume/png'
import { loadCheckpoint, saveCheckpoint, type TrainingState } from '../checkpoint'
import type { TrainingHooks } from '../progress'
import { CoachNetwork, COACH_CELL, cellsToPixels, hardTopKMask, randomMask, topKMask } from './coach'
import { readGreySlices, type GreyStack } from './greySlices'
import { erase, reconstructionLoss } from './reconstruction'

export const InpaintingConfig = z.object({
  /** Folders of slices to learn from (labels are not used): e.g. train/images and unlabeled/images. */
  images: z.array(z.string()).min(1),
  /** At most this many slices from each folder (in name order), 0 = all. */
  limitPerFolder: z.number().int().min(0).default(0),
  out: z.string(),
  architecture: z.enum(['infnet', 'infnet-multiclass']).default('infnet'),
  backbone: z.enum(['lite', 'res2net50']).default('lite'),
  inputSize: z.number().int().multipleOf(32).default(352),
  batchSize: z.number().int().positive().default(4),
  learningRate: z.number().positive().default(1e-3),
  coachLearningRate: z.number().positive().default(1e-3),
  /** Share of 16×16 cells kept; the rest is erased (the method: 0.75 kept). */
  keepFraction: z.number().gt(0).lt(1).default(0.75),
  /** Weight of the squared error on the kept region beside the erased one. */
  contextWeight: z.number().min(0).default(0.1),
  /** Use the coach after round 0; false trains on random masks throughout (the ablation). */
  coach: z.boolean().default(true),
  /** Rounds after round 0; each is `coachSteps` coach updates then `inpainterSteps` inpainter updates. */
  rounds: z.number().int().min(0).default(3),
  round0Steps: z.number().int().positive().default(100),
  coachSteps: z.number().int().min(0).default(20),
  inpainterSteps: z.number().int().positive().default(50),
  seed: z.number().int().default(2020),
  checkpointEvery: z.number().int().positive().default(25)
})
export type InpaintingConfig = z.infer<typeof InpaintingConfig>

/** One round's figures: the inpainter's error on a fixed probe batch under coach and random masks. */
export interface RoundSummary {
  round: number
  /**
   * Reconstruction loss (erased region) on the probe slices with this round's masks — the coach's
   * hard masks (random masks in round 0 or without a coach) — before and after the inpainter phase.
   */
  probeLossBefore: number
  probeLossCoach: number
  probeLossRandom: number
  /** The inpainter's mean training loss over the round's first and last fifth of steps. */
  trainLossStart: number
  trainLossEnd: number
  picture: string
}

export type InpaintingEvent =
  | { kind: 'pretrain-step'; round: number; rounds: number; phase: 'coach' | 'inpainter'; step: number; globalStep: number; totalSteps: number; loss: number; stepMs: number; etaSeconds: number; backend: string }
  | { kind: 'round'; summary: RoundSummary }
  | { kind: 'checkpoint'; globalStep: number; path: string }
  | { kind: 'log'; message: string }

interface InpaintingProgress {
  round: number
  phase: 'coach' | 'inpainter'
  stepInPhase: number
  roundLosses: number[]
  /** The probe loss with this round's masks when its inpainter phase began. */
  probeBefore?: number
  rounds: RoundSummary[]
}

const PROBE_SLICES = 4

/** The inpainter's linear reconstructions: Inf-Net's four supervised maps, or the U-Net's one channel. */
function reconstruct(network: AnyNetwork, x: tf.Tensor4D, training: boolean, pendingUpdates?: ForwardContext['pendingUpdates']): tf.Tensor4D[] {
  if (network.config.architecture === 'infnet') {
    const out = (network as Extract<AnyNetwork, { config: { architecture: 'infnet' } }>).forward(x, training, { pendingUpdates })
    return [out.s3, out.s4, out.s5, out.global]
  }
  const prior = tf.zerosLike(x)
  return [(network as Extract<AnyNetwork, { config: { architecture: 'infnet-multiclass' } }>).forward(tf.concat([x, prior], 3), training, { pendingUpdates })]
}

/** Mean reconstruction loss over the network's reconstruction maps. */
function inpaintingLoss(network: AnyNetwork, x: tf.Tensor4D, keep: tf.Tensor4D, contextWeight: number, training: boolean, pendingUpdates?: ForwardContext['pendingUpdates']): tf.Scalar {
  const maps = reconstruct(network, erase(x, keep), training, pendingUpdates)
  return tf.div(tf.addN(maps.map((m) => reconstructionLoss(m, x, keep, contextWeight))), maps.length) as tf.Scalar
}

/** Builds the network to pretrain: the segmentation network, its last layers as linear one-channel heads. */
export function inpainterNetwork(config: Pick<InpaintingConfig, 'architecture' | 'backbone' | 'inputSize' | 'seed'>): AnyNetwork {
  return config.architecture === 'infnet'
    ? createNetwork({ architecture: 'infnet', backbone: config.backbone, inputSize: config.inputSize, channels: 3, seed: config.seed })
    : createNetwork({ architecture: 'infnet-multiclass', inputSize: config.inputSize, channels: 2, classes: 1, baseFilters: 16, seed: config.seed })
}

/** A picture of the erasing masks: the probe slices side by side, erased cells dark and tinted. */
function maskPicture(x: tf.Tensor4D, keep: tf.Tensor4D): { png: Buffer; width: number; height: number } {
  const [n, size] = x.shape
  const grey = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, INPUT_STD * 255), INPUT_MEAN * 255), 0, 255).dataSync())
  const kept = keep.dataSync()
  const width = n * size + (n - 1) * 4
  const rgb = new Uint8Array(width * size * 3).fill(255)
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < size; y++) {
      for (let u = 0; u < size; u++) {
        const src = i * size * size + y * size + u
        const g = grey[src]
        const k = kept[src]
        const dst = (y * width + i * (size + 4) + u) * 3
        // erased cells: dimmed and tinted red, so a person sees where the coach cut
        rgb[dst] = Math.round(k * g + (1 - k) * (0.4 * g + 120))
        rgb[dst + 1] = Math.round(k * g + (1 - k) * 0.4 * g)
        rgb[dst + 2] = Math.round(k * g + (1 - k) * 0.4 * g)
      }
    }
  }
  return { png: encodePng(rgb, width, size, 3), width, height: size }
}

function batchOf(stack: GreyStack, indices: number[]): tf.Tensor4D {
  const area = stack.size * stack.size
  const data = new Float32Array(indices.length * area)
  indices.forEach((k, i) => data.set(stack.slices.subarray(k * area, (k + 1) * area), i * area))
  return tf.tensor4d(data, [indices.length, stack.size, stack.size, 1])
}

/**
 * Self-supervised inpainting with a coach. Round 0 trains the inpainter on random erasing masks;
 * each later round first trains the coach to maximise the inpainter's reconstruction error
 * (coach loss 1 − L_rec, soft masks α = 1, inpainter frozen), then trains the inpainter on the
 * coach's hard masks. After every round a picture of the coach's masks on fixed probe slices is
 * written to out/rounds/, with the probe losses under coach and random masks in rounds.json.
 * Checkpoints (both networks, both optimizers) every `checkpointEvery` steps; `resume` continues.
 * The pretrained network is saved to `out` (model.json, weights, card); transferBody() then
 * initialises segmentation training with everything but the output layers.
 */
export async function pretrainInpainting(
  input: z.input<typeof InpaintingConfig>,
  options: Omit<TrainingHooks, 'onEvent'> & { onEvent?: (e: InpaintingEvent) => void; resume?: boolean } = {}
): Promise<{ status: 'finished' | 'stopped'; globalStep: number; elapsedMs: number; rounds: RoundSummary[] }> {
  const emit = options.onEvent ?? (() => {})
  let config = InpaintingConfig.parse(input)
  const checkpoint = options.resume ? loadCheckpoint<{ config: InpaintingConfig; progress: InpaintingProgress }>(config.out) : undefined
  if (checkpoint) config = { ...checkpoint.state.config.config, out: config.out }

  const stack = await readGreySlices(config.images, config.inputSize, config.limitPerFolder)
  emit({ kind: 'log', message: `Pretraining on ${stack.count} slices at ${config.inputSize} px.` })
  const network = inpainterNetwork(config)
  const coach = new CoachNetwork(config.seed + 1)
  const inpainterOptimizer = tf.train.adam(config.learningRate)
  const coachOptimizer = tf.train.adam(config.coachLearningRate)
  const cells = config.inputSize / COACH_CELL
  const totalSteps = config.round0Steps + config.rounds * (config.coachSteps * (config.coach ? 1 : 0) + config.inpainterSteps)

  let progress: InpaintingProgress = { round: 0, phase: 'inpainter', stepInPhase: 0, roundLosses: [], rounds: [] }
  let state: TrainingState<{ config: InpaintingConfig; progress: InpaintingProgress }> = {
    config: { config, progress },
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    learningRate: config.learningRate,
    elapsedMs: 0,
    history: []
  }
  if (checkpoint) {
    const coachValues: Record<string, tf.Tensor> = {}
    const networkValues: Record<string, tf.Tensor> = {}
    for (const [name, t] of Object.entries(checkpoint.params)) {
      if (name.startsWith('coach::')) coachValues[name.slice(7)] = t
      else networkValues[name] = t
    }
    network.params.assign(networkValues)
    coach.params.assign(coachValues)
    await inpainterOptimizer.setWeights(checkpoint.optimizers?.inpainter ?? checkpoint.optimizer)
    if (checkpoint.optimizers?.coach?.length) await coachOptimizer.setWeights(checkpoint.optimizers.coach)
    tf.dispose(Object.values(checkpoint.params))
    state = checkpoint.state
    progress = state.config.progress
    emit({ kind: 'log', message: `Resuming at round ${progress.round}, ${progress.phase} step ${progress.stepInPhase}.` })
  }
  mkdirSync(join(config.out, 'rounds'), { recursive: true })

  const allVariables = (): Map<string, tf.Variable> => {
    const m = new Map(network.params.variables)
    for (const [name, v] of coach.params.variables) m.set('coach::' + name, v)
    return m
  }
  const startedAt = Date.now() - state.elapsedMs
  const save = async (): Promise<void> => {
    state.elapsedMs = Date.now() - startedAt
    state.config = { config, progress }
    await saveCheckpoint(config.out, allVariables(), { inpainter: inpainterOptimizer, coach: coachOptimizer }, state)
    emit({ kind: 'checkpoint', globalStep: state.globalStep, path: config.out })
  }

  // Fixed probe slices and fixed random masks: each round's picture and losses compare like with like.
  const probeIndices = Array.from({ length: Math.min(PROBE_SLICES, stack.count) }, (_, i) => Math.floor((i * stack.count) / Math.min(PROBE_SLICES, stack.count)))
  const probeX = batchOf(stack, probeIndices)
  const probeRandom = tf.tidy(() => cellsToPixels(randomMask(probeIndices.length, cells, cells, config.keepFraction, seededRandom(config.seed + 7)), config.inputSize))
  const probeLoss = (keep: tf.Tensor4D): number =>
    tf.tidy(() => inpaintingLoss(network, probeX, keep, 0, true).dataSync()[0])
  /**
   * The coach's mask at pixel resolution: soft (α = 1) for the coach's own update, else hard.
   * Both networks always normalise with batch statistics, as they train; a frozen network simply
   * gets no pendingUpdates. Early on, the batch-norm moving averages are far from the batch
   * statistics, and an eval-mode inpainter would give the coach a meaningless error to maximise.
   */
  const coachKeep = (x: tf.Tensor4D, soft: boolean, pending?: ForwardContext['pendingUpdates']): tf.Tensor4D => {
    const scores = coach.scores(x, true, pending)
    return cellsToPixels(soft ? topKMask(scores, config.keepFraction, 1) : hardTopKMask(scores, config.keepFraction), config.inputSize)
  }

  /** The probe loss with the masks the inpainter trains on this round. */
  const roundProbeLoss = (): number => {
    const keep = tf.tidy(() => (config.coach && progress.round > 0 ? coachKeep(probeX, false) : probeRandom.clone()))
    const loss = probeLoss(keep)
    keep.dispose()
    return loss
  }
  const trainable = network.params.trainable()
  const coachTrainable = coach.params.trainable()
  const backend = engineInfo()?.backend ?? tf.getBackend()
  let stepsThisSession = 0
  const sessionStart = Date.now()

  const runStep = (phase: 'coach' | 'inpainter', rand: () => number): number => {
    const indices = Array.from({ length: config.batchSize }, () => Math.floor(rand() * stack.count))
    const x = batchOf(stack, indices)
    const pendingUpdates: Array<{ variable: tf.Variable; value: tf.Tensor }> = []
    let loss: number
    if (phase === 'inpainter') {
      const useCoach = config.coach && progress.round > 0
      const keep = tf.tidy(() =>
        useCoach ? coachKeep(x, false) : cellsToPixels(randomMask(config.batchSize, cells, cells, config.keepFraction, rand), config.inputSize)
      )
      const { value, grads } = tf.variableGrads(() => inpaintingLoss(network, x, keep, config.contextWeight, true, pendingUpdates), trainable)
      inpainterOptimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
      applyPendingUpdates({ params: network.params, training: true, pendingUpdates })
      loss = value.dataSync()[0]
      tf.dispose([value, keep, ...Object.values(grads)])
    } else {
      // The coach maximises the frozen inpainter's error on the erased region: loss 1 − L_rec.
      const { value, grads } = tf.variableGrads(
        () => tf.sub(1, inpaintingLoss(network, x, coachKeep(x, true, pendingUpdates), 0, true)) as tf.Scalar,
        coachTrainable
      )
      coachOptimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
      coach.applyUpdates(pendingUpdates)
      loss = value.dataSync()[0]
      tf.dispose([value, ...Object.values(grads)])
    }
    x.dispose()
    return loss
  }

  try {
    while (progress.round <= config.rounds) {
      const phases: Array<['coach' | 'inpainter', number]> =
        progress.round === 0 ? [['inpainter', config.round0Steps]] : [...(config.coach && config.coachSteps > 0 ? [['coach', config.coachSteps] as ['coach', number]] : []), ['inpainter', config.inpainterSteps]]
      for (const [phase, steps] of phases) {
        if (phase === 'coach' && progress.phase === 'inpainter' && progress.stepInPhase > 0) continue // resumed past it
        progress.phase = phase
        if (phase === 'inpainter' && progress.stepInPhase === 0) progress.probeBefore = roundProbeLoss()
        for (; progress.stepInPhase < steps; ) {
          if (options.shouldStop?.()) {
            await save()
            return { status: 'stopped', globalStep: state.globalStep, elapsedMs: state.elapsedMs, rounds: progress.rounds }
          }
          const t0 = Date.now()
          // One generator per step: a resumed run draws the same batches and masks.
          const rand = seededRandom(config.seed * 7919 + state.globalStep)
          const loss = runStep(phase, rand)
          if (phase === 'inpainter') progress.roundLosses.push(loss)
          progress.stepInPhase++
          state.globalStep++
          stepsThisSession++
          const perStep = (Date.now() - sessionStart) / stepsThisSession
          emit({
            kind: 'pretrain-step',
            round: progress.round,
            rounds: config.rounds,
            phase,
            step: progress.stepInPhase,
            globalStep: state.globalStep,
            totalSteps,
            loss,
            stepMs: Date.now() - t0,
            etaSeconds: Math.round(((totalSteps - state.globalStep) * perStep) / 1000),
            backend
          })
          state.history.push({ step: state.globalStep, round: progress.round, [phase]: loss })
          if (state.history.length > 5000) state.history.splice(0, state.history.length - 5000)
          if (state.globalStep % config.checkpointEvery === 0) await save()
          await new Promise((resolve) => setImmediate(resolve))
        }
        progress.stepInPhase = 0
        if (phase === 'coach') progress.phase = 'inpainter'
      }
      // End of the round: the picture and the probe losses.
      const useCoach = config.coach && progress.round > 0
      const keep = tf.tidy(() => (useCoach ? coachKeep(probeX, false) : probeRandom.clone()))
      const picture = join(config.out, 'rounds', `round-${progress.round}.png`)
      writeFileSync(picture, maskPicture(probeX, keep).png)
      const fifth = Math.max(1, Math.floor(progress.roundLosses.length / 5))
      const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length)
      const summary: RoundSummary = {
        round: progress.round,
        probeLossBefore: progress.probeBefore ?? NaN,
        probeLossCoach: probeLoss(keep),
        probeLossRandom: probeLoss(probeRandom),
        trainLossStart: mean(progress.roundLosses.slice(0, fifth)),
        trainLossEnd: mean(progress.roundLosses.slice(-fifth)),
        picture
      }
      keep.dispose()
      progress.rounds.push(summary)
      emit({ kind: 'round', summary })
      writeFileSync(join(config.out, 'rounds.json'), JSON.stringify(progress.rounds, null, 1))
      progress.round++
      progress.phase = 'inpainter'
      progress.roundLosses = []
    }
    await save()
    await saveNetwork(config.out, network, {
      name: `inpainting-${config.architecture}${config.architecture === 'infnet' ? '-' + config.backbone : ''}`,
      version: new Date().toISOString().slice(0, 19).replace('T', ' '),
      training: {
        data: config.images.join(', '),
        epochs: 0,
        task: config.coach ? 'self-supervised inpainting with a coach' : 'self-supervised inpainting with random masks',
        slices: stack.count,
        inputSize: config.inputSize,
        keepFraction: config.keepFraction,
        rounds: config.rounds,
        round0Steps: config.round0Steps,
        coachSteps: config.coachSteps,
        inpainterSteps: config.inpainterSteps,
        seconds: Math.round(state.elapsedMs / 1000),
        backend
      },
      metrics: Object.fromEntries(progress.rounds.flatMap((r) => [[`round${r.round}ProbeLossCoach`, r.probeLossCoach], [`round${r.round}ProbeLossRandom`, r.probeLossRandom]]))
    })
    return { status: 'finished', globalStep: state.globalStep, elapsedMs: state.elapsedMs, rounds: progress.rounds }
  } finally {
    tf.dispose([probeX, probeRandom])
    network.dispose()
    coach.dispose()
    inpainterOptimizer.dispose()
    coachOptimizer.dispose()
  }
}
