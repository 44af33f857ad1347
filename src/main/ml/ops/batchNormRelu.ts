import * as tf from '@tensorflow/tfjs'
import { channelAffine, channelMean, channelSum } from './channelOps'

/**
 * relu(batchNorm(x)) with batch statistics over the batch and spatial axes (NHWC, training mode),
 * with a hand-written gradient.
 *
 * Same values and gradients as tf.moments + tf.batchNorm + tf.relu, but far fewer memory passes:
 * tfjs's automatic gradient of that chain makes about twenty full-size passes (the FusedBatchNorm
 * gradient alone reshapes, tiles and reduces repeatedly) and on the wasm backend those cost as much
 * as the convolutions. Here, with a = γ·σ⁻¹ and b = β − μ·a per channel:
 *
 *   forward   y = relu(a·x + b)                                         (one fused pass)
 *   backward  g = dy·[y > 0]
 *             dβ = Σ g      dγ = Σ g·x̂ = σ⁻¹·(Σ g·x − μ·Σ g)
 *             dx = a·(g − mean(g) − x̂·mean(g·x̂)) = a·g + k·x + m       (k, m per channel)
 *
 * Reductions are whole-image average pools and the affine maps 1×1 depthwise convolutions
 * (see channelOps). (Hand-written JavaScript passes over the wasm heap were tried for these and
 * were 3–5× slower than the composed XNNPACK kernels.)
 */
export interface BatchNormReluResult {
  y: tf.Tensor4D
  /** Batch mean and (biased) variance, for the running averages. */
  mean: tf.Tensor1D
  variance: tf.Tensor1D
}

/** `relu` false gives plain training-mode batch norm with the same closed-form gradient. */
export function batchNormRelu(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  relu = true
): BatchNormReluResult {
  // Computed by the forward function below (where no tape records them). The engine runs that
  // function inside its own tidy, so they are kept there and re-issued here as tensors of the
  // caller's scope.
  let statistics: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D]
    const save = args[3] as tf.GradSaveFunc
    // tidy: the centred square and the per-channel coefficients are not needed afterwards.
    const { mean, variance, y } = tf.tidy(() => {
      const [mu, sigma2] = channelMoments(input)
      const scale = tf.mul(g, tf.rsqrt(tf.add(sigma2, epsilon))) as tf.Tensor1D
      const offset = tf.sub(b, tf.mul(mu, scale)) as tf.Tensor1D
      return { mean: mu, variance: sigma2, y: channelAffine(input, scale, offset, relu) }
    })
    statistics = { mean: tf.keep(mean), variance: tf.keep(variance) }
    // The gradient reads these through save(): the engine keeps saved tensors alive past the
    // caller's tidy, which would otherwise dispose them before the backward pass.
    save([input, y, g, mean, variance])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        batchNormReluGradient(dy as tf.Tensor4D, saved as BatchNormReluSaved, epsilon, relu)
    }
  })
  const y = f(x, gamma, beta) as tf.Tensor4D
  if (statistics === undefined) throw new Error('batchNormRelu: forward pass did not run')
  const kept = statistics
  const result = { y, mean: tf.clone(kept.mean), variance: tf.clone(kept.variance) }
  tf.dispose([kept.mean, kept.variance])
  return result
}

type BatchNormReluSaved = [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D]

function batchNormReluGradient(
  dy: tf.Tensor4D,
  saved: BatchNormReluSaved,
  epsilon: number,
  relu: boolean
): tf.Tensor[] {
  const [x, y, gamma, mean, variance] = saved
  return tf.tidy(() => {
    const count = x.size / x.shape[3]
    // Through the ReLU: the gradient passes where the output is positive.
    const g = relu ? (tf.mul(dy, tf.step(y)) as tf.Tensor4D) : dy
    const sumG = channelSum(g)
    const sumGx = channelSum(tf.mul(g, x) as tf.Tensor4D)
    const rstd = tf.rsqrt(tf.add(variance, epsilon))
    const dGamma = tf.mul(rstd, tf.sub(sumGx, tf.mul(mean, sumG)))
    const scale = tf.mul(gamma, rstd) as tf.Tensor1D
    // x̂·mean(g·x̂) = x·σ⁻¹·m₂ − μ·σ⁻¹·m₂ with m₂ = dγ / N.
    const m2 = tf.div(dGamma, count)
    const k = tf.neg(tf.mul(scale, tf.mul(rstd, m2))) as tf.Tensor1D
    const m = tf.mul(scale, tf.sub(tf.mul(mean, tf.mul(rstd, m2)), tf.div(sumG, count))) as tf.Tensor1D
    const dx = tf.add(channelAffine(g, scale, null, false), channelAffine(x, k, m, false))
    return [dx, dGamma, sumG]
  })
}

/** Per-channel mean and biased variance. */
function channelMoments(x: tf.Tensor4D): [tf.Tensor1D, tf.Tensor1D] {
  const mean = channelMean(x)
  return [mean, channelMean(tf.squaredDifference(x, mean) as tf.Tensor4D)]
}
