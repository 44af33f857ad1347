import * as tf from '@tensorflow/tfjs'
import type { MultiClassConfig } from './config'
import { convolution, type ForwardContext } from '../../nn/layers'
import { upsampleAlignCorners } from './interpolate'

/**
 * (conv 3×3 → BN → ReLU) × 2, the U-Net unit. The reference convolutions carry a bias; it is
 * dropped here because the batch norm right after subtracts any constant per channel.
 */
function doubleConv(ctx: ForwardContext, name: string, x: tf.Tensor4D, filters: number, mid = filters): tf.Tensor4D {
  const a = convolution(ctx, x, {
    conv: `${name}.double_conv.0`,
    norm: `${name}.double_conv.1`,
    filters: mid,
    kernel: 3,
    act: 'relu'
  })
  return convolution(ctx, a, {
    conv: `${name}.double_conv.3`,
    norm: `${name}.double_conv.4`,
    filters,
    kernel: 3,
    act: 'relu'
  })
}

function down(ctx: ForwardContext, name: string, x: tf.Tensor4D, filters: number): tf.Tensor4D {
  return doubleConv(ctx, `${name}.maxpool_conv.1`, tf.maxPool(x, 2, 2, 'valid'), filters)
}

/** Bilinear ×2 (align corners, as the reference), concatenation with the skip, double conv. */
function up(ctx: ForwardContext, name: string, x: tf.Tensor4D, skip: tf.Tensor4D, filters: number): tf.Tensor4D {
  const merged = tf.concat([skip, upsampleAlignCorners(x, 2)], 3)
  return doubleConv(ctx, `${name}.conv`, merged, filters, merged.shape[3] >> 1)
}

/**
 * Multi-class Inf-Net: the reference's Inf_Net_UNet (bilinear variant, four levels) taking the
 * slice concatenated with Inf-Net's single-class infection probability. The prior tells the U-Net
 * where infection is, so it only has to learn which kind (ground-glass vs consolidation). It is
 * the project's one U-Net: the inpainting pretrainer and the engine benchmark build it too.
 *
 * @param x [N, H, W, config.channels] (slice, prior), H and W multiples of 16.
 * @returns [N, H, W, config.classes] logits; softmax over the last axis gives class probabilities.
 */
export function multiClassInfNet(ctx: ForwardContext, config: MultiClassConfig, x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w, c] = x.shape
  if (h % 16 !== 0 || w % 16 !== 0) throw new Error(`Multi-class Inf-Net needs a multiple of 16, got ${h}×${w}`)
  if (c !== config.channels) throw new Error(`Multi-class Inf-Net expects ${config.channels} input channels, got ${c}`)
  const f = config.baseFilters
  const x1 = doubleConv(ctx, 'inc', x, f)
  const x2 = down(ctx, 'down1', x1, 2 * f)
  const x3 = down(ctx, 'down2', x2, 4 * f)
  const x4 = down(ctx, 'down3', x3, 8 * f)
  // bilinear variant: the bottom stays at 8f so that up-sampled and skip features match
  const x5 = down(ctx, 'down4', x4, 8 * f)
  let y = up(ctx, 'up1', x5, x4, 4 * f)
  y = up(ctx, 'up2', y, x3, 2 * f)
  y = up(ctx, 'up3', y, x2, f)
  y = up(ctx, 'up4', y, x1, f)
  return convolution(ctx, y, { conv: 'outc.conv', filters: config.classes, kernel: 1 })
}

/** The U-Net's input: the slice and the infection prior stacked as channels. */
export function multiClassInput(image: tf.Tensor4D, prior: tf.Tensor4D): tf.Tensor4D {
  return tf.concat([image, prior], 3)
}
