import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/ml/engine'
import { maxAbs, relativeMaxDiff, seededTensor, valuesOn } from './backendCompare'

/**
 * Every gradient the project's wasm kernels compute is compared with the cpu backend's, on the same
 * inputs. The loss Σ f(x)·r with a fixed random r makes the upstream gradient non-uniform, so
 * mistakes in offsets or flips cannot cancel out.
 */

const TOLERANCE = 1e-4

type ConvPad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]

interface ConvCase {
  name: string
  x: [number, number, number, number]
  filter: [number, number, number, number]
  strides: number
  pad: ConvPad
  dilation: number
}

const convCases: ConvCase[] = [
  { name: '3×3 stride 1 same', x: [2, 9, 11, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dilation: 1 },
  { name: '3×3 stride 1 valid', x: [2, 9, 11, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid', dilation: 1 },
  { name: '3×3 stride 2 same, odd size', x: [2, 11, 9, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same', dilation: 1 },
  {
    name: '3×3 stride 2 valid, odd size',
    x: [2, 11, 9, 3],
    filter: [3, 3, 3, 5],
    strides: 2,
    pad: 'valid',
    dilation: 1
  },
  {
    name: '3×3 stride 2 same, even size',
    x: [1, 12, 10, 4],
    filter: [3, 3, 4, 2],
    strides: 2,
    pad: 'same',
    dilation: 1
  },
  { name: '7×7 stride 2 same (stem)', x: [1, 17, 16, 3], filter: [7, 7, 3, 4], strides: 2, pad: 'same', dilation: 1 },
  {
    name: '1×1 stride 2 valid (shortcut)',
    x: [2, 9, 8, 4],
    filter: [1, 1, 4, 6],
    strides: 2,
    pad: 'valid',
    dilation: 1
  },
  {
    name: '2×4 stride 1 same (even, non-square)',
    x: [2, 7, 9, 3],
    filter: [2, 4, 3, 3],
    strides: 1,
    pad: 'same',
    dilation: 1
  },
  {
    name: '3×3 stride 2 explicit padding',
    x: [2, 10, 9, 3],
    filter: [3, 3, 3, 4],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0]
    ],
    dilation: 1
  },
  { name: '3×3 dilation 2 same', x: [2, 13, 11, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same', dilation: 2 },
  { name: '3×3 dilation 2 valid', x: [2, 13, 11, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid', dilation: 2 },
  { name: '3×3 dilation 3 same', x: [1, 15, 14, 2], filter: [3, 3, 2, 3], strides: 1, pad: 'same', dilation: 3 }
]

/**
 * The cpu reference for dilated convolutions: tfjs-core has no dilated conv gradient at all, so the
 * reference convolves with the filter spread out by zeros (dilation 1), whose gradients tfjs-core
 * does compute; the gradient for the filter is that of the taps the zeros did not replace.
 */
function spreadFilter(filter: tf.Tensor4D, dilation: number): tf.Tensor4D {
  if (dilation === 1) return filter
  const [h, w, i, o] = filter.shape
  const spread = tf.reshape(
    tf.pad(tf.reshape(filter, [h, 1, w, 1, i, o]), [
      [0, 0],
      [0, dilation - 1],
      [0, 0],
      [0, dilation - 1],
      [0, 0],
      [0, 0]
    ]),
    [h * dilation, w * dilation, i, o]
  )
  return tf.slice(spread as tf.Tensor4D, [0, 0, 0, 0], [(h - 1) * dilation + 1, (w - 1) * dilation + 1, i, o])
}

function convGradients(c: ConvCase, reference: boolean): () => tf.Tensor[] {
  return () => {
    const x = seededTensor(c.x, 11) as tf.Tensor4D
    const filter = seededTensor(c.filter, 23) as tf.Tensor4D
    const y = tf.conv2d(x, filter, c.strides, c.pad, 'NHWC', c.dilation)
    const r = seededTensor(y.shape, 37)
    const loss = reference
      ? (a: tf.Tensor4D, f: tf.Tensor4D) =>
          tf.sum(tf.mul(tf.conv2d(a, spreadFilter(f, c.dilation), c.strides, c.pad), r))
      : (a: tf.Tensor4D, f: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(a, f, c.strides, c.pad, 'NHWC', c.dilation), r))
    const grads = tf.grads((a: tf.Tensor, f: tf.Tensor) => loss(a as tf.Tensor4D, f as tf.Tensor4D))([x, filter])
    return [y, ...grads]
  }
}

beforeAll(async () => {
  await initEngine({ backend: 'wasm', log: () => undefined })
})

describe('conv2d gradients: wasm (project kernels) against cpu', () => {
  for (const c of convCases) {
    it(c.name, async () => {
      const [yW, dxW, dfW] = await valuesOn('wasm', convGradients(c, false))
      const [yC, dxC, dfC] = await valuesOn('cpu', convGradients(c, c.dilation > 1))
      expect(maxAbs(dxC)).toBeGreaterThan(0.1)
      expect(maxAbs(dfC)).toBeGreaterThan(0.1)
      expect(relativeMaxDiff(yW, yC)).toBeLessThan(TOLERANCE)
      expect(relativeMaxDiff(dxW, dxC)).toBeLessThan(TOLERANCE)
      expect(relativeMaxDiff(dfW, dfC)).toBeLessThan(TOLERANCE)
    })
  }

  it('dilated conv gradients agree between the project gradient on cpu and on wasm', async () => {
    // Same Conv2D gradient function on both backends: checks the backend-agnostic path on cpu too.
    const c = convCases.find((k) => k.dilation === 2 && k.pad === 'same') as ConvCase
    const [, dxW, dfW] = await valuesOn('wasm', convGradients(c, false))
    const [, dxC, dfC] = await valuesOn('cpu', convGradients(c, false))
    expect(relativeMaxDiff(dxW, dxC)).toBeLessThan(TOLERANCE)
    expect(relativeMaxDiff(dfW, dfC)).toBeLessThan(TOLERANCE)
  })
})

describe('conv2dTranspose (Conv2DBackpropInput forward) on wasm against cpu', () => {
  const cases = [
    { name: '3×3 stride 2 same', x: [2, 5, 6, 4], filter: [3, 3, 3, 4], out: [2, 10, 12, 3], strides: 2, pad: 'same' },
    {
      name: '2×2 stride 2 valid',
      x: [2, 5, 6, 4],
      filter: [2, 2, 3, 4],
      out: [2, 10, 12, 3],
      strides: 2,
      pad: 'valid'
    },
    {
      name: '3×3 stride 2 valid, odd output',
      x: [1, 4, 5, 2],
      filter: [3, 3, 3, 2],
      out: [1, 9, 11, 3],
      strides: 2,
      pad: 'valid'
    },
    { name: '3×3 stride 1 same', x: [2, 7, 5, 3], filter: [3, 3, 2, 3], out: [2, 7, 5, 2], strides: 1, pad: 'same' }
  ] as const
  for (const c of cases) {
    it(c.name, async () => {
      const compute = (): tf.Tensor[] => {
        const x = seededTensor([...c.x], 5) as tf.Tensor4D
        const filter = seededTensor([...c.filter], 7) as tf.Tensor4D
        const outShape = [...c.out] as [number, number, number, number]
        const y = tf.conv2dTranspose(x, filter, outShape, c.strides, c.pad)
        const r = seededTensor(y.shape, 9)
        const grads = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, f as tf.Tensor4D, outShape, c.strides, c.pad), r))
        )([x, filter])
        return [y, ...grads]
      }
      const [yW, dxW, dfW] = await valuesOn('wasm', compute)
      const [yC, dxC, dfC] = await valuesOn('cpu', compute)
      expect(maxAbs(yC)).toBeGreaterThan(0.1)
      expect(relativeMaxDiff(yW, yC)).toBeLessThan(TOLERANCE)
      expect(relativeMaxDiff(dxW, dxC)).toBeLessThan(TOLERANCE)
      expect(relativeMaxDiff(dfW, dfC)).toBeLessThan(TOLERANCE)
    })
  }
})

describe('other U-Net op gradients on wasm against cpu', () => {
  const x4 = [2, 10, 9, 4]

  const ops: { name: string; f: (x: tf.Tensor4D) => tf.Tensor }[] = [
    { name: 'maxPool 2×2 stride 2 same (odd width)', f: (x) => tf.maxPool(x, 2, 2, 'same') },
    { name: 'maxPool 2×2 stride 2 valid', f: (x) => tf.maxPool(x, 2, 2, 'valid') },
    { name: 'maxPool 3×3 stride 2 same (overlapping windows)', f: (x) => tf.maxPool(x, 3, 2, 'same') },
    {
      name: 'maxPool after relu (all-zero windows)',
      f: (x) => tf.maxPool(tf.relu(tf.sub(x, 0.5)) as tf.Tensor4D, 2, 2, 'valid')
    },
    { name: 'avgPool 3×3 stride 1 same', f: (x) => tf.avgPool(x, 3, 1, 'same') },
    {
      name: 'batch norm in training mode (moments + batchNorm)',
      f: (x) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2])
        return tf.batchNorm(x, mean, variance, tf.fill([4], 0.3), tf.linspace(0.5, 2, 4), 1e-3)
      }
    },
    { name: 'relu', f: (x) => tf.relu(x) },
    { name: 'sigmoid', f: (x) => tf.sigmoid(x) },
    { name: 'concat on channels', f: (x) => tf.concat([x, tf.mul(x, 2)], 3) },
    // Used by the Inf-Net family and its losses.
    { name: 'avgPool 31×31 stride 1 same (loss weights)', f: (x) => tf.avgPool(x, 31, 1, 'same') },
    { name: 'avgPool 2×2 stride 2 valid', f: (x) => tf.avgPool(x, 2, 2, 'valid') },
    {
      name: 'pad',
      f: (x) =>
        tf.pad(x, [
          [0, 0],
          [1, 2],
          [3, 0],
          [0, 1]
        ])
    },
    { name: 'tile', f: (x) => tf.tile(x, [1, 2, 1, 2]) },
    { name: 'transpose', f: (x) => tf.transpose(x, [0, 3, 1, 2]) },
    { name: 'softmax over channels', f: (x) => tf.softmax(x) },
    { name: 'logSoftmax over channels', f: (x) => tf.logSoftmax(x) },
    { name: 'clipByValue', f: (x) => tf.clipByValue(x, -0.3, 0.4) },
    { name: 'mean and sum over space', f: (x) => tf.add(tf.mean(x, [1, 2]), tf.sum(x, [1, 2])) },
    {
      name: 'matMul with transposes (attention-style)',
      f: (x) => {
        const flat = tf.reshape(x, [2, 90, 4])
        return tf.matMul(flat, flat, true, false)
      }
    },
    { name: 'matMul 2-D', f: (x) => tf.matMul(tf.reshape(x, [180, 4]), tf.reshape(x, [180, 4]), false, true) },
    { name: 'abs, exp, neg, sigmoid chain', f: (x) => tf.sigmoid(tf.neg(tf.exp(tf.abs(x)))) }
  ]
  for (const op of ops) {
    it(op.name, async () => {
      const compute = (): tf.Tensor[] => {
        const x = seededTensor(x4, 3) as tf.Tensor4D
        const y = op.f(x)
        const r = seededTensor(y.shape, 4)
        return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(op.f(a as tf.Tensor4D), r)))(x)]
      }
      const [yW, dW] = await valuesOn('wasm', compute)
      const [yC, dC] = await valuesOn('cpu', compute)
      expect(maxAbs(dC)).toBeGreaterThan(0.01)
      expect(relativeMaxDiff(yW, yC)).toBeLessThan(TOLERANCE)
      expect(relativeMaxDiff(dW, dC)).toBeLessThan(TOLERANCE)
    })
  }
})

/**
 * resizeBilinear is linear, so its gradient is the transpose of its matrix. The reference builds
 * that matrix from forward resizes of the unit images (cpu), because the cpu backend's own
 * ResizeBilinearGrad swaps height and width for non-square images (tfjs 4.22).
 */
function resizeBilinearGradReference(
  shape: number[],
  size: [number, number],
  alignCorners: boolean,
  r: tf.Tensor4D
): tf.Tensor {
  const [b, h, w, c] = shape
  const [h2, w2] = size
  const basis = tf.reshape(tf.eye(h * w), [h * w, h, w, 1]) as tf.Tensor4D
  const matrix = tf.reshape(tf.image.resizeBilinear(basis, size, alignCorners), [h * w, h2 * w2])
  const upstream = tf.reshape(tf.transpose(tf.reshape(r, [b, h2 * w2, c]), [1, 0, 2]), [h2 * w2, b * c])
  return tf.transpose(tf.reshape(tf.matMul(matrix, upstream), [h, w, b, c]), [2, 0, 1, 3])
}

describe('resizeBilinear gradient on wasm against its matrix transpose', () => {
  const cases = [
    { name: '×2 non-square', shape: [2, 10, 9, 3], size: [20, 18] as [number, number], alignCorners: false },
    { name: '×2 align corners', shape: [2, 10, 9, 3], size: [20, 18] as [number, number], alignCorners: true },
    { name: 'odd target', shape: [1, 5, 7, 2], size: [11, 13] as [number, number], alignCorners: false }
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const [dW] = await valuesOn('wasm', () => {
        const x = seededTensor(c.shape, 3) as tf.Tensor4D
        const r = seededTensor([c.shape[0], ...c.size, c.shape[3]], 4)
        return [
          tf.grad((a: tf.Tensor) =>
            tf.sum(tf.mul(tf.image.resizeBilinear(a as tf.Tensor4D, c.size, c.alignCorners), r))
          )(x)
        ]
      })
      const [dC] = await valuesOn('cpu', () => {
        const r = seededTensor([c.shape[0], ...c.size, c.shape[3]], 4) as tf.Tensor4D
        return [resizeBilinearGradReference(c.shape, c.size, c.alignCorners, r)]
      })
      expect(maxAbs(dC)).toBeGreaterThan(0.1)
      expect(relativeMaxDiff(dW, dC)).toBeLessThan(TOLERANCE)
    })
  }
})

describe('gradient kernels release their intermediates', () => {
  it('leaves no tensors behind on wasm', async () => {
    await tf.setBackend('wasm')
    const x = seededTensor([1, 9, 9, 3], 1) as tf.Tensor4D
    const filter = seededTensor([3, 3, 3, 2], 2) as tf.Tensor4D
    const before = tf.memory().numTensors
    for (const [strides, dilation] of [
      [1, 1],
      [2, 1],
      [1, 2]
    ]) {
      const grads = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, strides, 'same', 'NHWC', dilation))
      )([x, filter])
      tf.dispose(grads)
    }
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([x, filter])
  })
})
