import * as tf from '@tensorflow/tfjs'

/**
 * Mean binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the logits
 * in the overflow-free form max(z, 0) − z·t + log(1 + e^(−|z|)) (never log of a saturated sigmoid).
 */
export function sigmoidBinaryCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perPixel = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))
    return tf.mean(perPixel)
  })
}
