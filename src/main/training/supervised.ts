import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { z } from 'zod'
import { infNetLoss } from '../ml/losses'
import { scoreImage, summariseScores, type EvaluationSummary } from '../ml/metrics'
import { createNetwork, loadNetwork, readModelCard, saveNetwork, transferBody, type InfNetNetwork } from '../ml/models/infnet'
import { seededRandom } from '../ml/nn/parameters'
import { segmentSlices } from '../ml/inference/segmentSlices'
import { disposeBatch, labelledBatch } from './batches'
import { openRun, runEpochLoop } from './epochLoop'
import { SupervisedConfig } from './supervisedConfig'
import { runSplit } from './folds'
import { readLabelledSlices, type LabelledSlice } from './labelledSlices'
import type { TrainingHooks, ValidationReport } from './progress'

export { SupervisedConfig } from './supervisedConfig'

export interface SupervisedResult {
  status: 'finished' | 'stopped'
  globalStep: number
  elapsedMs: number
  validation?: ValidationReport
  heldOut?: ValidationReport
}

/** Nearest multiple of 32 to size·scale: Inf-Net's multi-scale sizes (352 → 256, 352, 448). */
export const scaledSize = (size: number, scale: number): number => Math.max(32, Math.round((size * scale) / 32) * 32)

/**
 * Validation as in the paper: the loss at the training size, and Inf-Net's metrics at each slice's own
 * size (of the maps with flip test-time augmentation when `flip`; the loss is the plain forward's).
 */
export async function validate(network: InfNetNetwork, slices: LabelledSlice[], epoch: number, options: { flip?: boolean } = {}): Promise<ValidationReport> {
  let lossSum = 0
  for (const s of slices) {
    const batch = labelledBatch([s], network.config.inputSize, { normalisation: network.config.inputNormalisation })
    const loss = tf.tidy(() => infNetLoss(network.forward(batch.x, false), batch.mask, batch.edge).total.dataSync()[0])
    lossSum += loss
    disposeBatch(batch)
  }
  const maps = await segmentSlices(network, slices.map((s) => ({ data: s.image, width: s.width, height: s.height })), { flip: options.flip })
  const scores = maps.map((m, i) =>
    scoreImage({ width: m.width, height: m.height, data: m.data }, { width: slices[i].width, height: slices[i].height, data: slices[i].mask }, slices[i].name)
  )
  const summary: EvaluationSummary = summariseScores(scores)
  return { kind: 'validation', epoch, loss: lossSum / slices.length, ...summary }
}

/**
 * Supervised Inf-Net training (Adam, multi-scale, element-wise gradient clipping, step decay of
 * the learning rate), checkpointing every `checkpointEvery` steps and on stop, and resuming from
 * the checkpoint in `out` when `resume` is set. The trained network is saved to `out` with its
 * card; with folds, the held-out fold is validated at the end.
 */
export async function trainSupervised(
  input: z.input<typeof SupervisedConfig>,
  options: TrainingHooks & { resume?: boolean } = {}
): Promise<SupervisedResult> {
  const given = SupervisedConfig.parse(input)
  // A checkpoint from an older version may lack newer settings: parse it so their defaults apply.
  const run = openRun(given, options, (saved) => SupervisedConfig.parse({ ...saved, out: given.out, data: given.data }))
  const { config, emit } = run

  const all = await readLabelledSlices(config.data)
  const split = runSplit(all.length, config)
  const extra = (await Promise.all(config.extraData.map((d) => readLabelledSlices(d)))).flat()
  const train = [...split.train.map((i) => all[i]), ...extra]
  const validation = split.validation.map((i) => all[i])

  const network: InfNetNetwork =
    config.init && existsSync(config.init)
      ? (loadNetwork(config.init) as InfNetNetwork)
      : createNetwork({
          architecture: 'infnet',
          backbone: config.backbone,
          inputSize: config.inputSize,
          channels: 3,
          seed: config.seed,
          ...(config.inputNormalisation === 'equalised' ? { inputNormalisation: 'equalised' as const } : {})
        })
  if (config.pretrained && !run.checkpoint) {
    const pretrained = loadNetwork(config.pretrained)
    try {
      transferBody(network, pretrained)
    } finally {
      pretrained.dispose()
    }
    emit({ kind: 'log', message: `Initialised from the pretrained network in ${config.pretrained} (output layers afresh).` })
  }
  const { status, state, backend } = await runEpochLoop({
    ...run,
    params: network.params,
    train,
    stepsPerEpoch: Math.ceil(train.length / config.batchSize) * config.scales.length,
    step: ({ order, step, globalStep }, optimize) => {
      const batchIndex = Math.floor(step / config.scales.length)
      const size = scaledSize(config.inputSize, config.scales[step % config.scales.length])
      const batch = labelledBatch(order.slice(batchIndex * config.batchSize, (batchIndex + 1) * config.batchSize), size, {
        augment: config.augment,
        // seeded per step, so a resumed run augments exactly as an uninterrupted one
        rand: seededRandom(config.seed * 104729 + globalStep),
        normalisation: network.config.inputNormalisation
      })
      const losses = optimize((pendingUpdates, terms) => {
        const loss = infNetLoss(network.forward(batch.x, true, { pendingUpdates }), batch.mask, batch.edge)
        for (const k of ['global', 's5', 's4', 's3', 'edge'] as const) terms[k] = loss[k].dataSync()[0]
        return loss.total
      })
      disposeBatch(batch)
      return { losses, inputSize: size }
    }
  })
  if (status === 'stopped') return { status: 'stopped', globalStep: state.globalStep, elapsedMs: state.elapsedMs }
  const report = validation.length ? await validate(network, validation, config.epochs) : undefined
  if (report) emit(report)
  const heldOutSlices = (await Promise.all(config.validationData.map((d) => readLabelledSlices(d)))).flat()
  const heldOut = heldOutSlices.length ? await validate(network, heldOutSlices, config.epochs) : undefined
  if (heldOut) emit({ kind: 'log', message: `Held-out (${heldOutSlices.length} slices of ${config.validationData.join(', ')}): Dice ${heldOut.dice.toFixed(3)}, max Dice ${heldOut.maxDice.toFixed(3)}, sensitivity ${heldOut.sensitivity.toFixed(3)}, specificity ${heldOut.specificity.toFixed(3)}` })
  // a network trained on from another keeps how CT series are fed to it and inferred with it
  const initCard = config.init && existsSync(config.init) ? readModelCard(config.init) : undefined
  await saveNetwork(config.out, network, {
    name: 'infnet-' + config.backbone,
    ...(initCard?.inputWindow ? { inputWindow: initCard.inputWindow } : {}),
    ...(initCard?.inference ? { inference: initCard.inference } : {}),
    version: new Date().toISOString().slice(0, 19).replace('T', ' '),
    training: {
      data: config.data,
      epochs: config.epochs,
      batchSize: config.batchSize,
      inputSize: config.inputSize,
      scales: config.scales,
      learningRate: config.learningRate,
      folds: config.folds ?? null,
      fold: config.fold ?? null,
      trainingSlices: train.length,
      pretrained: config.pretrained ?? null,
      augment: config.augment ? (config.augment as unknown as Record<string, number>) : null,
      seconds: Math.round(state.elapsedMs / 1000),
      backend
    },
    metrics: {
      ...(report ? { validationDice: report.dice, validationMaxDice: report.maxDice, validationLoss: report.loss } : {}),
      ...(heldOut ? heldOutMetrics(heldOut) : {})
    }
  })
  network.dispose()
  return { status: 'finished', globalStep: state.globalStep, elapsedMs: state.elapsedMs, validation: report, heldOut }
}

/** The held-out figures as card metrics. */
function heldOutMetrics(r: ValidationReport): Record<string, number> {
  return {
    heldOutDice: r.dice,
    heldOutMaxDice: r.maxDice,
    heldOutSensitivity: r.sensitivity,
    heldOutSpecificity: r.specificity,
    heldOutSMeasure: r.sMeasure,
    heldOutEMeasure: r.eMeasure,
    heldOutMae: r.mae
  }
}
