import { describe, expect, it } from 'vitest'
import { AugmentConfig, augmentSample, drawTransform, warpPlane, type SamplePlane } from '../../../../src/main/ml/augment'
import { seededRandom } from '../../../../src/main/ml/nn/parameters'

const SIZE = 64

function marked(x: number, y: number, value = 255): Float32Array {
  const p = new Float32Array(SIZE * SIZE)
  p[y * SIZE + x] = value
  return p
}

/** Intensity-weighted centre of a plane. */
function centroid(p: Float32Array): [number, number] {
  let sx = 0
  let sy = 0
  let s = 0
  for (let i = 0; i < p.length; i++) {
    sx += (i % SIZE) * p[i]
    sy += Math.floor(i / SIZE) * p[i]
    s += p[i]
  }
  return [sx / s, sy / s]
}

const identity = { flipHorizontal: false, flipVertical: false, crop: { scale: 1, x: 0, y: 0 }, angle: 0, cutout: { x: 0, y: 0, width: 0, height: 0 } }

describe('augmentation', () => {
  it('leaves a plane unchanged under the identity transform', () => {
    const p = marked(10, 20)
    expect(Array.from(warpPlane(p, SIZE, identity, 'bilinear'))).toEqual(Array.from(p))
  })

  it('flips a marked pixel to the mirrored position, exactly', () => {
    const h = warpPlane(marked(10, 20), SIZE, { ...identity, flipHorizontal: true }, 'nearest')
    expect(h[20 * SIZE + (SIZE - 1 - 10)]).toBe(255)
    const v = warpPlane(marked(10, 20), SIZE, { ...identity, flipVertical: true }, 'nearest')
    expect(v[(SIZE - 1 - 20) * SIZE + 10]).toBe(255)
  })

  it('rotates by 90° about the centre: (x, y) → (y, size − 1 − x)', () => {
    const r = warpPlane(marked(10, 20), SIZE, { ...identity, angle: Math.PI / 2 }, 'nearest')
    // output (u, v) samples source (cx + (v − c), cy − (u − c)) for a +90° angle
    const hits = [...r.keys()].filter((i) => r[i] === 255).map((i) => [i % SIZE, Math.floor(i / SIZE)])
    expect(hits).toEqual([[20, SIZE - 1 - 10]])
  })

  it('crops and resizes: a pixel at the crop centre stays at the image centre', () => {
    const t = { ...identity, crop: { scale: 0.5, x: 10, y: 6 } }
    // The crop covers [10, 42) × [6, 38), centre (26, 22) in continuous coordinates. Pixel (26, 22)
    // has its centre 0.5 right of and below it; scaled ×2 that is 1 from the output centre (32, 32),
    // i.e. continuous 33 = pixel index 32.5.
    const out = warpPlane(marked(26, 22), SIZE, t, 'bilinear')
    const [cx, cy] = centroid(out)
    expect(cx).toBeCloseTo(32.5, 1)
    expect(cy).toBeCloseTo(32.5, 1)
  })

  it('keeps image, mask and labels aligned: a marked pixel moves with the image under random transforms', () => {
    const config = AugmentConfig.parse({ flipHorizontal: 0.5, flipVertical: 0.5, cropScale: 0.6, rotationDegrees: 30, cutout: 0 })
    for (let seed = 1; seed <= 40; seed++) {
      // a bright 3×3 patch on a dim image, the same patch in the mask, and label 2 under it
      const image = new Float32Array(SIZE * SIZE).fill(10)
      const mask = new Float32Array(SIZE * SIZE)
      const labels = new Float32Array(SIZE * SIZE)
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const i = (30 + dy) * SIZE + (25 + dx)
          image[i] = 250
          mask[i] = 255
          labels[i] = 2
        }
      const planes: SamplePlane[] = [
        { data: image, interpolation: 'bilinear', fill: 0, cutout: 100 },
        { data: mask, interpolation: 'bilinear', fill: 0, cutout: false },
        { data: labels, interpolation: 'nearest', fill: 0, cutout: false }
      ]
      const [img, msk, lab] = augmentSample(planes, SIZE, config, seededRandom(seed))
      const bright = img.map((v) => (v > 130 ? 1 : 0))
      const [ix, iy] = centroid(bright)
      const [mx, my] = centroid(msk)
      const [lx, ly] = centroid(lab)
      expect(Math.hypot(ix - mx, iy - my)).toBeLessThan(0.75)
      expect(Math.hypot(lx - mx, ly - my)).toBeLessThan(0.75)
      // labels stay labels: nearest neighbour never blends 0 and 2
      expect([...new Set(lab)].sort()).toEqual([0, 2])
    }
  })

  it('cuts out the requested fraction of the image only, and the same seed gives the same sample', () => {
    for (const fraction of [0.2, 0.4, 0.5]) {
      const config = AugmentConfig.parse({ flipHorizontal: 0, flipVertical: 0, cropScale: 1, rotationDegrees: 0, cutout: fraction })
      const image = new Float32Array(SIZE * SIZE).fill(200)
      const mask = new Float32Array(SIZE * SIZE).fill(255)
      const planes: SamplePlane[] = [
        { data: image, interpolation: 'bilinear', fill: 0, cutout: 7 },
        { data: mask, interpolation: 'bilinear', fill: 0, cutout: false }
      ]
      const [img, msk] = augmentSample(planes, SIZE, config, seededRandom(5))
      const erased = img.filter((v) => v === 7).length / img.length
      expect(Math.abs(erased - fraction)).toBeLessThan(0.02)
      expect(msk.every((v) => v === 255)).toBe(true)
      const [again] = augmentSample(planes, SIZE, config, seededRandom(5))
      expect(Array.from(again)).toEqual(Array.from(img))
    }
  })

  it('draws transforms within the configured ranges', () => {
    const config = AugmentConfig.parse({ cropScale: 0.8, rotationDegrees: 15, cutout: 0.4 })
    const rand = seededRandom(9)
    for (let i = 0; i < 200; i++) {
      const t = drawTransform(config, SIZE, rand)
      expect(t.crop.scale).toBeGreaterThanOrEqual(0.8)
      expect(t.crop.x + t.crop.scale * SIZE).toBeLessThanOrEqual(SIZE + 1e-9)
      expect(Math.abs(t.angle)).toBeLessThanOrEqual((15 * Math.PI) / 180)
      expect(t.cutout.x + t.cutout.width).toBeLessThanOrEqual(SIZE)
      expect(t.cutout.y + t.cutout.height).toBeLessThanOrEqual(SIZE)
    }
  })
})
