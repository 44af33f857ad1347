import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { interpolateBilinear, interpolationMatrix } from '../../../../src/main/ml/models/infnet/interpolate'
import { useCpuBackend } from './cpuBackend'

/** PyTorch's upsample_bilinear2d (align_corners=False) written out for one channel. */
function torchBilinear(src: number[][], outH: number, outW: number): number[][] {
  const inH = src.length
  const inW = src[0].length
  const axis = (d: number, inSize: number, outSize: number): [number, number, number] => {
    const s = Math.max((inSize / outSize) * (d + 0.5) - 0.5, 0)
    const i0 = Math.floor(s)
    const i1 = Math.min(i0 + 1, inSize - 1)
    return [i0, i1, s - i0]
  }
  const out: number[][] = []
  for (let y = 0; y < outH; y++) {
    const [y0, y1, ly] = axis(y, inH, outH)
    const row: number[] = []
    for (let x = 0; x < outW; x++) {
      const [x0, x1, lx] = axis(x, inW, outW)
      row.push(
        (1 - ly) * ((1 - lx) * src[y0][x0] + lx * src[y0][x1]) + ly * ((1 - lx) * src[y1][x0] + lx * src[y1][x1])
      )
    }
    out.push(row)
  }
  return out
}

describe('interpolateBilinear (PyTorch align_corners=False)', () => {
  beforeAll(useCpuBackend)

  it('matches the PyTorch formula when up- and down-sampling', () => {
    const src = [
      [0, 1, 2, 3, 4, 5, 6, 7],
      [3, 1, 4, 1, 5, 9, 2, 6],
      [2, 7, 1, 8, 2, 8, 1, 8],
      [1, 4, 1, 4, 2, 1, 3, 5]
    ]
    const x = tf.tensor4d(src.flat(), [1, 4, 8, 1])
    for (const [h, w] of [
      [16, 32],
      [1, 2],
      [2, 4],
      [4, 8],
      [12, 3]
    ]) {
      const got = interpolateBilinear(x, h, w).reshape([h, w]).arraySync() as number[][]
      const want = torchBilinear(src, h, w)
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) expect(got[i][j]).toBeCloseTo(want[i][j], 5)
    }
  })

  it('keeps channels and batch apart', () => {
    const x = tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 7) as tf.Tensor4D
    const y = interpolateBilinear(x, 8, 8)
    expect(y.shape).toEqual([2, 8, 8, 3])
    const ref = tf.image.resizeBilinear(x, [8, 8], false, true) // tfjs' forward agrees; only its gradient is off
    expect(tf.max(tf.abs(tf.sub(y, ref))).arraySync()).toBeLessThan(1e-5)
  })

  it('has the exact adjoint as gradient (checked against finite differences)', () => {
    const x = tf.randomUniform([1, 3, 5, 1], 0, 1, 'float32', 3) as tf.Tensor4D
    const weights = tf.randomUniform([1, 7, 4, 1], -1, 1, 'float32', 4) as tf.Tensor4D
    const f = (t: tf.Tensor4D): tf.Scalar => tf.sum(tf.mul(weights, interpolateBilinear(t, 7, 4)))
    const analytic = tf
      .grad((t) => f(t as tf.Tensor4D))(x)
      .dataSync()
    const base = x.dataSync()
    const eps = 1e-2
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base)
      const minus = Float32Array.from(base)
      plus[i] += eps
      minus[i] -= eps
      const numeric =
        (f(tf.tensor4d(plus, x.shape)).arraySync() - f(tf.tensor4d(minus, x.shape)).arraySync()) / (2 * eps)
      expect(analytic[i]).toBeCloseTo(numeric, 3)
    }
  })

  it('builds rows that sum to one', () => {
    const rows = tf.sum(interpolationMatrix(11, 352), 1).dataSync()
    for (const r of rows) expect(r).toBeCloseTo(1, 6)
  })

  it("at inference gives PyTorch's values through the backend's resize kernel (down and up, several channels)", () => {
    const src = Array.from({ length: 6 }, (_, y) => Array.from({ length: 5 }, (_, x) => Math.sin(3 * y + x) * 4 + y))
    for (const [h, w] of [
      [11, 8],
      [3, 2]
    ]) {
      const want = torchBilinear(src, h, w)
      const x = tf.stack([tf.tensor2d(src), tf.tensor2d(src).mul(-2)], 2).expandDims(0) as tf.Tensor4D
      const got = interpolateBilinear(x, h, w, false)
      const training = interpolateBilinear(x, h, w, true)
      const values = got.arraySync()[0]
      for (let y = 0; y < h; y++)
        for (let c = 0; c < w; c++) {
          expect(values[y][c][0]).toBeCloseTo(want[y][c], 5)
          expect(values[y][c][1]).toBeCloseTo(-2 * want[y][c], 5)
        }
      expect(tf.max(tf.abs(tf.sub(got, training))).dataSync()[0]).toBeLessThan(1e-5)
    }
  })
})
