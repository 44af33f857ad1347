import * as tf from '@tensorflow/tfjs'
import { convolution, type ForwardContext } from '../../nn/layers'
import { avgPoolCountingPad } from './pooling'

export interface Bottle2neckOptions {
  /** Output channels / expansion, as `planes` in the reference. */
  planes: number
  expansion: number
  /** Channels of one scale group: floor(planes · baseWidth / 64). */
  width: number
  scale: number
  stride: number
  /** The first block of a stage: groups do not cascade and the last group is average-pooled. */
  stage: boolean
  /** The shortcut needs a projection (channels or stride change). */
  downsample: boolean
}

/**
 * Res2Net's bottleneck (Gao et al.): a 1×1 conv widens to `scale` groups; group i > 0 is convolved
 * after adding the previous group's output, so the block sees a ladder of receptive fields; the
 * last group passes through untouched (or average-pooled in a stage's first block). v1b's shortcut
 * downsamples with an average pool before its 1×1 conv instead of a strided 1×1 conv, so no input
 * pixel is skipped.
 */
export function bottle2neck(ctx: ForwardContext, name: string, x: tf.Tensor4D, o: Bottle2neckOptions): tf.Tensor4D {
  const widened = convolution(ctx, x, {
    conv: `${name}.conv1`,
    norm: `${name}.bn1`,
    filters: o.width * o.scale,
    kernel: 1,
    act: 'relu'
  })
  const groups: tf.Tensor4D[] = o.scale === 1 ? [widened] : tf.split<tf.Tensor4D>(widened, o.scale, 3)
  const nums = o.scale === 1 ? 1 : o.scale - 1
  const outs: tf.Tensor4D[] = []
  let sp: tf.Tensor4D | undefined
  for (let i = 0; i < nums; i++) {
    const input: tf.Tensor4D = i === 0 || o.stage || sp === undefined ? groups[i] : tf.add<tf.Tensor4D>(sp, groups[i])
    sp = convolution(ctx, input, {
      conv: `${name}.convs.${i}`,
      norm: `${name}.bns.${i}`,
      filters: o.width,
      kernel: 3,
      stride: o.stride,
      act: 'relu'
    })
    outs.push(sp)
  }
  if (o.scale !== 1) outs.push(o.stage ? avgPoolCountingPad(groups[nums], 3, o.stride, 1) : groups[nums])
  const merged = outs.length === 1 ? outs[0] : tf.concat(outs, 3)
  const out = convolution(ctx, merged, {
    conv: `${name}.conv3`,
    norm: `${name}.bn3`,
    filters: o.planes * o.expansion,
    kernel: 1
  })
  const residual = o.downsample ? shortcut(ctx, `${name}.downsample`, x, o.planes * o.expansion, o.stride) : x
  return tf.relu(tf.add<tf.Tensor4D>(out, residual))
}

/**
 * v1b shortcut: AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False), 1×1 conv, BN.
 * Inputs are multiples of 32, so every pooled map has even size and 'valid' pooling is identical.
 */
function shortcut(ctx: ForwardContext, name: string, x: tf.Tensor4D, filters: number, stride: number): tf.Tensor4D {
  const pooled = stride > 1 ? tf.avgPool(x, stride, stride, 'valid') : x
  return convolution(ctx, pooled, { conv: `${name}.1`, norm: `${name}.2`, filters, kernel: 1 })
}
