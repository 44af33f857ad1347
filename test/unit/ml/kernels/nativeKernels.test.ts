import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../../src/main/ml/engine'
import { infNetLoss, multiClassLoss } from '../../../../src/main/ml/losses'
import { createNetwork, defaultInfNetConfig, defaultMultiClassConfig } from '../../../../src/main/ml/models/infnet'
import { applyPendingUpdates, type ForwardContext } from '../../../../src/main/ml/nn/layers'
import { heapView, loadNativeAddon, nativeAddonInfo, type NativeAddon } from '../../../../src/main/ml/kernels/nativeAddon'
import { nativeKernelsEnabled, setNativeKernels } from '../../../../src/main/ml/kernels/nativeKernel'
import { NATIVE_EXPECTED } from '../../../helpers/nativeEngine'
import { maxAbs, relativeMaxDiff, seededTensor } from '../backendCompare'

/**
 * Every native oneDNN kernel against the cpu backend (tfjs's plain-JavaScript reference) on the
 * shapes, strides, dilations and paddings Pulmo's networks use, forward and gradients. The loss
 * Σ f(x)·r with a fixed random r makes the upstream gradient non-uniform, so offset or flip
 * mistakes cannot cancel out. Relative error = max |native − cpu| / max |cpu|; measured ≤ 2e-6 on
 * outputs and input gradients and ≤ 1e-6 on filter gradients here (float32 summation order).
 */
const TOLERANCE = 1e-5

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]
type Shape4 = [number, number, number, number]

let addon: NativeAddon | undefined

async function onNative(compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend('wasm')
  setNativeKernels(addon)
  return read(compute)
}

async function onCpu(compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend('cpu')
  return read(compute)
}

async function read(compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  const outputs = compute()
  const values = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array))
  tf.dispose(outputs)
  return values
}

/** Native vs cpu for one computation; returns the relative errors, each checked. */
async function compare(compute: () => tf.Tensor[]): Promise<number[]> {
  const native = await onNative(compute)
  const cpu = await onCpu(compute)
  await tf.setBackend('wasm')
  return native.map((values, i) => {
    expect(values.length).toBe(cpu[i].length)
    expect(maxAbs(cpu[i])).toBeGreaterThan(1e-3)
    const error = relativeMaxDiff(values, cpu[i])
    expect(error).toBeLessThan(TOLERANCE)
    return error
  })
}

/** Forward and both gradients of a convolution under Σ conv(x, w)·r. */
function convAndGradients(xShape: Shape4, filterShape: Shape4, strides: number, pad: Pad, dilation: number): () => tf.Tensor[] {
  return () =>
    tf.tidy(() => {
      const x = seededTensor(xShape, 1) as tf.Tensor4D
      const w = seededTensor(filterShape, 2) as tf.Tensor4D
      const y = tf.conv2d(x, w, strides, pad, 'NHWC', dilation)
      const r = seededTensor(y.shape, 3)
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad, 'NHWC', dilation), r))
      )([x, w])
      return [y, dx, dw]
    })
}

const runIf = NATIVE_EXPECTED ? describe : describe.skip

runIf('native oneDNN kernels', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'native', threads: 2, log: () => undefined })
    addon = loadNativeAddon()
    expect(addon).toBeDefined()
    expect(nativeKernelsEnabled()).toBe(true)
    expect(nativeAddonInfo()?.onednn).toBe('2.6.3')
  })

  // The convolutions of Inf-Net (lite and Res2Net-50: 7×7/2 stem, 3×3, 1×1, RFB's 1×k, k×1 and
  // dilated 3×3), of the U-Net (3×3 same) and of the gradient paths (stride 2, odd sizes, padding).
  const convCases: { name: string; x: Shape4; w: Shape4; s: number; pad: Pad; d: number }[] = [
    { name: '3×3 same', x: [2, 13, 11, 5], w: [3, 3, 5, 7], s: 1, pad: 'same', d: 1 },
    { name: '3×3 valid', x: [2, 13, 11, 5], w: [3, 3, 5, 7], s: 1, pad: 'valid', d: 1 },
    { name: '3×3 stride 2 same, odd size', x: [2, 13, 11, 4], w: [3, 3, 4, 6], s: 2, pad: 'same', d: 1 },
    { name: '3×3 stride 2 valid, odd size', x: [2, 13, 11, 4], w: [3, 3, 4, 6], s: 2, pad: 'valid', d: 1 },
    { name: '7×7 stride 2 stem', x: [1, 32, 32, 3], w: [7, 7, 3, 8], s: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]], d: 1 },
    { name: '1×1', x: [2, 9, 9, 16], w: [1, 1, 16, 8], s: 1, pad: 'valid', d: 1 },
    { name: '1×3 RFB', x: [2, 12, 12, 6], w: [1, 3, 6, 6], s: 1, pad: 'same', d: 1 },
    { name: '5×1 RFB', x: [2, 12, 12, 6], w: [5, 1, 6, 6], s: 1, pad: 'same', d: 1 },
    { name: '3×3 dilation 3', x: [2, 16, 14, 4], w: [3, 3, 4, 5], s: 1, pad: 'same', d: 3 },
    { name: '3×3 dilation 7', x: [1, 20, 20, 3], w: [3, 3, 3, 4], s: 1, pad: 'same', d: 7 },
    { name: '3×3 explicit asymmetric padding', x: [1, 10, 9, 3], w: [3, 3, 3, 2], s: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]], d: 1 }
  ]
  for (const c of convCases) {
    it(`Conv2D and its input and filter gradients: ${c.name}`, async () => {
      const errors = await compare(convAndGradients(c.x, c.w, c.s, c.pad, c.d))
      expect(errors).toHaveLength(3)
    })
  }

  it('FusedConv2D: bias and relu / sigmoid / leaky relu as post-ops', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = seededTensor([2, 9, 8, 4], 4) as tf.Tensor4D
        const filter = seededTensor([3, 3, 4, 6], 5) as tf.Tensor4D
        const bias = seededTensor([6], 6) as tf.Tensor1D
        return (['relu', 'sigmoid', 'leakyrelu', 'linear'] as const).map((activation) =>
          tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation, leakyreluAlpha: 0.1 })
        )
      })
    )
  })

  it('Depthwise convolutions: the channel affine (1×1, bias, relu) and a 3×3 with multiplier 2', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = seededTensor([2, 11, 10, 6], 7) as tf.Tensor4D
        const scale = seededTensor([1, 1, 6, 1], 8) as tf.Tensor4D
        const bias = seededTensor([6], 9) as tf.Tensor1D
        const affine = tf.fused.depthwiseConv2d({ x, filter: scale, strides: 1, pad: 'valid', bias, activation: 'relu' })
        const spatial = tf.depthwiseConv2d(x, seededTensor([3, 3, 6, 2], 10) as tf.Tensor4D, 2, 'same')
        return [affine, spatial]
      })
    )
  })

  it('MaxPool and its gradient (3×3/2 padded as Res2Net, 2×2/2 as the U-Net), ReLU-like inputs with ties at 0', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = tf.relu(seededTensor([2, 13, 12, 5], 11)) as tf.Tensor4D
        const out: tf.Tensor[] = []
        for (const [k, s, pad] of [
          [3, 2, 1],
          [2, 2, 'valid']
        ] as const) {
          const y = tf.maxPool(x, k, s, pad)
          const r = seededTensor(y.shape, 12)
          out.push(y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), r)))(x))
        }
        return out
      })
    )
  })

  it('AvgPool and its gradient (valid windows as the models use them, and whole-image means)', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = seededTensor([2, 12, 10, 4], 13) as tf.Tensor4D
        const out: tf.Tensor[] = []
        const windows: [[number, number], number | [number, number]][] = [
          [[3, 3], 1],
          [[2, 2], 2],
          [[12, 10], [12, 10]]
        ]
        for (const [k, s] of windows) {
          const y = tf.avgPool(x, k, s, 'valid')
          const r = seededTensor(y.shape, 14)
          out.push(y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, k, s, 'valid'), r)))(x))
        }
        return out
      })
    )
  })

  it("AvgPool 'same': padding is excluded from the average, forward and gradient alike", async () => {
    // The reference here is the definition itself (window sums over window counts) differentiated
    // by the cpu backend: tfjs's own AvgPoolGrad divides border windows by the full window size,
    // which is not the gradient of its forward op (measured: 0.19 vs 0.085 at a corner).
    const direct = () =>
      tf.tidy(() => {
        const x = seededTensor([1, 7, 6, 3], 15) as tf.Tensor4D
        const y = tf.avgPool(x, 3, 2, 'same')
        const r = seededTensor(y.shape, 16)
        return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, 3, 2, 'same'), r)))(x)]
      })
    const byDefinition = () =>
      tf.tidy(() => {
        const x = seededTensor([1, 7, 6, 3], 15) as tf.Tensor4D
        const window = tf.ones([3, 3, 3, 1]) as tf.Tensor4D
        const counts = tf.depthwiseConv2d(tf.onesLike(x), window, 2, 'same')
        const mean = (a: tf.Tensor4D) => tf.div(tf.depthwiseConv2d(a, window, 2, 'same'), counts) as tf.Tensor4D
        const r = seededTensor(counts.shape, 16)
        return [mean(x), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(mean(a as tf.Tensor4D), r)))(x)]
      })
    const native = await onNative(direct)
    const reference = await onCpu(byDefinition)
    await tf.setBackend('wasm')
    for (let i = 0; i < 2; i++) expect(relativeMaxDiff(native[i], reference[i])).toBeLessThan(TOLERANCE)
  })

  it('BatchMatMul and _FusedMatMul: transposes, a broadcast batch of 1, bias + relu', async () => {
    await compare(() =>
      tf.tidy(() => {
        const a = seededTensor([3, 5, 7], 17) as tf.Tensor3D
        const b = seededTensor([3, 7, 4], 18) as tf.Tensor3D
        const one = seededTensor([1, 7, 4], 19) as tf.Tensor3D
        const bias = seededTensor([4], 20) as tf.Tensor1D
        return [
          tf.matMul(a, b),
          tf.matMul(tf.transpose(a, [0, 2, 1]), b, true, false),
          tf.matMul(a, tf.transpose(b, [0, 2, 1]), false, true),
          tf.matMul(a, one),
          tf.matMul(seededTensor([9, 7], 21) as tf.Tensor2D, seededTensor([7, 3], 22) as tf.Tensor2D),
          tf.fused.matMul({ a, b, bias, activation: 'relu' })
        ]
      })
    )
  })

  it('Concat and SplitV along every axis, and the gradient of a concatenation', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = seededTensor([2, 5, 4, 6], 23) as tf.Tensor4D
        const y = seededTensor([2, 5, 4, 3], 24) as tf.Tensor4D
        const out: tf.Tensor[] = [tf.concat([x, y, x], 3), tf.concat([x, x], 0), tf.concat([x, x], 1), tf.concat([x, x], 2)]
        out.push(...tf.split(x, [1, 3, 2], 3), ...tf.split(x, 2, 0), ...tf.split(x, [2, 3], 1))
        const r = seededTensor([2, 5, 4, 9], 25)
        out.push(...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, b], 3), r)))([x, y]))
        return out
      })
    )
  })

  it('Relu, Relu6, Sigmoid and inference batch norm (with and without scale and offset)', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = tf.mul(seededTensor([2, 7, 6, 5], 28), 8) as tf.Tensor4D
        const mean = seededTensor([5], 29) as tf.Tensor1D
        const variance = tf.add(tf.abs(seededTensor([5], 30)), 0.1) as tf.Tensor1D
        const offset = seededTensor([5], 31) as tf.Tensor1D
        const scale = seededTensor([5], 32) as tf.Tensor1D
        return [
          tf.relu(x),
          tf.relu6(x),
          tf.sigmoid(x),
          tf.batchNorm(x, mean, variance, offset, scale, 1e-5),
          tf.batchNorm(x, mean, variance, undefined, undefined, 1e-3)
        ]
      })
    )
  })

  it('ResizeBilinear and its gradient: up and down, align corners and half-pixel centres, odd sizes, one channel and many', async () => {
    // Inf-Net upsamples its side outputs with align corners (×2, ×4, ×8); inference resizes a slice's
    // crop (e.g. 301×287) to 256² and the map back, with neither flag
    // (the cpu reference's gradient returns [n, w, h, c], so gradients are compared on square images)
    const cases: { x: Shape4; size: [number, number]; align: boolean; half: boolean }[] = [
      { x: [2, 8, 8, 6], size: [32, 32], align: true, half: false },
      { x: [1, 13, 13, 3], size: [7, 7], align: false, half: false },
      { x: [2, 9, 9, 1], size: [20, 17], align: false, half: false },
      { x: [1, 10, 10, 4], size: [15, 4], align: false, half: true },
      { x: [3, 5, 5, 2], size: [1, 9], align: true, half: false },
      { x: [1, 13, 11, 3], size: [7, 5], align: false, half: false },
      { x: [2, 9, 12, 1], size: [20, 17], align: true, half: false }
    ]
    const errors = await compare(() =>
      tf.tidy(() =>
        cases.flatMap(({ x: shape, size, align, half }) => {
          const x = seededTensor(shape, 40) as tf.Tensor4D
          const y = tf.image.resizeBilinear(x, size, align, half)
          if (shape[1] !== shape[2]) return [y]
          const r = seededTensor(y.shape, 41)
          const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, size, align, half), r)))(x)
          return [y, dx]
        })
      )
    )
    expect(errors).toHaveLength(12)
  })

  it('Reverse along each axis of a batch (the flip test-time augmentation), and the gradient through it', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = seededTensor([2, 5, 7, 3], 42) as tf.Tensor4D
        const r = seededTensor([2, 5, 7, 3], 43)
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.reverse(a, 2), r)))(x)
        return [tf.reverse(x, 0), tf.reverse(x, 1), tf.reverse(x, 2), tf.reverse(x, 3), tf.reverse(x, [1, 2]), dx]
      })
    )
  })

  it('Add, Sub, Multiply, RealDiv, SquaredDifference: equal shapes and per-channel / per-image broadcasts either way', async () => {
    await compare(() =>
      tf.tidy(() => {
        const x = seededTensor([2, 64, 40, 8], 33)
        const y = seededTensor([2, 64, 40, 8], 34)
        const channel = seededTensor([8], 35)
        const image = seededTensor([2, 1, 1, 8], 36)
        const pixel = seededTensor([2, 64, 40, 1], 38)
        const positive = tf.add(tf.abs(seededTensor([2, 64, 40, 8], 37)), 0.5)
        return [
          tf.add(x, y),
          tf.add(channel, x),
          tf.sub(x, image),
          tf.sub(channel, x),
          tf.mul(x, channel),
          tf.mul(image, x),
          tf.div(x, positive),
          tf.squaredDifference(x, image),
          tf.squaredDifference(channel, x),
          tf.mul(x, pixel),
          tf.sub(pixel, x)
        ]
      })
    )
  })

  it('training a tiny U-Net gives the same loss curve with and without the native kernels', async () => {
    await tf.setBackend('wasm')
    const curve = async (native: boolean): Promise<number[]> => {
      setNativeKernels(native ? addon : undefined)
      const unet = createNetwork(defaultMultiClassConfig({ inputSize: 32, baseFilters: 4 }))
      const optimizer = tf.train.sgd(0.1)
      const x = tf.abs(seededTensor([2, 32, 32, 2], 40)) as tf.Tensor4D
      const target = tf.tidy(() => {
        const labels = tf.cast(tf.greater(seededTensor([2, 32, 32, 1], 41), 0.3), 'float32')
        return tf.concat([tf.sub(1, labels), labels, tf.zerosLike(labels)], 3) as tf.Tensor4D
      })
      const losses: number[] = []
      for (let step = 0; step < 5; step++) {
        const ctx: ForwardContext = { params: unet.params, training: true, pendingUpdates: [] }
        const loss = optimizer.minimize(() => multiClassLoss(unet.forward(x, true, ctx), target).total, true, unet.params.trainable())
        applyPendingUpdates(ctx)
        losses.push((await loss?.data())?.[0] ?? NaN)
        loss?.dispose()
      }
      tf.dispose([x, target])
      optimizer.dispose()
      unet.dispose()
      return losses
    }
    const native = await curve(true)
    const wasm = await curve(false)
    setNativeKernels(addon)
    // Measured: the curves agree to 2e-7 (2.0671 → 1.8686 on both).
    expect(native[4]).toBeLessThan(native[0] - 0.1)
    for (let i = 0; i < native.length; i++) expect(Math.abs(native[i] - wasm[i]) / wasm[i], `step ${i}`).toBeLessThan(1e-5)
  })

  it("an Inf-Net lite training step's loss and parameter gradients agree with the cpu backend", async () => {
    const step = () =>
      tf.tidy(() => {
        const net = createNetwork(defaultInfNetConfig({ backbone: 'lite', inputSize: 64, channels: 1 }))
        const x = tf.abs(seededTensor([2, 64, 64, 1], 40)) as tf.Tensor4D
        const labels = tf.cast(tf.greater(seededTensor([2, 64, 64, 1], 41), 0.3), 'float32') as tf.Tensor4D
        const ctx: ForwardContext = { params: net.params, training: true, pendingUpdates: [] }
        const { value, grads } = tf.variableGrads(() => infNetLoss(net.forward(x, true, ctx), labels, labels).total, net.params.trainable())
        const all = tf.concat(Object.values(grads).map((g) => tf.reshape(g, [-1])))
        tf.dispose(ctx.pendingUpdates?.map((u) => u.value) ?? [])
        net.dispose()
        return [value, all]
      })
    const native = await onNative(step)
    const cpu = await onCpu(step)
    await tf.setBackend('wasm')
    expect(Math.abs(native[0][0] - cpu[0][0]) / cpu[0][0]).toBeLessThan(1e-5)
    // Global relative error of all 2.07 M gradients (‖native − cpu‖ / ‖cpu‖): measured 1.2e-3, the
    // wasm kernels 2.6e-4. Each kernel agrees to 1e-5; the whole step amplifies rounding through
    // batch norm over the deepest stage's 2×2 pixels of a 64 px input (8 values per channel).
    let diff = 0
    let norm = 0
    for (let i = 0; i < cpu[1].length; i++) {
      diff += (native[1][i] - cpu[1][i]) ** 2
      norm += cpu[1][i] ** 2
    }
    expect(norm).toBeGreaterThan(0)
    expect(Math.sqrt(diff / norm)).toBeLessThan(3e-3)
  })

  it('keeps working after the wasm heap grows between calls (views are rebuilt)', async () => {
    await tf.setBackend('wasm')
    setNativeKernels(addon)
    const backend = tf.backend() as BackendWasm
    const compute = () => tf.tidy(() => [tf.conv2d(seededTensor([1, 16, 16, 4], 26) as tf.Tensor4D, seededTensor([3, 3, 4, 4], 27) as tf.Tensor4D, 1, 'same')])
    const before = await read(compute)
    const heapBefore = heapView(backend).length
    // 256 MB more than the heap holds now: the allocator must grow the memory to place it.
    const ballast = tf.zeros([heapBefore / 4 + 64 * 1024 * 1024])
    const heapAfter = heapView(backend).length
    const after = await read(compute)
    ballast.dispose()
    expect(heapAfter).toBeGreaterThan(heapBefore)
    expect(relativeMaxDiff(after[0], before[0])).toBe(0)
    expect(maxAbs(after[0])).toBeGreaterThan(0.1)
  })

  it('a bad shape or offset is a JS error, never a crash', async () => {
    const native = addon as NativeAddon
    const heap = new Float32Array(64)
    // conv2d of a 1×100×100×3 input: far larger than this 64-float "heap".
    const params = [0, 0, -1, 0, 1, 100, 100, 3, 3, 3, 4, 100, 100, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    expect(() => native.conv2d(heap, Float64Array.from(params))).toThrow(/outside the wasm heap/)
    // An output size that does not follow from the input, filter and padding.
    const wrong = [0, 0, -1, 0, 1, 2, 2, 1, 1, 1, 1, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    expect(() => native.conv2d(heap, Float64Array.from(wrong))).toThrow(/output size does not match/)
    expect(() => native.pool(heap, Float64Array.from([0, 0]))).toThrow(/too few parameters/)
    expect(() => native.matmul(new Float64Array(4) as unknown as Float32Array, new Float64Array(13))).toThrow(/Float32Array/)
    // The engine's own op path turns an impossible conv into tfjs's error before any native call.
    await tf.setBackend('wasm')
    expect(() => tf.conv2d(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, tf.zeros([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same')).toThrow()
  })
})
