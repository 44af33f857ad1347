import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/ml/engine'
import { createUNet, type UNet } from '../../../src/main/ml/models/unet'
import { sigmoidBinaryCrossEntropy } from '../../../src/main/ml/ops/sigmoidBinaryCrossEntropy'

/** A disc on a noisy background: a target a U-Net learns within a few steps. */
function discBatch(n: number, size: number): { images: tf.Tensor4D; masks: tf.Tensor4D } {
  return tf.tidy(() => {
    const coords = tf.linspace(-1, 1, size)
    const r2 = tf.add(tf.square(tf.reshape(coords, [size, 1])), tf.square(tf.reshape(coords, [1, size])))
    const mask = tf.cast(tf.less(r2, 0.35), 'float32')
    const masks = tf.tile(tf.reshape(mask, [1, size, size, 1]), [n, 1, 1, 1]) as tf.Tensor4D
    const images = tf.add(tf.mul(masks, 0.6), tf.randomUniform([n, size, size, 1], 0, 0.4, 'float32', 3)) as tf.Tensor4D
    return { images, masks }
  })
}

function variable(model: UNet, suffix: string): tf.Variable {
  const v = [...model.trainable, ...model.statistics].find((t) => t.name.endsWith(suffix))
  if (v === undefined) throw new Error(`no variable ${suffix}`)
  return v
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm', log: () => undefined })
})

describe('U-Net 16-32-64-128', () => {
  let model: UNet
  afterAll(() => model?.dispose())

  it('has the benchmark size: 487 713 parameters (two 3×3 convs per level, batch norm, 1×1 head)', () => {
    model = createUNet({ inChannels: 1, outChannels: 1 })
    expect(model.parameterCount()).toBe(487_713)
    const y = model.apply(tf.zeros([2, 32, 48, 1]), false)
    expect(y.shape).toEqual([2, 32, 48, 1])
    y.dispose()
  })

  it('trains: BCE falls over 8 Adam steps on a disc (wasm, batch 2, 32×32)', async () => {
    const net = createUNet({ inChannels: 1, outChannels: 1, seed: 5 })
    const { images, masks } = discBatch(2, 32)
    const optimizer = tf.train.adam(1e-2)
    const losses: number[] = []
    for (let step = 0; step < 8; step++) {
      const loss = optimizer.minimize(
        () => sigmoidBinaryCrossEntropy(net.apply(images, true), masks),
        true,
        net.trainable
      )
      losses.push((await loss?.data())?.[0] ?? NaN)
      loss?.dispose()
    }
    expect(losses.every(Number.isFinite)).toBe(true)
    expect(losses[7]).toBeLessThan(0.7 * losses[0])
    // Running statistics moved away from their initial (0, 1).
    expect(Math.abs((await variable(net, 'down0a/runningMean').data())[0])).toBeGreaterThan(1e-4)
    tf.dispose([images, masks])
    optimizer.dispose()
    net.dispose()
  })

  it('inference (batch norm folded into the convolutions) equals conv → batch norm → ReLU with running statistics', async () => {
    const net = createUNet({ inChannels: 1, outChannels: 1, channels: [4, 8], seed: 9, name: 'folding' })
    // Non-trivial statistics and affine parameters, so the folding is exercised.
    for (const [suffix, values] of [
      ['down0a/runningMean', [0.1, -0.2, 0.3, 0]],
      ['down0a/runningVariance', [0.5, 2, 1.5, 0.8]],
      ['down0a/gamma', [1.2, 0.7, -0.5, 1]],
      ['up0a/beta', [0.05, -0.1, 0.2, 0.3]],
      ['up0a/runningMean', [0.3, 0.1, -0.2, 0.4]]
    ] as const) {
      variable(net, suffix).assign(tf.tensor1d([...values]))
    }
    const x = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 4) as tf.Tensor4D
    const layer = (parts: tf.Tensor4D[], block: string): tf.Tensor4D => {
      const filters = parts.map((_, i) => variable(net, `${block}/filter${i}`) as tf.Tensor4D)
      const z = tf.addN(parts.map((p, i) => tf.conv2d(p, filters[i], 1, 'same'))) as tf.Tensor4D
      const bn = tf.batchNorm(
        z,
        variable(net, `${block}/runningMean`) as tf.Tensor1D,
        variable(net, `${block}/runningVariance`) as tf.Tensor1D,
        variable(net, `${block}/beta`) as tf.Tensor1D,
        variable(net, `${block}/gamma`) as tf.Tensor1D,
        net.config.epsilon
      )
      return tf.relu(bn)
    }
    const expected = tf.tidy(() => {
      const d0 = layer([layer([x], 'down0a')], 'down0b')
      const d1 = layer([layer([tf.maxPool(d0, 2, 2, 'same')], 'down1a')], 'down1b')
      const up = tf.image.resizeBilinear(d1, [8, 8])
      const u0 = layer([layer([up, d0], 'up0a')], 'up0b')
      return tf.add(tf.conv2d(u0, variable(net, 'head/filter') as tf.Tensor4D, 1, 'same'), variable(net, 'head/bias'))
    })
    const actual = net.apply(x, false)
    const diff = tf.max(tf.abs(tf.sub(actual, expected)))
    expect((await diff.data())[0]).toBeLessThan(1e-5 * Math.max(1, (await tf.max(tf.abs(expected)).data())[0]))
    tf.dispose([x, expected, actual, diff])
    net.dispose()
  })

  it('releases every tensor of a training step', () => {
    const net = createUNet({ inChannels: 1, outChannels: 1, channels: [4, 8], name: 'leaks' })
    const { images, masks } = discBatch(1, 16)
    const optimizer = tf.train.adam(1e-3)
    const step = (): void => {
      optimizer.minimize(() => sigmoidBinaryCrossEntropy(net.apply(images, true), masks), false, net.trainable)
    }
    step() // creates Adam's slots
    const before = tf.memory().numTensors
    step()
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([images, masks])
    optimizer.dispose()
    net.dispose()
  })
})
