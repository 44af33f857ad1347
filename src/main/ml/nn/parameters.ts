import * as tf from '@tensorflow/tfjs'

export type Initializer = 'heNormal' | 'glorotUniform' | 'zeros' | 'ones'

/** A tiny deterministic generator (mulberry32) so that a seed fixes every initial weight. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function initialValues(shape: number[], init: Initializer, rand: () => number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1)
  const out = new Float32Array(n)
  if (init === 'zeros') return out
  if (init === 'ones') return out.fill(1)
  // conv kernels are [kh, kw, in, out]: fan-in = kh·kw·in, fan-out = kh·kw·out
  const receptive = shape.length === 4 ? shape[0] * shape[1] : 1
  const fanIn = receptive * (shape.length >= 2 ? shape[shape.length - 2] : shape[0])
  const fanOut = receptive * shape[shape.length - 1]
  if (init === 'heNormal') {
    const std = Math.sqrt(2 / fanIn)
    for (let i = 0; i < n; i += 2) {
      // Box–Muller
      const u = Math.max(rand(), 1e-12)
      const v = rand()
      const r = Math.sqrt(-2 * Math.log(u)) * std
      out[i] = r * Math.cos(2 * Math.PI * v)
      if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v)
    }
    return out
  }
  const limit = Math.sqrt(6 / (fanIn + fanOut))
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * limit
  return out
}

/**
 * Named model parameters, created on first use (so a network is written once, as its forward
 * pass) and addressable by name for saving, loading, and swapping heads between tasks.
 */
export class ParameterStore {
  readonly variables = new Map<string, tf.Variable>()
  private readonly rand: () => number
  private readonly memo = new Map<string, { sources: object[]; tensors: tf.Tensor[] }>()

  /** `initialise` false: every parameter starts at zero, for a store about to be loaded from a file. */
  constructor(
    seed = 1,
    private readonly initialise = true
  ) {
    this.rand = seededRandom(seed)
  }

  get(name: string, shape: number[], init: Initializer, trainable = true): tf.Variable {
    const existing = this.variables.get(name)
    if (existing) {
      if (existing.shape.join() !== shape.join()) {
        throw new Error(`Parameter ${name} has shape [${existing.shape}] but the network asks for [${shape}]`)
      }
      return existing
    }
    // Unnamed in tfjs: its variable names are process-global, and two networks (or a network and
    // its loaded copy) share parameter names. The store's map is the name that counts.
    const v = tf.variable(
      tf.tensor(initialValues(shape, this.initialise ? init : 'zeros', this.rand), shape),
      trainable
    )
    this.variables.set(name, v)
    return v
  }

  /**
   * Tensors computed from parameters (e.g. a batch norm folded into its convolution), kept until
   * any of `sources` changes: a variable's assign (the optimiser's, a loaded checkpoint's) gives it a
   * new data id, and that is what is compared, so a network validated between training steps never
   * reads stale derived values.
   */
  derived<T extends tf.Tensor[]>(key: string, sources: tf.Tensor[], compute: () => T): T {
    const ids = sources.map((t) => t.dataId)
    const cached = this.memo.get(key)
    if (cached && cached.sources.length === ids.length && cached.sources.every((id, i) => id === ids[i]))
      return cached.tensors as T
    for (const t of cached?.tensors ?? []) t.dispose()
    const tensors = tf.tidy(compute)
    for (const t of tensors) tf.keep(t)
    this.memo.set(key, { sources: ids, tensors })
    return tensors
  }

  trainable(): tf.Variable[] {
    return [...this.variables.values()].filter((v) => v.trainable)
  }

  /** Number of trainable scalars. */
  count(filter: (name: string) => boolean = () => true): number {
    let n = 0
    for (const [name, v] of this.variables) if (v.trainable && filter(name)) n += v.size
    return n
  }

  /** Replaces values (and creates missing parameters) from named tensors, e.g. a loaded checkpoint. */
  assign(values: Record<string, tf.Tensor>, options: { skip?: (name: string) => boolean } = {}): string[] {
    const assigned: string[] = []
    for (const [name, t] of Object.entries(values)) {
      if (options.skip?.(name)) continue
      const v = this.variables.get(name)
      if (v) {
        if (v.shape.join() !== t.shape.join()) throw new Error(`Cannot load ${name}: shape [${t.shape}] ≠ [${v.shape}]`)
        v.assign(t)
      } else {
        const trainable = !/moving_(mean|variance)$/.test(name)
        this.variables.set(name, tf.variable(t.clone(), trainable))
      }
      assigned.push(name)
    }
    return assigned
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose()
    this.variables.clear()
    for (const m of this.memo.values()) for (const t of m.tensors) t.dispose()
    this.memo.clear()
  }
}
