import * as tf from '@tensorflow/tfjs'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where a run is, so that a killed run resumes at the step after its last checkpoint. */
export interface TrainingState<C> {
  config: C
  epoch: number
  /** Steps finished within `epoch`. */
  stepInEpoch: number
  globalStep: number
  learningRate: number
  elapsedMs: number
  history: Array<Record<string, number>>
}

const OPTIMIZER_PREFIX = 'optimizer::'

/**
 * Writes parameters, optimizer state and the run state into `dir`/checkpoint. The new checkpoint
 * is written beside the old one and swapped in by renames, so a kill at any moment leaves either
 * the previous or the new checkpoint whole.
 */
export async function saveCheckpoint<C>(
  dir: string,
  params: Map<string, tf.Variable>,
  optimizer: tf.Optimizer | Record<string, tf.Optimizer>,
  state: TrainingState<C>
): Promise<void> {
  const final = join(dir, 'checkpoint')
  const next = join(dir, 'checkpoint.next')
  const old = join(dir, 'checkpoint.old')
  rmSync(next, { recursive: true, force: true })
  mkdirSync(next, { recursive: true })
  // Several optimizers (e.g. the coach's and the inpainter's) are kept apart by a prefix per key.
  const optimizers: Array<[string, tf.Optimizer]> = optimizer instanceof tf.Optimizer ? [['', optimizer]] : Object.entries(optimizer)
  const named = [...params.entries()].map(([name, tensor]) => ({ name, tensor }))
  for (const [key, o] of optimizers) {
    const prefix = key ? `${OPTIMIZER_PREFIX}${key}::` : OPTIMIZER_PREFIX
    for (const w of await o.getWeights()) named.push({ name: prefix + w.name, tensor: w.tensor as tf.Variable })
  }
  const { data, specs } = await tf.io.encodeWeights(named)
  writeFileSync(join(next, 'weights.bin'), Buffer.from(data as ArrayBuffer))
  writeFileSync(join(next, 'weights.json'), JSON.stringify(specs))
  writeFileSync(join(next, 'state.json'), JSON.stringify(state, null, 1))
  if (existsSync(final)) renameSync(final, old)
  renameSync(next, final)
  rmSync(old, { recursive: true, force: true })
}

export interface LoadedCheckpoint<C> {
  state: TrainingState<C>
  params: Record<string, tf.Tensor>
  optimizer: Array<{ name: string; tensor: tf.Tensor }>
  /** Weights of optimizers saved under a key (saveCheckpoint with a record of optimizers). */
  optimizers: Record<string, Array<{ name: string; tensor: tf.Tensor }>>
}

/** Reads `dir`/checkpoint, recovering from a kill in the middle of the swap. */
export function loadCheckpoint<C>(dir: string): LoadedCheckpoint<C> | undefined {
  let folder = join(dir, 'checkpoint')
  if (!existsSync(join(folder, 'state.json')) && existsSync(join(dir, 'checkpoint.old', 'state.json'))) {
    folder = join(dir, 'checkpoint.old')
  }
  if (!existsSync(join(folder, 'state.json'))) return undefined
  const state = JSON.parse(readFileSync(join(folder, 'state.json'), 'utf8')) as TrainingState<C>
  const specs = JSON.parse(readFileSync(join(folder, 'weights.json'), 'utf8')) as tf.io.WeightsManifestEntry[]
  const bytes = readFileSync(join(folder, 'weights.bin'))
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs)
  const params: Record<string, tf.Tensor> = {}
  const optimizer: Array<{ name: string; tensor: tf.Tensor }> = []
  const optimizers: Record<string, Array<{ name: string; tensor: tf.Tensor }>> = {}
  for (const spec of specs) {
    if (spec.name.startsWith(OPTIMIZER_PREFIX)) {
      const rest = spec.name.slice(OPTIMIZER_PREFIX.length)
      const keyed = /^([A-Za-z]\w*)::(.*)$/.exec(rest)
      if (keyed) (optimizers[keyed[1]] ??= []).push({ name: keyed[2], tensor: tensors[spec.name] })
      else optimizer.push({ name: rest, tensor: tensors[spec.name] })
    } else {
      params[spec.name] = tensors[spec.name]
    }
  }
  return { state, params, optimizer, optimizers }
}
