import * as tf from '@tensorflow/tfjs'
import { bottle2neck } from './bottle2neck'
import { convolution, type ForwardContext } from '../../nn/layers'
import { maxPoolPadded } from './pooling'

/** The shape of a Res2Net v1b backbone. */
export interface Res2NetSpec {
  /** Output channels of the three 3×3 stem convolutions (v1b's deep stem). */
  stem: [number, number, number]
  /** `planes` of layer1..layer4; a layer outputs planes · expansion channels. */
  planes: [number, number, number, number]
  /** Bottle2neck blocks per layer. */
  blocks: [number, number, number, number]
  baseWidth: number
  scale: number
  expansion: number
}

/** The four feature maps Inf-Net taps. */
export interface BackboneFeatures {
  /** layer1, 1/4 resolution: low-level features for edge attention (the paper's f2). */
  x1: tf.Tensor4D
  /** layer2, 1/8 (f3). */
  x2: tf.Tensor4D
  /** layer3, 1/16 (f4). */
  x3: tf.Tensor4D
  /** layer4, 1/32 (f5). */
  x4: tf.Tensor4D
}

/**
 * Res2Net v1b (the Inf-Net reference's Res2Net.py) without its classifier: the deep stem
 * (3×3/2 → 3×3 → 3×3, BN, ReLU), a 3×3/2 max pool, then four layers of Bottle2neck blocks, the
 * first block of layers 2–4 striding by 2. Parameter names follow the reference (`resnet.layer2.0.
 * convs.1/kernel` ↔ `resnet.layer2.0.convs.1.weight`) so pretrained weights can be ported by name.
 */
export function res2net(ctx: ForwardContext, spec: Res2NetSpec, x: tf.Tensor4D, name = 'resnet'): BackboneFeatures {
  const [s1, s2, s3] = spec.stem
  let y = convolution(ctx, x, {
    conv: `${name}.conv1.0`,
    norm: `${name}.conv1.1`,
    filters: s1,
    kernel: 3,
    stride: 2,
    act: 'relu'
  })
  y = convolution(ctx, y, { conv: `${name}.conv1.3`, norm: `${name}.conv1.4`, filters: s2, kernel: 3, act: 'relu' })
  y = convolution(ctx, y, { conv: `${name}.conv1.6`, norm: `${name}.bn1`, filters: s3, kernel: 3, act: 'relu' })
  y = maxPoolPadded(y, 3, 2, 1)

  const features: tf.Tensor4D[] = []
  let inChannels = s3
  for (let layer = 0; layer < 4; layer++) {
    const planes = spec.planes[layer]
    const stride = layer === 0 ? 1 : 2
    const width = Math.floor((planes * spec.baseWidth) / 64)
    for (let b = 0; b < spec.blocks[layer]; b++) {
      const first = b === 0
      y = bottle2neck(ctx, `${name}.layer${layer + 1}.${b}`, y, {
        planes,
        expansion: spec.expansion,
        width,
        scale: spec.scale,
        stride: first ? stride : 1,
        stage: first,
        downsample: first && (stride !== 1 || inChannels !== planes * spec.expansion)
      })
      inChannels = planes * spec.expansion
    }
    features.push(y)
  }
  const [x1, x2, x3, x4] = features
  return { x1, x2, x3, x4 }
}
