import * as tf from '@tensorflow/tfjs'

export interface MultiClassLossOptions {
  /**
   * Per-class weights of the cross-entropy (background, ground-glass, consolidation). As in
   * PyTorch's CrossEntropyLoss(weight), the weighted sum is divided by the sum of the weights of
   * the pixels' true classes, so the loss stays on the scale of an unweighted mean.
   */
  classWeights?: number[]
  /** Weight of the soft Dice term (default 1; 0 leaves the cross-entropy alone). */
  diceWeight?: number
  /** Classes the Dice term averages over; default every class but 0 (background). */
  diceClasses?: number[]
}

export interface MultiClassLoss {
  total: tf.Scalar
  crossEntropy: tf.Scalar
  dice: tf.Scalar
}

/** Smoothing of the soft Dice: an absent class predicted absent scores 1, and the gradient stays finite. */
const DICE_SMOOTH = 1

/**
 * Loss of multi-class Inf-Net: softmax cross-entropy plus a soft Dice term.
 *
 * The reference trains its U-Net with BCE on per-class sigmoids; softmax cross-entropy is the
 * proper likelihood for mutually exclusive classes. Ground-glass and especially consolidation
 * cover a few percent of a slice, so cross-entropy alone is dominated by background; the Dice term
 * — per foreground class c, 1 − (2·Σ p_c·g_c + 1) / (Σ p_c + Σ g_c + 1) over the whole batch,
 * averaged over the classes — measures overlap independently of class size.
 *
 * @param logits [N, H, W, K]; target one-hot (or soft) [N, H, W, K].
 */
export function multiClassLoss(logits: tf.Tensor4D, target: tf.Tensor4D, options: MultiClassLossOptions = {}): MultiClassLoss {
  const k = logits.shape[3]
  const diceClasses = options.diceClasses ?? Array.from({ length: k - 1 }, (_, i) => i + 1)
  const diceWeight = options.diceWeight ?? 1
  return tf.tidy(() => {
    const perPixel = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1))
    let crossEntropy: tf.Scalar
    if (options.classWeights) {
      if (options.classWeights.length !== k) throw new Error(`classWeights needs ${k} values`)
      const pixelWeight = tf.sum(tf.mul(target, tf.tensor1d(options.classWeights)), -1)
      crossEntropy = tf.div(tf.sum(tf.mul(pixelWeight, perPixel)), tf.sum(pixelWeight)) as tf.Scalar
    } else {
      crossEntropy = tf.mean(perPixel) as tf.Scalar
    }
    let dice = tf.scalar(0)
    if (diceClasses.length > 0) {
      const prob = tf.softmax(logits)
      const select = tf.oneHot(tf.tensor1d(diceClasses, 'int32'), k).transpose() // [K, C]: picks the classes
      const p = tf.matMul(tf.reshape(prob, [-1, k]), select) // [pixels, C]
      const g = tf.matMul(tf.reshape(target, [-1, k]), select)
      const inter = tf.sum(tf.mul(p, g), 0)
      const sizes = tf.add(tf.sum(p, 0), tf.sum(g, 0))
      dice = tf.mean(tf.sub(1, tf.div(tf.add(tf.mul(2, inter), DICE_SMOOTH), tf.add(sizes, DICE_SMOOTH)))) as tf.Scalar
    }
    const total = tf.add(crossEntropy, tf.mul(diceWeight, dice)) as tf.Scalar
    return { total, crossEntropy, dice }
  })
}
