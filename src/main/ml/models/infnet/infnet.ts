import * as tf from '@tensorflow/tfjs'
import type { InfNetConfig } from './config'
import type { ForwardContext } from '../../nn/layers'
import { edgeAttention } from './edgeAttention'
import { interpolateBilinear } from './interpolate'
import { parallelPartialDecoder } from './parallelPartialDecoder'
import { receptiveFieldBlock } from './receptiveFieldBlock'
import { res2net } from './res2net'
import { reverseAttention } from './reverseAttention'
import { INFNET_VARIANTS } from './variants'

/**
 * Inf-Net's five outputs, all logits at the input's size (apply σ for probabilities). The final
 * segmentation is σ(s3). Training supervises global, s5, s4, s3 with the infection mask and edge
 * with the edge mask.
 */
export interface InfNetOutputs {
  /** S_g: the parallel partial decoder's coarse global map (computed at 1/8). */
  global: tf.Tensor4D
  /** S_5: reverse attention on layer4 (1/32). */
  s5: tf.Tensor4D
  /** S_4: reverse attention on layer3 (1/16). */
  s4: tf.Tensor4D
  /** S_3: reverse attention on layer2 (1/8): the prediction. */
  s3: tf.Tensor4D
  /** Edge-attention map (computed at 1/4). */
  edge: tf.Tensor4D
}

/**
 * Inf-Net (Fan et al. 2020), following the reference InfNet_Res2Net.py: backbone → RFBs on
 * layer2..4 → parallel partial decoder (S_g) → reverse attention from the deepest layer up, each
 * module fed by the edge-attention features → maps resampled to the input size.
 *
 * @param x [N, H, W, config.channels] or [N, H, W, 1] (replicated), H and W multiples of 32.
 */
export function infNet(ctx: ForwardContext, config: InfNetConfig, x: tf.Tensor4D): InfNetOutputs {
  const [, h, w, c] = x.shape
  if (h % 32 !== 0 || w % 32 !== 0) throw new Error(`Inf-Net needs a size that is a multiple of 32, got ${h}×${w}`)
  let input = x
  if (c !== config.channels) {
    if (c !== 1) throw new Error(`Inf-Net expects 1 or ${config.channels} input channels, got ${c}`)
    // concatenation, not tile: the same values, and wasm's Tile kernel cost 1.8 s of a 118-slice volume
    input = tf.concat(
      Array.from({ length: config.channels }, () => x),
      3
    )
  }
  const { backbone, head } = INFNET_VARIANTS[config.backbone]
  const { x1, x2, x3, x4 } = res2net(ctx, backbone, input)

  const f3 = receptiveFieldBlock(ctx, 'rfb2_1', x2, head.rfb)
  const f4 = receptiveFieldBlock(ctx, 'rfb3_1', x3, head.rfb)
  const f5 = receptiveFieldBlock(ctx, 'rfb4_1', x4, head.rfb)

  const edge = edgeAttention(ctx, 'edge', x1, head.edge)
  const global = parallelPartialDecoder(ctx, 'ParDec', f5, f4, f3)

  const s5 = reverseAttention(ctx, 'ra4', x4, global, edge.features, head.ra4)
  const s4 = reverseAttention(ctx, 'ra3', x3, s5, edge.features, head.ra3)
  const s3 = reverseAttention(ctx, 'ra2', x2, s4, edge.features, head.ra2)

  const full = (t: tf.Tensor4D): tf.Tensor4D => interpolateBilinear(t, h, w, ctx.training)
  return { global: full(global), s5: full(s5), s4: full(s4), s3: full(s3), edge: full(edge.edge) }
}
