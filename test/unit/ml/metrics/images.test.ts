import { describe, expect, it } from 'vitest'
import { scoreImage, type GreyImage } from '../../../../src/main/ml/metrics'
import { minMaxNormalise, resizeBilinear } from '../../../../src/main/ml/metrics/images'

describe('bilinear resize (half-pixel centres, edge clamped)', () => {
  it('upsamples 2×2 to 4×4', () => {
    // Source positions of the 4 destination columns: (i + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25,
    // clamped to 0, 0.25, 0.75, 1 → row [0, 100] becomes [0, 25, 75, 100].
    const out = resizeBilinear({ width: 2, height: 2, data: Float32Array.from([0, 100, 100, 200]) }, 4, 4)
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100, 25, 50, 100, 125, 75, 100, 150, 175, 100, 125, 175, 200])
  })

  it('returns the image itself when the size already matches', () => {
    const image: GreyImage = { width: 1, height: 1, data: Uint8Array.of(3) }
    expect(resizeBilinear(image, 1, 1)).toBe(image)
  })

  it('lets scoreImage score a smaller prediction at the ground truth size', () => {
    // Prediction [[255, 0], [0, 0]] → at 4×4 it is 255·(1 − fx)(1 − fy), fx, fy ∈ {0, ¼, ¾, 1};
    // normalised (max 255, min 0): (1 − fx)(1 − fy).
    // Against G (top-left 2×2): |G − map| on G: 0, 0.25, 0.25, 1 − 0.5625 → 0.9375;
    // off G: (0,2) 0.25, (1,2) 0.1875, (2,0) 0.25, (2,1) 0.1875, (2,2) 0.0625 → 0.9375.
    // MAE = 1.875/16 = 0.1171875.
    const prediction: GreyImage = { width: 2, height: 2, data: Uint8Array.of(255, 0, 0, 0) }
    const truth: GreyImage = {
      width: 4,
      height: 4,
      data: Uint8Array.from([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }
    expect(scoreImage(prediction, truth).mae).toBeCloseTo(0.1171875, 14)
  })

  it('rejects an image whose buffer does not match its size', () => {
    const bad: GreyImage = { width: 3, height: 3, data: new Uint8Array(8) }
    expect(() => scoreImage(bad, bad, 'p7')).toThrow(/p7 \(prediction\): holds 8 values, 3×3 needs 9/)
  })
})

describe('min-max normalisation', () => {
  it('stretches to [0, 1] and maps a constant map to zeros', () => {
    expect(Array.from(minMaxNormalise(Float32Array.from([2, 4, 6])))).toEqual([0, 0.5, 1])
    expect(Array.from(minMaxNormalise(Uint8Array.from([9, 9])))).toEqual([0, 0])
  })
  it('rejects non-finite values', () => {
    expect(() => minMaxNormalise(Float32Array.from([0, NaN]))).toThrow(/pixel 1 is NaN/)
  })
})
