import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ParameterStore } from '../../../../src/main/ml/nn/parameters'
import { res2net } from '../../../../src/main/ml/models/infnet/res2net'
import { INFNET_VARIANTS } from '../../../../src/main/ml/models/infnet/variants'
import { useCpuBackend } from './cpuBackend'

describe('Res2Net v1b backbones', () => {
  let params: ParameterStore | undefined
  beforeAll(useCpuBackend)
  afterEach(() => params?.dispose())

  function features(name: 'lite' | 'res2net50'): number[][] {
    params = new ParameterStore(1)
    const store = params
    return tf.tidy(() => {
      const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D
      const f = res2net({ params: store, training: false }, INFNET_VARIANTS[name].backbone, x)
      return [f.x1, f.x2, f.x3, f.x4].map((t) => t.shape)
    })
  }

  it('res2net50: features at 1/4..1/32 with 256..2048 channels, 23.67 M parameters', () => {
    expect(features('res2net50')).toEqual([
      [1, 16, 16, 256],
      [1, 8, 8, 512],
      [1, 4, 4, 1024],
      [1, 2, 2, 2048]
    ])
    // Res2Net-50 v1b 26w×4s is 25.70 M parameters with its ImageNet classifier (2048·1000 + 1000);
    // the backbone alone is the rest.
    expect(params?.count()).toBe(23_669_352)
    expect(params?.count() ?? 0).toBe(25_718_352 - (2048 * 1000 + 1000))
    // PyTorch-named parameters, so reference weights can be ported by name
    expect(params?.variables.has('resnet.layer2.0.convs.2/kernel')).toBe(true)
    expect(params?.variables.get('resnet.layer2.0.downsample.1/kernel')?.shape).toEqual([1, 1, 256, 512])
  })

  it('lite: the same strides at a quarter of the width', () => {
    expect(features('lite')).toEqual([
      [1, 16, 16, 64],
      [1, 8, 8, 128],
      [1, 4, 4, 256],
      [1, 2, 2, 512]
    ])
    expect(params?.count()).toBe(878_210)
  })
})
