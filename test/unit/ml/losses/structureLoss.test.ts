import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { boundaryWeights, infNetLoss, structureLoss, structureLossTerms } from '../../../../src/main/ml/losses'
import { useCpuBackend } from '../models/cpuBackend'

/** Plain-JS references, written from Inf-Net's joint_loss line by line. */
function jsWeights(mask: number[][]): number[][] {
  const h = mask.length
  const w = mask[0].length
  return mask.map((row, y) =>
    row.map((g, x) => {
      let sum = 0
      for (let dy = -15; dy <= 15; dy++)
        for (let dx = -15; dx <= 15; dx++) {
          const yy = y + dy
          const xx = x + dx
          if (yy >= 0 && yy < h && xx >= 0 && xx < w) sum += mask[yy][xx]
        }
      return 1 + 5 * Math.abs(sum / 961 - g) // count_include_pad: always 31·31
    })
  )
}

function jsStructureLoss(logits: number[][][], masks: number[][][]): number {
  let total = 0
  logits.forEach((pred, n) => {
    const mask = masks[n]
    const weit = jsWeights(mask)
    let wbceNum = 0
    let wsum = 0
    let inter = 0
    let union = 0
    pred.forEach((row, y) =>
      row.forEach((x, i) => {
        const g = mask[y][i]
        const k = weit[y][i]
        const p = 1 / (1 + Math.exp(-x))
        const bce = -(g * Math.log(p) + (1 - g) * Math.log(1 - p))
        wbceNum += k * bce
        wsum += k
        inter += p * g * k
        union += (p + g) * k
      })
    )
    total += wbceNum / wsum + (1 - (inter + 1) / (union - inter + 1))
  })
  return total / logits.length
}

const to4d = (a: number[][][]): tf.Tensor4D => tf.tensor4d(a.flat(2), [a.length, a[0].length, a[0][0].length, 1])

describe('Inf-Net structure loss', () => {
  beforeAll(useCpuBackend)

  const mask4 = [
    [0, 0, 0, 0],
    [0, 1, 1, 0],
    [0, 1, 1, 0],
    [0, 0, 0, 0]
  ]

  it('weights a small mask by hand: the 31×31 window covers the whole 4×4 image', () => {
    const w = boundaryWeights(to4d([mask4])).reshape([4, 4]).arraySync() as number[][]
    // avgpool = 4 ones / 961 (count_include_pad) at every pixel
    expect(w[1][1]).toBeCloseTo(1 + 5 * (1 - 4 / 961), 5) // 5.97919
    expect(w[0][0]).toBeCloseTo(1 + 5 * (4 / 961), 5) // 1.02081
  })

  it('counts the zero padding in the average (count_include_pad=True)', () => {
    const ones = Array.from({ length: 40 }, () => Array.from({ length: 40 }, () => 1))
    const w = boundaryWeights(to4d([ones])).reshape([40, 40]).arraySync() as number[][]
    expect(w[0][0]).toBeCloseTo(1 + 5 * (1 - 256 / 961), 5) // 16×16 ones in the corner window
    expect(w[0][20]).toBeCloseTo(1 + 5 * (1 - (16 * 31) / 961), 5)
    expect(w[20][20]).toBeCloseTo(1, 6) // window inside the image: average 1
    const want = jsWeights(ones)
    for (const [y, x] of [
      [3, 7],
      [39, 39],
      [14, 25]
    ])
      expect(w[y][x]).toBeCloseTo(want[y][x], 5)
  })

  it('equals a direct computation of joint_loss on tiny tensors', () => {
    const logits = [
      [
        [-2, -1, 0.5, -3],
        [-1, 2, 1.5, 0],
        [0.3, 1, 3, -0.5],
        [-4, -2, 0, -1]
      ],
      [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1]
      ]
    ]
    const masks = [mask4, mask4.map((r) => r.map((v) => 1 - v))]
    const got = structureLoss(to4d(logits), to4d(masks)).arraySync()
    expect(got).toBeCloseTo(jsStructureLoss(logits, masks), 5)

    const terms = structureLossTerms(to4d(logits), to4d(masks))
    expect(terms.weightedBce.shape).toEqual([2])
    expect(terms.weightedIou.shape).toEqual([2])
  })

  it('weights BCE per pixel, not as an unweighted mean', () => {
    // One wrong pixel (logit ∓3), every other pixel right with certainty (±30, BCE ≈ 0): the
    // weighted BCE is then that pixel's weight × its BCE / Σ weights, so the ratio of a mistake
    // inside the small mask to one outside is the ratio of their weights.
    const mask = to4d([mask4])
    const wrongInside = to4d([mask4.map((r, y) => r.map((v, x) => (y === 1 && x === 1 ? -3 : v ? 30 : -30)))])
    const wrongOutside = to4d([mask4.map((r, y) => r.map((v, x) => (y === 0 && x === 0 ? 3 : v ? 30 : -30)))])
    const bceIn = structureLossTerms(wrongInside, mask).weightedBce.arraySync()[0]
    const bceOut = structureLossTerms(wrongOutside, mask).weightedBce.arraySync()[0]
    expect(bceIn / bceOut).toBeCloseTo((1 + 5 * (957 / 961)) / (1 + 5 * (4 / 961)), 3)
  })

  it('has finite gradients, zero nowhere it should not be', () => {
    const logits = tf.randomNormal([2, 8, 8, 1], 0, 3, 'float32', 5) as tf.Tensor4D
    const mask = tf.cast(tf.greater(tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 6), 0.5), 'float32') as tf.Tensor4D
    const g = tf.grad((x) => structureLoss(x as tf.Tensor4D, mask))(logits)
    expect(tf.all(tf.isFinite(g)).arraySync()).toBe(1)
    expect(tf.sum(tf.abs(g)).arraySync()).toBeGreaterThan(0)
  })

  it('sums four structure losses and the mean edge BCE', () => {
    const mk = (seed: number): tf.Tensor4D => tf.randomNormal([1, 4, 4, 1], 0, 2, 'float32', seed) as tf.Tensor4D
    const out = { global: mk(1), s5: mk(2), s4: mk(3), s3: mk(4), edge: mk(5) }
    const mask = to4d([mask4])
    const edgeMask = to4d([mask4.map((r, y) => r.map((v) => (v && y === 1 ? 1 : 0)))])
    const loss = infNetLoss(out, mask, edgeMask)
    const edgeLogits = out.edge.dataSync()
    const edgeGt = edgeMask.dataSync()
    let bce = 0
    edgeLogits.forEach((x, i) => {
      const p = 1 / (1 + Math.exp(-x))
      bce -= edgeGt[i] * Math.log(p) + (1 - edgeGt[i]) * Math.log(1 - p)
    })
    expect(loss.edge.arraySync()).toBeCloseTo(bce / 16, 5)
    const nested = (t: tf.Tensor4D): number[][][] => (t.arraySync() as number[][][][]).map((img) => img.map((r) => r.map((v) => v[0])))
    const parts = [out.global, out.s5, out.s4, out.s3].map((t) => jsStructureLoss(nested(t), [mask4]))
    expect(loss.global.arraySync()).toBeCloseTo(parts[0], 5)
    expect(loss.s3.arraySync()).toBeCloseTo(parts[3], 5)
    expect(loss.total.arraySync()).toBeCloseTo(parts.reduce((a, b) => a + b, 0) + bce / 16, 4)
  })

  it('stays finite for extreme logits (stable BCE form)', () => {
    const logits = to4d([mask4.map((r) => r.map((v) => (v ? -80 : 80)))])
    const loss = structureLoss(logits, to4d([mask4])).arraySync()
    expect(Number.isFinite(loss)).toBe(true)
    expect(loss).toBeGreaterThan(40)
  })
})
