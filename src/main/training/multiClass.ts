import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { AugmentConfig } from '../ml/augment'
import { labelSlices, segmentSlices, isInfNet, type ProbabilityMap } from '../ml/inference/segmentSlices'
import { multiClassLoss } from '../ml/losses/multiClassLoss'
import { multiClassScores, type MultiClassScores } from '../ml/metrics/multiClass'
import {
  createNetwork,
  defaultMultiClassConfig,
  loadNetwork,
  multiClassInput,
  readModelCard,
  saveNetwork,
  type InfNetNetwork,
  type MultiClassNetwork
} from '../ml/models/infnet'
import { seededRandom } from '../ml/nn/parameters'
import { disposeBatch, labelledBatch } from './batches'
import { epochTrainingFields, openRun, runEpochLoop } from './epochLoop'
import { runSplit } from './folds'
import { readLabelledSlices, type LabelledSlice } from './labelledSlices'
import type { TrainingEvent, ValidationReport } from './progress'

export const MultiClassTrainingConfig = z.object({
  data: z.string(),
  out: z.string(),
  /** The single-class Inf-Net model folder whose σ(S_3) is the U-Net's second input. */
  prior: z.string(),
  inputSize: z.number().int().multipleOf(16).default(352),
  ...epochTrainingFields,
  /** Start from these weights (a saved multi-class network folder) instead of random ones. */
  init: z.string().optional(),
  /** Training augmentation; none when absent. */
  augment: AugmentConfig.optional(),
  /** Width of the U-Net's first level (the reference: 64). */
  baseFilters: z.number().int().positive().default(16),
  /** Weight of the soft Dice term beside the cross-entropy (see multiClassLoss). */
  diceWeight: z.number().min(0).default(1)
})
export type MultiClassTrainingConfig = z.infer<typeof MultiClassTrainingConfig>

/**
 * Validation of multi-class Inf-Net on held-out slices: the per-class figures (see
 * MultiClassScores) and the training loss (cross-entropy + Dice term) at the training size, mean
 * over slices.
 */
export interface MultiClassValidationReport extends MultiClassScores {
  kind: 'validation'
  epoch: number
  loss: number
}

/** A training run's events: those of single-class training, with the multi-class validation. */
export type MultiClassTrainingEvent = Exclude<TrainingEvent, ValidationReport> | MultiClassValidationReport

export interface MultiClassTrainingHooks {
  onEvent?(event: MultiClassTrainingEvent): void
  /** Polled between steps; when true the run checkpoints and stops. */
  shouldStop?(): boolean
}

export interface MultiClassResult {
  status: 'finished' | 'stopped'
  globalStep: number
  elapsedMs: number
  validation?: MultiClassValidationReport
}

/** Loads a single-class Inf-Net to serve as the prior, with a clear error for anything else. */
export function loadPriorNetwork(dir: string): InfNetNetwork {
  if (!existsSync(resolve(dir, 'model.json'))) throw new Error(`No prior model in ${dir} (model.json missing)`)
  const network = loadNetwork(dir)
  if (!isInfNet(network)) {
    network.dispose()
    throw new Error(`${dir} holds a ${network.config.architecture} network; the prior must be single-class Inf-Net`)
  }
  return network
}

/** The prior of every slice: single-class Inf-Net's σ(S_3) at the slice's own size. */
export async function priorMaps(prior: InfNetNetwork, slices: LabelledSlice[]): Promise<ProbabilityMap[]> {
  return segmentSlices(
    prior,
    slices.map((s) => ({ data: s.image, width: s.width, height: s.height }))
  )
}

/** One-hot targets [N, H, W, 3] of a batch's class labels. */
function oneHotClasses(classes: tf.Tensor3D, k: number): tf.Tensor4D {
  return tf.oneHot(classes, k).toFloat() as tf.Tensor4D
}

/**
 * Validates a multi-class network on labelled slices (see MultiClassValidationReport). `prior` is
 * the single-class network, or its maps for `slices` already computed (σ(S_3) at each slice's size).
 */
export async function evaluateMultiClass(
  network: MultiClassNetwork,
  prior: InfNetNetwork | ProbabilityMap[],
  slices: LabelledSlice[],
  options: { epoch?: number; diceWeight?: number } = {}
): Promise<MultiClassValidationReport> {
  if (slices.length === 0) throw new Error('no slices to validate')
  const missing = slices.find((s) => !s.classes)
  if (missing) throw new Error(`${missing.name} has no multi-class mask (masks-multiclass/)`)
  const maps = Array.isArray(prior) ? prior : await priorMaps(prior, slices)
  if (maps.length !== slices.length) throw new Error(`${maps.length} prior maps for ${slices.length} slices`)
  const k = network.config.classes
  let lossSum = 0
  for (const [i, s] of slices.entries()) {
    const batch = labelledBatch([s], network.config.inputSize, { classes: true, prior: [maps[i].data], normalisation: network.config.inputNormalisation })
    lossSum += tf.tidy(() => {
      const logits = network.forward(multiClassInput(batch.x, batch.prior!), false)
      return multiClassLoss(logits, oneHotClasses(batch.classes!, k), { diceWeight: options.diceWeight }).total.dataSync()[0]
    })
    disposeBatch(batch)
  }
  const labels = await labelSlices(
    network,
    slices.map((s) => ({ data: s.image, width: s.width, height: s.height })),
    maps
  )
  const scores = multiClassScores(labels.map((predicted, i) => ({ predicted, truth: slices[i].classes! })))
  return { kind: 'validation', epoch: options.epoch ?? 0, loss: lossSum / slices.length, ...scores }
}

/**
 * Multi-class Inf-Net training: the U-Net learns background / ground-glass / consolidation from
 * the slice and single-class Inf-Net's infection probability (computed once, before training,
 * by the `prior` model at each slice's own size, then augmented with the slice). Adam,
 * element-wise gradient clipping, step decay; checkpoints every `checkpointEvery` steps and on
 * stop; `resume` continues from the checkpoint in `out` to the weights an uninterrupted run
 * reaches (the epoch's order and each step's augmentation depend only on the seed and the step).
 * The trained network is saved to `out` with its card; with folds, the held-out fold is validated.
 */
export async function trainMultiClass(
  input: z.input<typeof MultiClassTrainingConfig>,
  options: MultiClassTrainingHooks & { resume?: boolean } = {}
): Promise<MultiClassResult> {
  const given = MultiClassTrainingConfig.parse(input)
  const run = openRun(given, options, (saved) => ({ ...saved, out: given.out, data: given.data, prior: given.prior }))
  const { config, emit } = run

  const all = await readLabelledSlices(config.data)
  const unlabelled = all.filter((s) => !s.classes)
  if (unlabelled.length > 0) {
    throw new Error(`${config.data}: ${unlabelled.length} slice(s) without a multi-class mask in masks-multiclass/, e.g. ${unlabelled[0].name}`)
  }
  const split = runSplit(all.length, config)
  const priorNetwork = loadPriorNetwork(config.prior)
  const priorCard = readModelCard(config.prior)
  emit({ kind: 'log', message: `Computing the infection prior of ${all.length} slices with ${config.prior}…` })
  // the U-Net sees the slice in the representation its prior was trained on
  const inputNormalisation = priorNetwork.config.inputNormalisation
  let maps: ProbabilityMap[]
  try {
    maps = await priorMaps(priorNetwork, all)
  } finally {
    priorNetwork.dispose()
  }
  const train = split.train.map((i) => ({ slice: all[i], prior: maps[i].data }))
  const validation = split.validation.map((i) => all[i])

  const network = createNetwork(
    defaultMultiClassConfig({
      inputSize: config.inputSize,
      baseFilters: config.baseFilters,
      seed: config.seed,
      ...(inputNormalisation === 'equalised' ? { inputNormalisation } : {})
    })
  )
  if (config.init && !run.checkpoint) {
    const init = loadNetwork(config.init)
    try {
      if (init.config.architecture !== 'infnet-multiclass' || init.config.baseFilters !== config.baseFilters) {
        throw new Error(`${config.init} is not a multi-class Inf-Net with baseFilters ${config.baseFilters}`)
      }
      network.params.assign(Object.fromEntries(init.params.variables))
    } finally {
      init.dispose()
    }
  }
  const { status, state, backend } = await runEpochLoop({
    ...run,
    params: network.params,
    train,
    stepsPerEpoch: Math.ceil(train.length / config.batchSize),
    step: ({ order, step, globalStep }, optimize) => {
      const items = order.slice(step * config.batchSize, (step + 1) * config.batchSize)
      const batch = labelledBatch(
        items.map((t) => t.slice),
        config.inputSize,
        {
          classes: true,
          prior: items.map((t) => t.prior),
          augment: config.augment,
          // Seeded by the step, so that a resumed run draws the same transforms.
          rand: seededRandom(config.seed * 7919 + globalStep),
          normalisation: network.config.inputNormalisation
        }
      )
      const input = multiClassInput(batch.x, batch.prior!)
      const target = oneHotClasses(batch.classes!, network.config.classes)
      const losses = optimize((pendingUpdates, terms) => {
        const loss = multiClassLoss(network.forward(input, true, { pendingUpdates }), target, { diceWeight: config.diceWeight })
        terms.crossEntropy = loss.crossEntropy.dataSync()[0]
        terms.dice = loss.dice.dataSync()[0]
        return loss.total
      })
      tf.dispose([input, target])
      disposeBatch(batch)
      return { losses, inputSize: config.inputSize }
    }
  })
  if (status === 'stopped') {
    network.dispose()
    return { status: 'stopped', globalStep: state.globalStep, elapsedMs: state.elapsedMs }
  }
  const validationMaps = split.validation.map((i) => maps[i])
  const report = validation.length
    ? await evaluateMultiClass(network, validationMaps, validation, { epoch: config.epochs, diceWeight: config.diceWeight })
    : undefined
  if (report) emit(report)
  await saveNetwork(config.out, network, {
    name: 'infnet-multiclass',
    version: new Date().toISOString().slice(0, 19).replace('T', ' '),
    training: {
      data: config.data,
      prior: config.prior,
      priorModel: priorCard ? `${priorCard.name} ${priorCard.version}` : null,
      epochs: config.epochs,
      batchSize: config.batchSize,
      inputSize: config.inputSize,
      baseFilters: config.baseFilters,
      learningRate: config.learningRate,
      decayEpoch: config.decayEpoch,
      decayRate: config.decayRate,
      clip: config.clip,
      diceWeight: config.diceWeight,
      augment: config.augment ?? null,
      seed: config.seed,
      init: config.init ?? null,
      folds: config.folds ?? null,
      fold: config.fold ?? null,
      trainingSlices: train.length,
      seconds: Math.round(state.elapsedMs / 1000),
      backend
    },
    metrics: report
      ? {
          validationLoss: report.loss,
          validationDiceGroundGlass: report.diceGroundGlass,
          validationDiceConsolidation: report.diceConsolidation,
          validationMeanDice: report.meanDice,
          validationSensitivityGroundGlass: report.sensitivityGroundGlass,
          validationSpecificityGroundGlass: report.specificityGroundGlass,
          validationSensitivityConsolidation: report.sensitivityConsolidation,
          validationSpecificityConsolidation: report.specificityConsolidation
        }
      : {}
  })
  network.dispose()
  return { status: 'finished', globalStep: state.globalStep, elapsedMs: state.elapsedMs, validation: report }
}
