import * as tf from '@tensorflow/tfjs'
import { batchNormRelu } from '../ops/batchNormRelu'
import type { ParameterStore } from './parameters'

/**
 * The forward-pass context of a network: its parameters and whether it is training (batch norm
 * then normalises with batch statistics and queues updates of its moving averages).
 */
export interface ForwardContext {
  params: ParameterStore
  training: boolean
  /** Moving-average updates computed in a training step, applied by the trainer after the step. */
  pendingUpdates?: Array<{ variable: tf.Variable; value: tf.Tensor }>
}

export interface ConvOptions {
  filters: number
  kernel: number | [number, number]
  stride?: number
  dilation?: number
  bias?: boolean
  /** 'same' keeps size/stride; explicit numbers pad symmetrically. */
  padding?: 'same' | 'valid'
}

export function conv2d(ctx: ForwardContext, name: string, x: tf.Tensor4D, o: ConvOptions): tf.Tensor4D {
  const [kh, kw] = typeof o.kernel === 'number' ? [o.kernel, o.kernel] : o.kernel
  const inChannels = x.shape[3]
  const w = ctx.params.get(`${name}/kernel`, [kh, kw, inChannels, o.filters], 'heNormal')
  const stride = o.stride ?? 1
  const dilation = o.dilation ?? 1
  let y = tf.conv2d(x, w as tf.Tensor4D, stride, o.padding ?? 'same', 'NHWC', dilation)
  if (o.bias ?? true) y = tf.add(y, ctx.params.get(`${name}/bias`, [o.filters], 'zeros'))
  return y
}

const BN_MOMENTUM = 0.9
const BN_EPSILON = 1e-5

/** Batch normalisation over N, H, W with learned scale/offset and moving statistics for inference. */
export function batchNorm(ctx: ForwardContext, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const c = x.shape[3]
  const gamma = ctx.params.get(`${name}/gamma`, [c], 'ones')
  const beta = ctx.params.get(`${name}/beta`, [c], 'zeros')
  const movingMean = ctx.params.get(`${name}/moving_mean`, [c], 'zeros', false)
  const movingVar = ctx.params.get(`${name}/moving_variance`, [c], 'ones', false)
  if (!ctx.training) {
    return tf.batchNorm(x, movingMean as tf.Tensor1D, movingVar as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, BN_EPSILON)
  }
  // batchNormRelu's closed-form gradient: tfjs's own batch-norm gradient tiles to the full
  // activation size and costs as much as the convolutions on wasm.
  const { y, mean, variance } = batchNormRelu(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, BN_EPSILON, false)
  ctx.pendingUpdates?.push(
    { variable: movingMean, value: tf.keep(tf.add(tf.mul(movingMean, BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM))) },
    { variable: movingVar, value: tf.keep(tf.add(tf.mul(movingVar, BN_MOMENTUM), tf.mul(variance, 1 - BN_MOMENTUM))) }
  )
  return y
}

/** conv → batch norm → ReLU, the unit most of Inf-Net is built from ("BasicConv2d"). */
export function convBnRelu(ctx: ForwardContext, name: string, x: tf.Tensor4D, o: ConvOptions, relu = true): tf.Tensor4D {
  const y = batchNorm(ctx, `${name}/bn`, conv2d(ctx, `${name}/conv`, x, { ...o, bias: false }))
  return relu ? tf.relu(y) : y
}

export function upsample(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  return tf.image.resizeBilinear(x, [Math.round(x.shape[1] * factor), Math.round(x.shape[2] * factor)], false)
}

export function resizeTo(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return x.shape[1] === h && x.shape[2] === w ? x : tf.image.resizeBilinear(x, [h, w], false)
}

export function maxPool(x: tf.Tensor4D, size = 2, stride = size): tf.Tensor4D {
  return tf.maxPool(x, size, stride, 'same')
}

/** Applies and disposes the moving-average updates a training forward pass queued. */
export function applyPendingUpdates(ctx: ForwardContext): void {
  for (const u of ctx.pendingUpdates ?? []) {
    u.variable.assign(u.value)
    u.value.dispose()
  }
  if (ctx.pendingUpdates) ctx.pendingUpdates.length = 0
}
