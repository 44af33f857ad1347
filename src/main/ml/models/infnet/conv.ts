import * as tf from '@tensorflow/tfjs'
import { batchNorm, type ForwardContext } from '../../nn/layers'

/**
 * The forward context of the Inf-Net family. `macs`, when present, collects the multiply-accumulates
 * of every convolution so a probe pass can measure a network's cost without a separate formula that
 * could drift from the code.
 */
export interface ModelContext extends ForwardContext {
  macs?: { total: number }
}

export interface TorchConvOptions {
  filters: number
  kernel: number | [number, number]
  stride?: number
  dilation?: number
  /**
   * Symmetric zero padding per spatial axis, as PyTorch's `padding`. Default keeps the size at
   * stride 1 (dilation·(k−1)/2). Explicit padding (not tfjs 'same', which pads bottom/right first at
   * stride 2) keeps strided layers aligned with the reference code, so its checkpoints can be ported.
   */
  padding?: number | [number, number]
  /** Off by default: almost every convolution here feeds a batch norm, which cancels a bias. */
  bias?: boolean
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v
}

/** A 2D convolution with PyTorch padding semantics; parameters `${name}/kernel` (+ `/bias`). */
export function conv(ctx: ModelContext, name: string, x: tf.Tensor4D, o: TorchConvOptions): tf.Tensor4D {
  const [kh, kw] = pair(o.kernel)
  const dilation = o.dilation ?? 1
  const stride = o.stride ?? 1
  const [ph, pw] = o.padding === undefined ? [(dilation * (kh - 1)) >> 1, (dilation * (kw - 1)) >> 1] : pair(o.padding)
  const w = ctx.params.get(`${name}/kernel`, [kh, kw, x.shape[3], o.filters], 'heNormal') as tf.Tensor4D
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [ph, ph],
    [pw, pw],
    [0, 0]
  ]
  let y = tf.conv2d(x, w, stride, pad, 'NHWC', dilation)
  if (ctx.macs) ctx.macs.total += y.shape[0] * y.shape[1] * y.shape[2] * kh * kw * x.shape[3] * o.filters
  if (o.bias) y = tf.add(y, ctx.params.get(`${name}/bias`, [o.filters], 'zeros'))
  return y
}

/**
 * Inf-Net's BasicConv2d: convolution then batch norm, parameters under `${name}.conv` and
 * `${name}.bn` like the reference state dict. The reference class builds a ReLU but never applies
 * it; callers add `tf.relu` exactly where the reference does, so trained weights mean the same here.
 */
export function basicConv2d(ctx: ModelContext, name: string, x: tf.Tensor4D, o: TorchConvOptions): tf.Tensor4D {
  return batchNorm(ctx, `${name}.bn`, conv(ctx, `${name}.conv`, x, { ...o, bias: false }))
}
