import * as tf from '@tensorflow/tfjs'

/**
 * relu(batchNorm(x)) over the batch and spatial axes (NHWC, training-mode statistics), with a
 * hand-written gradient.
 *
 * Same semantics as tf.moments + tf.batchNorm + tf.relu, but tfjs's automatic gradient of that
 * chain is about twenty full-size tensor passes (the FusedBatchNorm gradient alone reshapes, tiles
 * and reduces repeatedly), and on the wasm backend those memory-bound passes cost as much as the
 * convolutions. The closed form
 *
 *   g  = dy · [y > 0]          x̂ = (x − μ)·σ⁻¹
 *   dx = γσ⁻¹ · (g − mean(g) − x̂ · mean(g·x̂))      dγ = Σ g·x̂      dβ = Σ g
 *
 * needs about eight, with the per-channel affine steps done by the one-pass FusedBatchNorm kernel.
 */
export function batchNormRelu(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number
): { y: tf.Tensor4D; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  // Statistics are outputs for the running averages; they carry no gradient of their own because
  // the closed form already accounts for the dependence of μ and σ on x.
  const { mean, variance } = tf.tidy(() => {
    const m = tf.moments(x, [0, 1, 2])
    return { mean: m.mean as tf.Tensor1D, variance: m.variance as tf.Tensor1D }
  })
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D]
    const save = args[3] as tf.GradSaveFunc
    const y = tf.relu(tf.batchNorm(input, mean, variance, b, g, epsilon)) as tf.Tensor4D
    // Everything the gradient reads goes through save(): the engine keeps saved tensors alive past
    // the caller's tidy, which would otherwise dispose the statistics before the backward pass.
    save([input, g, y, mean, variance])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        batchNormReluGradient(dy as tf.Tensor4D, saved as BatchNormReluSaved, epsilon)
    }
  })
  const y = f(x, gamma, beta) as tf.Tensor4D
  return { y, mean, variance }
}

type BatchNormReluSaved = [tf.Tensor4D, tf.Tensor1D, tf.Tensor4D, tf.Tensor1D, tf.Tensor1D]

function batchNormReluGradient(dy: tf.Tensor4D, saved: BatchNormReluSaved, epsilon: number): tf.Tensor[] {
  const [x, gamma, y, mean, variance] = saved
  return tf.tidy(() => {
    const count = x.size / x.shape[3]
    const axes = [0, 1, 2]
    // Through the ReLU: the gradient passes where the output is positive.
    const g = tf.mul(dy, tf.step(y))
    const normalized = tf.batchNorm(x, mean, variance, undefined, undefined, epsilon)
    const sumG = tf.sum(g, axes) as tf.Tensor1D
    const sumGx = tf.sum(tf.mul(g, normalized), axes) as tf.Tensor1D
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon))) as tf.Tensor1D
    // dx = scale·g − (scale·mean(g·x̂))·x̂ − scale·mean(g): two per-channel affine maps, each one
    // FusedBatchNorm pass (mean 0, variance 1 − ε makes its normalisation the identity).
    const zeros = tf.zerosLike(mean)
    const unit = tf.fill(mean.shape, 1 - epsilon) as tf.Tensor1D
    const fromG = tf.batchNorm(g, zeros, unit, undefined, scale, epsilon)
    const fromX = tf.batchNorm(
      normalized,
      zeros,
      unit,
      tf.neg(tf.mul(scale, tf.div(sumG, count))) as tf.Tensor1D,
      tf.neg(tf.mul(scale, tf.div(sumGx, count))) as tf.Tensor1D,
      epsilon
    )
    return [tf.add(fromG, fromX), sumGx, sumG]
  })
}
