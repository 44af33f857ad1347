import * as tf from '@tensorflow/tfjs'
import { batchNormRelu } from '../ops/batchNormRelu'

/**
 * A 2D U-Net as a set of tf.Variables and a forward function (no tf.LayersModel): training needs
 * batch norm with a closed-form gradient (ops/batchNormRelu) and inference folds batch norm into
 * the convolutions, neither of which tfjs-layers allows.
 *
 * Each level: two (3×3 conv → batch norm → ReLU); down by 2×2 max-pool, up by bilinear ×2 and
 * concatenation with the skip connection; a 1×1 convolution gives the logits. Convolutions before
 * batch norm have no bias (batch norm's β replaces it).
 *
 * The convolution after a concatenation is computed as the sum of one convolution per part, its
 * filter split along the input channels: the same function and parameter count, without copying
 * both parts into a new tensor forward and splitting the gradient apart backward.
 */

export interface UNetConfig {
  inChannels: number
  /** Output channels (logits): 1 for binary segmentation, the class count otherwise. */
  outChannels: number
  /** Feature channels per level, shallowest first; default [16, 32, 64, 128]. */
  channels?: readonly number[]
  /** Running-statistics momentum (fraction of the old value kept); default 0.9. */
  momentum?: number
  epsilon?: number
  /** Seed of the He-normal initialisation, for reproducible runs. */
  seed?: number
  /**
   * Prefix of the variable names (`<name>/down0a/filter0`, …), unique per process because tfjs
   * registers variables by name; default `unet_<n>`.
   */
  name?: string
}

let instances = 0

interface ConvBnRelu {
  /** One filter per concatenated input part, in concatenation order. */
  filters: tf.Variable<tf.Rank.R4>[]
  gamma: tf.Variable<tf.Rank.R1>
  beta: tf.Variable<tf.Rank.R1>
  runningMean: tf.Variable<tf.Rank.R1>
  runningVariance: tf.Variable<tf.Rank.R1>
}

export interface UNet {
  readonly config: Required<UNetConfig>
  /** Trainable variables (filters, γ, β, head), in a stable order. */
  readonly trainable: tf.Variable[]
  /** Batch-norm running statistics, updated by training-mode forward passes. */
  readonly statistics: tf.Variable[]
  /**
   * Logits [n, h, w, outChannels] for x [n, h, w, inChannels] (h and w divisible by 2^(levels−1)).
   * Training mode normalises with batch statistics and updates the running ones.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D
  parameterCount(): number
  dispose(): void
}

export function createUNet(config: UNetConfig): UNet {
  const full: Required<UNetConfig> = {
    channels: [16, 32, 64, 128],
    momentum: 0.9,
    epsilon: 1e-3,
    seed: 1,
    name: `unet_${instances++}`,
    ...config
  }
  const { channels } = full
  let seed = full.seed
  const block = (inParts: number[], outC: number, blockName: string): ConvBnRelu => {
    const name = `${full.name}/${blockName}`
    return {
      // He initialisation uses the fan-in of the whole (concatenated) input.
      filters: inParts.map((inC, i) =>
        tf.variable(
          heNormal(
            [3, 3, inC, outC],
            inParts.reduce((a, b) => a + b, 0),
            seed++
          ),
          true,
          `${name}/filter${i}`
        )
      ),
      gamma: tf.variable(tf.ones([outC]), true, `${name}/gamma`),
      beta: tf.variable(tf.zeros([outC]), true, `${name}/beta`),
      runningMean: tf.variable(tf.zeros([outC]), false, `${name}/runningMean`),
      runningVariance: tf.variable(tf.ones([outC]), false, `${name}/runningVariance`)
    }
  }

  const down: [ConvBnRelu, ConvBnRelu][] = []
  channels.forEach((c, i) => {
    const inC = i === 0 ? full.inChannels : channels[i - 1]
    down.push([block([inC], c, `down${i}a`), block([c], c, `down${i}b`)])
  })
  const up: [ConvBnRelu, ConvBnRelu][] = []
  for (let i = channels.length - 2; i >= 0; i--) {
    up.push([
      block([channels[i + 1], channels[i]], channels[i], `up${i}a`),
      block([channels[i]], channels[i], `up${i}b`)
    ])
  }
  const headFilter = tf.variable(
    heNormal([1, 1, channels[0], full.outChannels], channels[0], seed++),
    true,
    `${full.name}/head/filter`
  )
  const headBias = tf.variable(tf.zeros([full.outChannels]), true, `${full.name}/head/bias`)

  const blocks = [...down.flat(), ...up.flat()]
  const trainable: tf.Variable[] = [...blocks.flatMap((b) => [...b.filters, b.gamma, b.beta]), headFilter, headBias]
  const statistics: tf.Variable[] = blocks.flatMap((b) => [b.runningMean, b.runningVariance])

  const layer = (parts: tf.Tensor4D[], b: ConvBnRelu, training: boolean): tf.Tensor4D => {
    if (!training) return inferenceLayer(parts, b, full.epsilon)
    const z = convolveParts(parts, b.filters)
    const { y, mean, variance } = batchNormRelu(z, b.gamma, b.beta, full.epsilon)
    updateRunningStatistics(b, mean, variance, full.momentum, z.size / z.shape[3])
    return y
  }

  const apply = (x: tf.Tensor4D, training: boolean): tf.Tensor4D =>
    tf.tidy(() => {
      const skips: tf.Tensor4D[] = []
      let h = x
      down.forEach(([a, b], i) => {
        if (i > 0) h = tf.maxPool(h, 2, 2, 'same')
        h = layer([layer([h], a, training)], b, training)
        skips.push(h)
      })
      up.forEach(([a, b], j) => {
        const skip = skips[skips.length - 2 - j]
        const upsampled = tf.image.resizeBilinear(h, [skip.shape[1], skip.shape[2]])
        h = layer([layer([upsampled, skip], a, training)], b, training)
      })
      return tf.add(tf.conv2d(h, headFilter as tf.Tensor4D, 1, 'same'), headBias)
    })

  return {
    config: full,
    trainable,
    statistics,
    apply,
    parameterCount: () => trainable.reduce((n, v) => n + v.size, 0),
    dispose: () => tf.dispose([...trainable, ...statistics])
  }
}

/**
 * Inference: batch norm with the running statistics is an affine map per output channel, folded
 * into the filter and a bias so each layer is one fused conv+bias+ReLU kernel call.
 */
function inferenceLayer(parts: tf.Tensor4D[], b: ConvBnRelu, epsilon: number): tf.Tensor4D {
  const scale = tf.mul(b.gamma, tf.rsqrt(tf.add(b.runningVariance, epsilon)))
  const bias = tf.sub(b.beta, tf.mul(b.runningMean, scale))
  // At inference one concatenation and one fused kernel beat per-part convolutions plus adds.
  const x = parts.length === 1 ? parts[0] : tf.concat(parts, 3)
  const filter = tf.mul(b.filters.length === 1 ? b.filters[0] : tf.concat(b.filters, 2), scale) as tf.Tensor4D
  return tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' })
}

function convolveParts(parts: tf.Tensor4D[], filters: tf.Variable<tf.Rank.R4>[]): tf.Tensor4D {
  const convs = parts.map((p, i) => tf.conv2d(p, filters[i] as tf.Tensor4D, 1, 'same'))
  return convs.length === 1 ? convs[0] : (tf.addN(convs) as tf.Tensor4D)
}

function updateRunningStatistics(
  b: ConvBnRelu,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  momentum: number,
  count: number
): void {
  // Unbiased variance for the running estimate, as Keras and PyTorch keep it.
  const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance
  b.runningMean.assign(tf.add(tf.mul(b.runningMean, momentum), tf.mul(mean, 1 - momentum)))
  b.runningVariance.assign(tf.add(tf.mul(b.runningVariance, momentum), tf.mul(unbiased, 1 - momentum)))
}

/** He-normal initialisation (std √(2 / fan_in)), truncated at 2σ like Keras's. */
function heNormal(shape: [number, number, number, number], inChannels: number, seed: number): tf.Tensor4D {
  const fanIn = shape[0] * shape[1] * inChannels
  return tf.truncatedNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed)
}
