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
  /**
   * When present, collects the multiply-accumulates of every convolution, so a probe pass measures a
   * network's cost without a separate formula that could drift from the code.
   */
  macs?: { total: number }
}

/**
 * The one convolution block of every network here (MONAI's Convolution): convolution, then batch
 * norm if `norm` names one, then the activation. Parameter names are given in full, because they are
 * the names the saved models and the reference checkpoints use: `<conv>/kernel` (+ `<conv>/bias`),
 * `<norm>/gamma`, `<norm>/beta`, `<norm>/moving_mean`, `<norm>/moving_variance`.
 */
export interface ConvolutionOptions {
  /** Name of the convolution's parameters. */
  conv: string
  /** Name of the batch norm's parameters; absent, no normalisation. */
  norm?: string
  /** Applied last; absent, the block is linear after the norm. */
  act?: 'relu'
  filters: number
  kernel: number | [number, number]
  stride?: number
  dilation?: number
  /**
   * A number or per-axis pair is symmetric zero padding, as PyTorch's `padding`; the default keeps
   * the size at stride 1 (dilation·(k−1)/2). Explicit padding (not tfjs 'same', which pads
   * bottom/right first at stride 2) keeps strided layers aligned with the reference code, so its
   * checkpoints can be ported. 'same' and 'valid' are tfjs's own.
   */
  padding?: number | [number, number] | 'same' | 'valid'
  /** Default: a bias only without a norm (a batch norm's β replaces it). */
  bias?: boolean
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v
}

export function convolution(ctx: ForwardContext, x: tf.Tensor4D, o: ConvolutionOptions): tf.Tensor4D {
  const [kh, kw] = pair(o.kernel)
  const dilation = o.dilation ?? 1
  const stride = o.stride ?? 1
  const w = ctx.params.get(`${o.conv}/kernel`, [kh, kw, x.shape[3], o.filters], 'heNormal') as tf.Tensor4D
  const padding = o.padding ?? [(dilation * (kh - 1)) >> 1, (dilation * (kw - 1)) >> 1]
  let pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]
  if (typeof padding === 'string') pad = padding
  else {
    const [ph, pw] = pair(padding)
    pad = [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0]
    ]
  }
  const bias = (o.bias ?? o.norm === undefined) ? ctx.params.get(`${o.conv}/bias`, [o.filters], 'zeros') : undefined
  let y: tf.Tensor4D
  if (!ctx.training) {
    // inference: the batch norm folded into the filter and bias, bias and activation fused into the
    // convolution (one kernel, and on the native engine one oneDNN primitive with post-ops)
    const folded = o.norm === undefined ? { filter: w, bias } : foldBatchNorm(ctx, o.norm, w, bias)
    y = tf.fused.conv2d({
      x,
      filter: folded.filter,
      strides: stride,
      pad,
      dataFormat: 'NHWC',
      dilations: dilation,
      bias: folded.bias,
      activation: o.act ?? 'linear'
    })
  } else {
    y = tf.conv2d(x, w, stride, pad, 'NHWC', dilation)
    if (bias) y = tf.add(y, bias)
    if (o.norm !== undefined) y = batchNorm(ctx, o.norm, y)
    if (o.act === 'relu') y = tf.relu(y)
  }
  if (ctx.macs) ctx.macs.total += y.shape[0] * y.shape[1] * y.shape[2] * kh * kw * x.shape[3] * o.filters
  return y
}

/**
 * A convolution followed by inference batch norm as one convolution: with s = γ / √(σ² + ε) per
 * output channel, BN(conv(x, W) + b) = conv(x, W·s) + (b − μ)·s + β. Computed from the
 * parameters once and kept by the parameter store until one of them changes (ParameterStore.derived),
 * so a network validated between training steps never uses stale folded weights.
 */
function foldBatchNorm(
  ctx: ForwardContext,
  name: string,
  w: tf.Tensor4D,
  bias: tf.Tensor | undefined
): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const { gamma, beta, movingMean, movingVar } = normParameters(ctx, name, w.shape[3])
  const [filter, folded] = ctx.params.derived(
    `${name}/folded`,
    [w, gamma, beta, movingMean, movingVar, ...(bias ? [bias] : [])],
    () => {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(movingVar, BN_EPSILON)))
      const centred = bias ? tf.sub(bias, movingMean) : tf.neg(movingMean)
      return [tf.mul(w, scale), tf.add(tf.mul(centred, scale), beta)]
    }
  )
  return { filter: filter as tf.Tensor4D, bias: folded as tf.Tensor1D }
}

/**
 * The parameter names of Inf-Net's BasicConv2d (`<name>.conv`, `<name>.bn`), as in the reference
 * state dict. The reference class builds a ReLU but never applies it, so none is added here either.
 */
export function basicConv2d(name: string): Pick<ConvolutionOptions, 'conv' | 'norm'> {
  return { conv: `${name}.conv`, norm: `${name}.bn` }
}

const BN_MOMENTUM = 0.9
const BN_EPSILON = 1e-5

function normParameters(
  ctx: ForwardContext,
  name: string,
  c: number
): { gamma: tf.Tensor; beta: tf.Tensor; movingMean: tf.Variable; movingVar: tf.Variable } {
  return {
    gamma: ctx.params.get(`${name}/gamma`, [c], 'ones'),
    beta: ctx.params.get(`${name}/beta`, [c], 'zeros'),
    movingMean: ctx.params.get(`${name}/moving_mean`, [c], 'zeros', false) as tf.Variable,
    movingVar: ctx.params.get(`${name}/moving_variance`, [c], 'ones', false) as tf.Variable
  }
}

/** Batch normalisation over N, H, W with learned scale/offset and moving statistics for inference. */
function batchNorm(ctx: ForwardContext, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const { gamma, beta, movingMean, movingVar } = normParameters(ctx, name, x.shape[3])
  if (!ctx.training) {
    return tf.batchNorm(
      x,
      movingMean as tf.Tensor1D,
      movingVar as tf.Tensor1D,
      beta as tf.Tensor1D,
      gamma as tf.Tensor1D,
      BN_EPSILON
    )
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

/** Applies and disposes the moving-average updates a training forward pass queued. */
export function applyPendingUpdates(ctx: ForwardContext): void {
  for (const u of ctx.pendingUpdates ?? []) {
    u.variable.assign(u.value)
    u.value.dispose()
  }
  if (ctx.pendingUpdates) ctx.pendingUpdates.length = 0
}
