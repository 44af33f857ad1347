import * as tf from '@tensorflow/tfjs'
import { engineInfo } from '../ml/engine'
import { applyPendingUpdates } from '../ml/nn/layers'
import type { ParameterStore } from '../ml/nn/parameters'
import { saveCheckpoint, type LoadedCheckpoint, type TrainingState } from './checkpoint'
import { shuffled } from './folds'
import type { TrainingEvent, ValidationReport } from './progress'

/** The schedule settings every epoch-based trainer shares. */
export interface EpochSchedule {
  epochs: number
  learningRate: number
  /** The learning rate is multiplied by decayRate once every decayEpoch epochs. */
  decayEpoch: number
  decayRate: number
  /** Gradients are clamped element-wise to ±clip. */
  clip: number
  seed: number
  checkpointEvery: number
}

/** One optimizer step's outcome: its loss terms (with `total`) and the input size it trained at. */
export interface StepResult {
  losses: Record<string, number>
  inputSize: number
}

/** A step's loss: it forwards in training mode, queuing batch-norm updates and naming its terms. */
export type StepLoss = (
  pendingUpdates: Array<{ variable: tf.Variable; value: tf.Tensor }>,
  terms: Record<string, number>
) => tf.Scalar

export interface EpochLoopOptions<C extends EpochSchedule, T> {
  config: C
  /** Where checkpoints go. */
  out: string
  params: ParameterStore
  /** The training items; each epoch visits them in an order fixed by the seed and the epoch. */
  train: T[]
  stepsPerEpoch: number
  checkpoint?: LoadedCheckpoint<C>
  /** Receives steps, checkpoints and log lines (validation is the caller's). */
  emit: (e: Exclude<TrainingEvent, ValidationReport>) => void
  shouldStop?: () => boolean
  /**
   * One step of the epoch: build the batch from `order`, then call `optimize` with the loss.
   * `globalStep` is the number of steps before this one (it seeds the step's augmentation).
   */
  step(
    ctx: { order: T[]; step: number; globalStep: number },
    optimize: (loss: StepLoss) => Record<string, number>
  ): StepResult
}

/**
 * The epoch loop of supervised and multi-class training: Adam with step decay of the learning
 * rate, element-wise gradient clipping, batch-norm moving averages applied after each update,
 * progress events with an ETA, a checkpoint every `checkpointEvery` steps, on stop and at the end,
 * and exact resumption from `checkpoint` (the epoch order depends only on the seed and the epoch).
 */
export async function runEpochLoop<C extends EpochSchedule, T>(
  o: EpochLoopOptions<C, T>
): Promise<{ status: 'finished' | 'stopped'; state: TrainingState<C>; optimizer: tf.Optimizer }> {
  const { config, emit } = o
  const optimizer = tf.train.adam(config.learningRate)
  const totalSteps = o.stepsPerEpoch * config.epochs
  let state: TrainingState<C> = {
    config,
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    learningRate: config.learningRate,
    elapsedMs: 0,
    history: []
  }
  if (o.checkpoint) {
    o.params.assign(o.checkpoint.params)
    await optimizer.setWeights(o.checkpoint.optimizer)
    tf.dispose([...Object.values(o.checkpoint.params), ...o.checkpoint.optimizer.map((w) => w.tensor)])
    state = o.checkpoint.state
    emit({ kind: 'log', message: `Resuming at epoch ${state.epoch + 1}, step ${state.globalStep} of ${totalSteps}.` })
  }
  const trainable = o.params.trainable()
  const backend = engineInfo()?.backend ?? tf.getBackend()
  const startedAt = Date.now() - state.elapsedMs
  const save = async (): Promise<void> => {
    state.elapsedMs = Date.now() - startedAt
    await saveCheckpoint(o.out, o.params.variables, optimizer, state)
    emit({ kind: 'checkpoint', globalStep: state.globalStep, path: o.out })
  }
  /** One Adam update on the clipped gradients of `loss`; returns its terms with `total`. */
  const optimize = (loss: StepLoss): Record<string, number> => {
    const pendingUpdates: Array<{ variable: tf.Variable; value: tf.Tensor }> = []
    const terms: Record<string, number> = {}
    const { value, grads } = tf.variableGrads(() => loss(pendingUpdates, terms), trainable)
    const clipped = Object.entries(grads).map(([name, g]) => ({
      name,
      tensor: tf.clipByValue(g, -config.clip, config.clip)
    }))
    optimizer.applyGradients(clipped)
    applyPendingUpdates({ params: o.params, training: true, pendingUpdates })
    terms.total = value.dataSync()[0]
    tf.dispose([value, ...Object.values(grads), ...clipped.map((c) => c.tensor)])
    return terms
  }

  let stepsThisSession = 0
  const sessionStart = Date.now()
  for (; state.epoch < config.epochs; state.epoch++, state.stepInEpoch = 0) {
    const lr = config.learningRate * config.decayRate ** Math.floor(state.epoch / config.decayEpoch)
    ;(optimizer as unknown as { learningRate: number }).learningRate = lr
    state.learningRate = lr
    const order = shuffled(o.train, config.seed * 1000 + state.epoch)
    for (let step = state.stepInEpoch; step < o.stepsPerEpoch; step++) {
      if (o.shouldStop?.()) {
        await save()
        return { status: 'stopped', state, optimizer }
      }
      const t0 = Date.now()
      const { losses, inputSize } = o.step({ order, step, globalStep: state.globalStep }, optimize)
      state.globalStep++
      state.stepInEpoch = step + 1
      stepsThisSession++
      const perStep = (Date.now() - sessionStart) / stepsThisSession
      emit({
        kind: 'step',
        epoch: state.epoch + 1,
        epochs: config.epochs,
        stepInEpoch: step + 1,
        stepsPerEpoch: o.stepsPerEpoch,
        globalStep: state.globalStep,
        totalSteps,
        losses,
        learningRate: lr,
        inputSize,
        stepMs: Date.now() - t0,
        etaSeconds: Math.round(((totalSteps - state.globalStep) * perStep) / 1000),
        backend
      })
      state.history.push({ step: state.globalStep, epoch: state.epoch + 1, ...losses })
      if (state.history.length > 5000) state.history.splice(0, state.history.length - 5000)
      if (state.globalStep % config.checkpointEvery === 0) await save()
      // Steps are synchronous tensor work: yield so that a cancel request can arrive.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await save()
  return { status: 'finished', state, optimizer }
}
