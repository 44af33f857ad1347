import * as tf from '@tensorflow/tfjs'
import { engineInfo } from '../ml/engine'
import { applyPendingUpdates } from '../ml/nn/layers'
import type { ParameterStore } from '../ml/nn/parameters'
import { loadCheckpoint, saveCheckpoint, type LoadedCheckpoint, type TrainingState } from './checkpoint'
import { shuffled } from './folds'
import type { TrainingProgress } from './progress'

/** The schedule settings every epoch-based trainer shares. */
export interface EpochSchedule {
  epochs: number
  learningRate: number
  /** The learning rate is multiplied by decayRate once every decayEpoch epochs. */
  decayEpoch: number
  decayRate: number
  /** Gradients are clamped element-wise to ±clip; absent, they are applied as they are. */
  clip?: number
  seed: number
  checkpointEvery: number
}

/**
 * The schedule and run settings of the supervised trainers' configs, with Inf-Net's defaults: Adam
 * at 1e-4, ×0.1 every 50 epochs, gradients clipped to ±0.5 as its clip_gradient does, optional
 * k-fold validation, a checkpoint every 25 steps.
 */
export { epochTrainingFields } from './supervisedConfig'

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

/**
 * A network the loop trains beside the first, with its own Adam optimizer (e.g. the coach of the
 * inpainter). In the checkpoint its parameters are saved under `${key}::` and its optimizer under
 * `key`; the first network's parameters keep their own names.
 */
export interface CompanionNetwork {
  key: string
  params: ParameterStore
  learningRate: number
}

/** What the loop knows after a step, for the step's event and history entry (epoch 1-based, as in the event). */
export type StepInfo = Omit<TrainingProgress, 'kind' | 'epochs'>

export type LoopNotice = { kind: 'checkpoint'; globalStep: number; path: string } | { kind: 'log'; message: string }

export interface EpochLoopOptions<C, T, E> {
  /** Saved as the checkpoint state's config. */
  config: C
  schedule: EpochSchedule
  /** Where checkpoints go. */
  out: string
  params: ParameterStore
  /** The key of the first network's optimizer when there are companions. */
  key?: string
  companions?: CompanionNetwork[]
  /** The training items; each epoch visits them in an order fixed by the seed and the epoch. */
  train: T[]
  /** Steps of every epoch, or of each epoch (an epoch may then be a phase of a schedule). */
  stepsPerEpoch: number | ((epoch: number) => number)
  checkpoint?: LoadedCheckpoint<C>
  /** Receives steps, checkpoints and log lines (validation is the caller's). */
  emit: (e: E | LoopNotice) => void
  shouldStop?: () => boolean
  /**
   * One step of the epoch (`epoch` 0-based, as in the hooks): build the batch from `order`, then call `optimize` with the loss (and
   * the key of a companion to train that one instead of the first network). `globalStep` is the
   * number of steps before this one (it seeds the step's augmentation).
   */
  step(
    ctx: { order: T[]; epoch: number; step: number; globalStep: number },
    optimize: (loss: StepLoss, network?: string) => Record<string, number>
  ): StepResult
  /** Called as an epoch begins (also when a resumed run re-enters it, then with stepInEpoch > 0) and after its last step. */
  onEpochStart?(epoch: number, stepInEpoch: number): void
  onEpochEnd?(epoch: number): void
  /** A step's event and history entry, and the resume line; default: TrainingProgress. */
  describe?: {
    step(info: StepInfo): { event: E; history: Record<string, number> }
    resume(state: TrainingState<C>, totalSteps: number): string
  }
}

/** What a trainer hands the loop about its run: the config, the checkpoint it resumes and its hooks. */
export interface EpochRun<C, E> {
  config: C
  schedule: EpochSchedule
  out: string
  checkpoint?: LoadedCheckpoint<C>
  emit: (e: E | LoopNotice) => void
  shouldStop?: () => boolean
}

/**
 * Opens a run of an epoch-based trainer. With `resume`, the checkpoint in `config.out` is loaded
 * and the run continues with its config, reconciled with the given one by `resumed`; a log line
 * says when there is no checkpoint to resume.
 */
export function openRun<C extends EpochSchedule & { out: string }, E>(
  config: C,
  hooks: { onEvent?: (e: E | LoopNotice) => void; shouldStop?: () => boolean; resume?: boolean },
  resumed: (saved: C) => C
): EpochRun<C, E> {
  const emit = hooks.onEvent ?? (() => {})
  const checkpoint = hooks.resume ? loadCheckpoint<C>(config.out) : undefined
  if (hooks.resume && !checkpoint) emit({ kind: 'log', message: `No checkpoint in ${config.out}; starting from the beginning.` })
  const run = checkpoint ? resumed(checkpoint.state.config) : config
  return { config: run, schedule: run, out: run.out, checkpoint, emit, shouldStop: hooks.shouldStop }
}

interface Trained {
  key: string
  params: ParameterStore
  learningRate: number
  optimizer: tf.Optimizer
  trainable: tf.Variable[]
}

/**
 * The epoch loop of every trainer: Adam (one per network) with step decay of the learning rate,
 * optional element-wise gradient clipping, batch-norm moving averages applied after each update,
 * progress events with an ETA, a checkpoint every `checkpointEvery` steps, on stop and at the end,
 * and exact resumption from `checkpoint` (the epoch order depends only on the seed and the epoch).
 * The optimizers are disposed when it returns.
 */
export async function runEpochLoop<C, T, E = TrainingProgress>(
  o: EpochLoopOptions<C, T, E>
): Promise<{ status: 'finished' | 'stopped'; state: TrainingState<C>; backend: string }> {
  const { schedule, emit } = o
  const stepsIn = (epoch: number): number => (typeof o.stepsPerEpoch === 'number' ? o.stepsPerEpoch : o.stepsPerEpoch(epoch))
  const totalSteps = Array.from({ length: schedule.epochs }, (_, e) => stepsIn(e)).reduce((a, b) => a + b, 0)
  const describe = o.describe ?? {
    step: (info: StepInfo) => {
      const { epoch, ...rest } = info
      const event: TrainingProgress = { kind: 'step', epoch, epochs: schedule.epochs, ...rest }
      // Without `describe` the loop's events are TrainingProgress, E's default.
      return { event: event as unknown as E, history: { step: info.globalStep, epoch: info.epoch, ...info.losses } }
    },
    resume: (state: TrainingState<C>) => `Resuming at epoch ${state.epoch + 1}, step ${state.globalStep} of ${totalSteps}.`
  }
  const networks: Trained[] = [{ key: o.key ?? '', params: o.params, learningRate: schedule.learningRate }, ...(o.companions ?? [])].map(
    (n) => ({ ...n, optimizer: tf.train.adam(n.learningRate), trainable: n.params.trainable() })
  )
  const single = networks.length === 1
  const backend = engineInfo()?.backend ?? tf.getBackend()
  let state: TrainingState<C> = {
    config: o.config,
    epoch: 0,
    stepInEpoch: 0,
    globalStep: 0,
    learningRate: schedule.learningRate,
    elapsedMs: 0,
    history: []
  }
  try {
    if (o.checkpoint) {
      await restore(networks, o.checkpoint)
      state = o.checkpoint.state
      emit({ kind: 'log', message: describe.resume(state, totalSteps) })
    }
    const startedAt = Date.now() - state.elapsedMs
    const save = async (): Promise<void> => {
      state.elapsedMs = Date.now() - startedAt
      if (single) await saveCheckpoint(o.out, o.params.variables, networks[0].optimizer, state)
      else {
        const variables = new Map(o.params.variables)
        for (const n of networks.slice(1)) for (const [name, v] of n.params.variables) variables.set(`${n.key}::${name}`, v)
        await saveCheckpoint(o.out, variables, Object.fromEntries(networks.map((n) => [n.key, n.optimizer])), state)
      }
      emit({ kind: 'checkpoint', globalStep: state.globalStep, path: o.out })
    }
    /** One Adam update of a network on the (clipped) gradients of `loss`; returns its terms with `total`. */
    const optimize = (loss: StepLoss, key?: string): Record<string, number> => {
      const n = key === undefined ? networks[0] : networks.find((c) => c.key === key)
      if (!n) throw new Error(`no network '${key}' in this training loop`)
      const pendingUpdates: Array<{ variable: tf.Variable; value: tf.Tensor }> = []
      const terms: Record<string, number> = {}
      const { value, grads } = tf.variableGrads(() => loss(pendingUpdates, terms), n.trainable)
      const clip = schedule.clip
      const applied = Object.entries(grads).map(([name, g]) => ({ name, tensor: clip === undefined ? g : tf.clipByValue(g, -clip, clip) }))
      n.optimizer.applyGradients(applied)
      applyPendingUpdates({ params: n.params, training: true, pendingUpdates })
      terms.total = value.dataSync()[0]
      tf.dispose([value, ...Object.values(grads), ...applied.map((c) => c.tensor)])
      return terms
    }

    let stepsThisSession = 0
    const sessionStart = Date.now()
    for (; state.epoch < schedule.epochs; state.epoch++, state.stepInEpoch = 0) {
      const decay = schedule.decayRate ** Math.floor(state.epoch / schedule.decayEpoch)
      for (const n of networks) (n.optimizer as unknown as { learningRate: number }).learningRate = n.learningRate * decay
      const lr = schedule.learningRate * decay
      state.learningRate = lr
      const order = shuffled(o.train, schedule.seed * 1000 + state.epoch)
      const steps = stepsIn(state.epoch)
      o.onEpochStart?.(state.epoch, state.stepInEpoch)
      for (let step = state.stepInEpoch; step < steps; step++) {
        if (o.shouldStop?.()) {
          await save()
          return { status: 'stopped', state, backend }
        }
        const t0 = Date.now()
        const { losses, inputSize } = o.step({ order, epoch: state.epoch, step, globalStep: state.globalStep }, optimize)
        state.globalStep++
        state.stepInEpoch = step + 1
        stepsThisSession++
        const perStep = (Date.now() - sessionStart) / stepsThisSession
        const { event, history } = describe.step({
          epoch: state.epoch + 1,
          stepInEpoch: step + 1,
          stepsPerEpoch: steps,
          globalStep: state.globalStep,
          totalSteps,
          losses,
          learningRate: lr,
          inputSize,
          stepMs: Date.now() - t0,
          etaSeconds: Math.round(((totalSteps - state.globalStep) * perStep) / 1000),
          backend
        })
        emit(event)
        state.history.push(history)
        if (state.history.length > 5000) state.history.splice(0, state.history.length - 5000)
        if (state.globalStep % schedule.checkpointEvery === 0) await save()
        // Steps are synchronous tensor work: yield so that a cancel request can arrive.
        await new Promise((resolve) => setImmediate(resolve))
      }
      o.onEpochEnd?.(state.epoch)
    }
    await save()
    return { status: 'finished', state, backend }
  } finally {
    for (const n of networks) n.optimizer.dispose()
  }
}

/** Parameters and optimizer states from a checkpoint; its tensors are disposed afterwards. */
async function restore<C>(networks: Trained[], checkpoint: LoadedCheckpoint<C>): Promise<void> {
  const [first, ...companions] = networks
  const values: Record<string, Record<string, tf.Tensor>> = Object.fromEntries(networks.map((n) => [n.key, {}]))
  for (const [name, t] of Object.entries(checkpoint.params)) {
    const owner = companions.find((n) => name.startsWith(`${n.key}::`))
    if (owner) values[owner.key][name.slice(owner.key.length + 2)] = t
    else values[first.key][name] = t
  }
  for (const n of networks) n.params.assign(values[n.key])
  await first.optimizer.setWeights(checkpoint.optimizers[first.key] ?? checkpoint.optimizer)
  for (const n of companions) if (checkpoint.optimizers[n.key]?.length) await n.optimizer.setWeights(checkpoint.optimizers[n.key])
  tf.dispose([...Object.values(checkpoint.params), ...checkpoint.optimizer.map((w) => w.tensor), ...Object.values(checkpoint.optimizers).flatMap((ws) => ws.map((w) => w.tensor))])
}
