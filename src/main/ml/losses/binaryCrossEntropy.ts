import * as tf from '@tensorflow/tfjs'

/**
 * Per-element binary cross-entropy of logits x against targets y in [0, 1], in the overflow-free
 * form max(x, 0) − x·y + log(1 + e^−|x|) (PyTorch's binary_cross_entropy_with_logits).
 */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))
  )
}

/** Mean BCE over every element: PyTorch's BCEWithLogitsLoss(), Inf-Net's edge loss. */
export function meanBceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(bceWithLogits(logits, targets)))
}
