import * as tf from '@tensorflow/tfjs'
import type { InputNormalisation } from '../models/infnet/config'
import { equaliseGrey } from './equalise'
import { envInputWindow } from '../../env'

/**
 * Grey slices (0–255, already lung-windowed) are scaled to [0, 1] and standardised with the
 * ImageNet statistics Inf-Net uses for its (grey-replicated) RGB input, averaged over channels.
 */
export const INPUT_MEAN = 0.449
export const INPUT_STD = 0.226

/**
 * The window that turns HU into the grey levels the network was trained on. The COVID-SemiSeg
 * training JPEGs are not in the radiologists' lung window: measured on them, aerated lung sits at
 * grey ≈ 25–60 and soft tissue ≈ 200, i.e. roughly centre −350 HU, width 1400 HU. Feeding the
 * brighter lung window (C −600 / W 1500, lung ≈ 75) makes normal lung look like ground glass.
 * A model's card records the window it was trained in (inputWindow); this one stands for a card that
 * does not. PULMO_INPUT_WINDOW="centre,width" overrides both for experiments.
 */
export const TRAINING_JPEG_WINDOW: Readonly<{ center: number; width: number }> = { center: -350, width: 1400 }

/** The HU window a model is fed in: the environment's override, else its card's, else TRAINING_JPEG_WINDOW. */
export function modelInputWindow(card?: { inputWindow?: { center: number; width: number } }): { center: number; width: number } {
  const w = envInputWindow() ?? card?.inputWindow ?? TRAINING_JPEG_WINDOW
  return { center: w.center, width: w.width }
}

/** Whether a CT series is inferred with horizontal-flip test-time augmentation: the card says (off for a card that does not). */
export function modelTestTimeFlip(card?: { inference?: { flip?: boolean } }): boolean {
  return card?.inference?.flip ?? false
}

/** [N, H, W, 1] grey 0–255 → the network's input scale. */
export function standardise(grey: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(tf.div(grey, 255), INPUT_MEAN), INPUT_STD))
}

/** A grey 8-bit image as a [1, H, W, 1] float tensor. */
export function greyTensor(data: Uint8Array, width: number, height: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(data), [1, height, width, 1])
}

/** The side a slice is resized to for the network: the model's input size. */
export function resizeForNetwork(x: tf.Tensor4D, size: number): tf.Tensor4D {
  return x.shape[1] === size && x.shape[2] === size ? x : tf.image.resizeBilinear(x, [size, size], false)
}

/** A grey slice (0–255) in the representation a network was trained on (its config's inputNormalisation). */
export function networkGrey(data: Uint8Array, normalisation: InputNormalisation | undefined): Uint8Array {
  return normalisation === 'equalised' ? equaliseGrey(data) : data
}
