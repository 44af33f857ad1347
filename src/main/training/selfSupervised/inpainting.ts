import * as tf from '@tensorflow/tfjs'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { engineInfo } from '../../ml/engine'
import { INPUT_MEAN, INPUT_STD } from '../../ml/inference/preprocess'
import { createNetwork, saveNetwork, type AnyNetwork } from '../../ml/models/infnet'
import type { ForwardContext } from '../../ml/nn/layers'
import { seededRandom } from '../../ml/nn/parameters'
import { encodePng } from '../../volume/png'
import { loadCheckpoint } from '../checkpoint'
import { runEpochLoop } from '../epochLoop'
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

/** What a run keeps beside the loop's state: the round's losses and the finished rounds. */
interface InpaintingProgress {
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
  const cells = config.inputSize / COACH_CELL
  // The schedule as the loop's epochs: round 0's inpainter phase, then per round the coach's and the inpainter's.
  const phases: Array<{ round: number; phase: 'coach' | 'inpainter'; steps: number }> = [{ round: 0, phase: 'inpainter', steps: config.round0Steps }]
  for (let round = 1; round <= config.rounds; round++) {
    if (config.coach && config.coachSteps > 0) phases.push({ round, phase: 'coach', steps: config.coachSteps })
    phases.push({ round, phase: 'inpainter', steps: config.inpainterSteps })
  }
  // The checkpoint's progress object is the one the loop saves again, so it is updated in place.
  const progress: InpaintingProgress = checkpoint?.state.config.progress ?? { roundLosses: [], rounds: [] }
  mkdirSync(join(config.out, 'rounds'), { recursive: true })

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
  /** The probe masks of a round: the coach's hard masks after round 0 (with a coach), else the fixed random ones. */
  const probeKeep = (round: number): tf.Tensor4D => tf.tidy(() => (config.coach && round > 0 ? coachKeep(probeX, false) : probeRandom.clone()))
  const backend = engineInfo()?.backend ?? tf.getBackend()

  /** The end of a round: the picture and the probe losses. */
  const finishRound = (round: number): void => {
    const keep = probeKeep(round)
    const picture = join(config.out, 'rounds', `round-${round}.png`)
    writeFileSync(picture, maskPicture(probeX, keep).png)
    const fifth = Math.max(1, Math.floor(progress.roundLosses.length / 5))
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length)
    const summary: RoundSummary = {
      round,
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
    progress.roundLosses = []
  }

  try {
    const { status, state } = await runEpochLoop<{ config: InpaintingConfig; progress: InpaintingProgress }, never, InpaintingEvent>({
      config: { config, progress },
      schedule: { epochs: phases.length, learningRate: config.learningRate, decayEpoch: 1, decayRate: 1, seed: config.seed, checkpointEvery: config.checkpointEvery },
      out: config.out,
      params: network.params,
      key: 'inpainter',
      companions: [{ key: 'coach', params: coach.params, learningRate: config.coachLearningRate }],
      train: [],
      stepsPerEpoch: (epoch) => phases[epoch].steps,
      checkpoint,
      emit,
      shouldStop: options.shouldStop,
      onEpochStart: (epoch, stepInEpoch) => {
        // The probe loss with the masks the inpainter trains on this round, as its phase begins.
        if (phases[epoch].phase === 'inpainter' && stepInEpoch === 0) {
          const keep = probeKeep(phases[epoch].round)
          progress.probeBefore = probeLoss(keep)
          keep.dispose()
        }
      },
      onEpochEnd: (epoch) => {
        if (phases[epoch].phase === 'inpainter') finishRound(phases[epoch].round)
      },
      step: ({ epoch, globalStep }, optimize) => {
        const { round, phase } = phases[epoch]
        // One generator per step: a resumed run draws the same batches and masks.
        const rand = seededRandom(config.seed * 7919 + globalStep)
        const x = batchOf(stack, Array.from({ length: config.batchSize }, () => Math.floor(rand() * stack.count)))
        let loss: number
        if (phase === 'inpainter') {
          const keep = tf.tidy(() =>
            config.coach && round > 0 ? coachKeep(x, false) : cellsToPixels(randomMask(config.batchSize, cells, cells, config.keepFraction, rand), config.inputSize)
          )
          loss = optimize((pendingUpdates) => inpaintingLoss(network, x, keep, config.contextWeight, true, pendingUpdates)).total
          keep.dispose()
          progress.roundLosses.push(loss)
        } else {
          // The coach maximises the frozen inpainter's error on the erased region: loss 1 − L_rec.
          loss = optimize((pendingUpdates) => tf.sub(1, inpaintingLoss(network, x, coachKeep(x, true, pendingUpdates), 0, true)) as tf.Scalar, 'coach').total
        }
        x.dispose()
        return { losses: { total: loss }, inputSize: config.inputSize }
      },
      describe: {
        step: (info) => {
          const { round, phase } = phases[info.epoch - 1]
          const loss = info.losses.total
          return {
            event: { kind: 'pretrain-step', round, rounds: config.rounds, phase, step: info.stepInEpoch, globalStep: info.globalStep, totalSteps: info.totalSteps, loss, stepMs: info.stepMs, etaSeconds: info.etaSeconds, backend },
            history: { step: info.globalStep, round, [phase]: loss }
          }
        },
        resume: (s) => {
          const at = phases[Math.min(s.epoch, phases.length - 1)]
          return `Resuming at round ${at.round}, ${at.phase} step ${s.stepInEpoch}.`
        }
      }
    })
    if (status === 'stopped') return { status: 'stopped', globalStep: state.globalStep, elapsedMs: state.elapsedMs, rounds: progress.rounds }
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
  }
}
