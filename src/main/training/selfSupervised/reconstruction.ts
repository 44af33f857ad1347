import * as tf from '@tensorflow/tfjs'

/**
 * The inpainting loss: mean squared error over the erased region (weights 1 − M), plus
 * `contextWeight` × the mean squared error over the kept region (weights M), which keeps the
 * reconstruction anchored to what the network can see.
 *
 * @param prediction, target [N, H, W, 1]; keepMask [N, H, W, 1] in [0, 1] (1 = kept)
 */
export function reconstructionLoss(prediction: tf.Tensor4D, target: tf.Tensor4D, keepMask: tf.Tensor4D, contextWeight: number): tf.Scalar {
  return tf.tidy(() => {
    const squared = tf.squaredDifference(prediction, target)
    const erased = tf.sub(1, keepMask)
    const hole = tf.div(tf.sum(tf.mul(squared, erased)), tf.add(tf.sum(erased), 1e-6))
    if (contextWeight === 0) return hole as tf.Scalar
    const context = tf.div(tf.sum(tf.mul(squared, keepMask)), tf.add(tf.sum(keepMask), 1e-6))
    return tf.add(hole, tf.mul(context, contextWeight)) as tf.Scalar
  })
}

/** x ⊙ M: erased pixels become 0, the standardised input's mean grey. */
export function erase(x: tf.Tensor4D, keepMask: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(x, keepMask)
}
