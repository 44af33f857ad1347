import { describe, expect, it } from 'vitest'
import { fillHoles2d, markBorderConnected2d } from '../../../src/main/morphology/borderFlood2d'
import { componentsBySize, labelComponents3d, paintComponents } from '../../../src/main/morphology/connectedComponents3d'
import { fillConvexHull2d } from '../../../src/main/morphology/convexHull2d'
import { dilateWithDisk2d } from '../../../src/main/morphology/diskDilation2d'
import { FAR_SQUARED_MM, squaredDistanceToFeature2d } from '../../../src/main/morphology/distanceTransform2d'
import { maskBoundingBox } from '../../../src/main/morphology/boundingBox'
import { IndexStack } from '../../../src/main/morphology/indexStack'
import { greyAirThreshold, otsuThreshold } from '../../../src/main/morphology/otsuThreshold'

/** A reproducible pseudo-random binary image with blobs and specks. */
function randomImage(width: number, height: number, seed: number, density = 0.08): Uint8Array {
  let state = seed
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
  const image = new Uint8Array(width * height)
  for (let p = 0; p < image.length; p++) image[p] = random() < density ? 1 : 0
  return image
}

/** Brute-force squared distance to the nearest feature pixel, optionally with a feature frame. */
function bruteForceSquaredDistance(
  image: Uint8Array,
  width: number,
  height: number,
  featureValue: number,
  sx: number,
  sy: number,
  frame: boolean
): Float64Array {
  const out = new Float64Array(width * height).fill(FAR_SQUARED_MM)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = FAR_SQUARED_MM
      for (let fy = frame ? -1 : 0; fy <= (frame ? height : height - 1); fy++) {
        for (let fx = frame ? -1 : 0; fx <= (frame ? width : width - 1); fx++) {
          const onFrame = fx < 0 || fy < 0 || fx >= width || fy >= height
          if (!onFrame && image[fy * width + fx] !== featureValue) continue
          const d = ((x - fx) * sx) ** 2 + ((y - fy) * sy) ** 2
          if (d < best) best = d
        }
      }
      out[y * width + x] = best
    }
  }
  return out
}

describe('squaredDistanceToFeature2d (Felzenszwalb–Huttenlocher)', () => {
  for (const [sx, sy] of [
    [1, 1],
    [0.7, 1.9]
  ]) {
    for (const frame of [false, true]) {
      it(`matches brute force (spacing ${sx}×${sy}, frame ${frame})`, () => {
        const [w, h] = [23, 17]
        const image = randomImage(w, h, 7 + sx * 10, 0.06)
        const out = new Float32Array(w * h)
        squaredDistanceToFeature2d(image, w, h, 1, sx, sy, frame, out)
        const expected = bruteForceSquaredDistance(image, w, h, 1, sx, sy, frame)
        for (let p = 0; p < w * h; p++) {
          if (expected[p] >= FAR_SQUARED_MM) expect(out[p]).toBeGreaterThan(1e11)
          else expect(out[p]).toBeCloseTo(expected[p], 3)
        }
      })
    }
  }

  it('reports "far" everywhere on an image without features', () => {
    const out = new Float32Array(12)
    squaredDistanceToFeature2d(new Uint8Array(12), 4, 3, 1, 1, 1, false, out)
    for (const d of out) expect(d).toBeGreaterThan(1e11)
  })
})

describe('dilateWithDisk2d', () => {
  it('equals thresholding the exact distance transform at r, for several radii and spacings', () => {
    const [w, h] = [61, 47]
    const image = randomImage(w, h, 3, 0.03)
    const out = new Uint8Array(w * h)
    const distance = new Float32Array(w * h)
    for (const [featureValue, frame] of [
      [1, false],
      [0, true]
    ] as const) {
      for (const radius of [0.5, 1, 2.5, 4, 7.3]) {
        for (const [sx, sy] of [
          [0.7, 0.7],
          [0.6, 0.9]
        ]) {
          dilateWithDisk2d(image, w, h, featureValue, radius, sx, sy, frame, out)
          squaredDistanceToFeature2d(image, w, h, featureValue, sx, sy, frame, distance)
          let mismatches = 0
          for (let p = 0; p < w * h; p++) if ((distance[p] <= radius * radius ? 1 : 0) !== out[p]) mismatches++
          expect(mismatches).toBe(0)
        }
      }
    }
  })
})

describe('border flood and hole filling', () => {
  it('marks only the open pixels connected to the border (4-connectivity)', () => {
    // A ring of 1s enclosing a 0; the 0s outside the ring touch the border.
    const w = 5
    // prettier-ignore
    const image = Uint8Array.from([
      0, 0, 0, 0, 0,
      0, 1, 1, 1, 0,
      0, 1, 0, 1, 0,
      0, 1, 1, 1, 0,
      0, 0, 0, 0, 0
    ])
    const reached = new Uint8Array(25)
    markBorderConnected2d(image, w, w, 0, reached, new IndexStack())
    expect(reached[12]).toBe(0)
    expect(reached[0]).toBe(1)
    expect(reached.reduce((a, b) => a + b, 0)).toBe(16)
  })

  it('fills an enclosed hole but not a diagonal leak (4-connected background)', () => {
    const w = 6
    // prettier-ignore
    const mask = Uint8Array.from([
      0, 0, 0, 0, 0, 0,
      0, 1, 1, 1, 1, 0,
      0, 1, 0, 0, 1, 0,
      0, 1, 0, 0, 1, 0,
      0, 1, 1, 1, 1, 0,
      0, 0, 0, 0, 0, 0
    ])
    fillHoles2d(mask, w, w, new Uint8Array(36), new IndexStack())
    expect([14, 15, 20, 21].map((p) => mask[p])).toEqual([1, 1, 1, 1])
    expect(mask.reduce((a, b) => a + b, 0)).toBe(16)
  })
})

describe('labelComponents3d (run-based, 6-connected)', () => {
  it('separates diagonal neighbours and measures sizes and centroids', () => {
    const dims: [number, number, number] = [4, 3, 2]
    const mask = new Uint8Array(24)
    // Component A: an L of 4 voxels in slice 0 plus one above it in slice 1.
    for (const v of [0, 1, 2, 4, 12]) mask[v] = 1
    // Component B: touches A only diagonally (i = 3, j = 1 vs A's (2, 0)).
    for (const v of [7, 11, 23]) mask[v] = 1
    const components = labelComponents3d(mask, dims)
    const order = componentsBySize(components.sizes)
    expect(order.map((c) => components.sizes[c])).toEqual([5, 3])
    expect(components.sumI[order[0]] / components.sizes[order[0]]).toBeCloseTo((0 + 1 + 2 + 0 + 0) / 5)
    const painted = new Uint8Array(24)
    const valueOf = new Uint8Array(components.sizes.length)
    valueOf[order[1]] = 9
    paintComponents(components, valueOf, painted)
    expect([...painted.keys()].filter((v) => painted[v] === 9)).toEqual([7, 11, 23])
  })

  it('counts voxels above a level of a depth map', () => {
    const depth = Uint8Array.from([0, 1, 2, 2, 0, 3, 1, 0])
    const components = labelComponents3d(depth, [8, 1, 1], 1)
    expect(components.sizes.slice(1)).toEqual([2, 1])
  })
})

describe('fillConvexHull2d', () => {
  it('fills the triangle spanned by three pixels and keeps them inside', () => {
    const w = 9
    const mask = new Uint8Array(w * w)
    for (const [x, y] of [
      [0, 0],
      [8, 0],
      [0, 8]
    ]) {
      mask[y * w + x] = 1
    }
    const hull = new Uint8Array(w * w)
    fillConvexHull2d(mask, w, w, hull)
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) expect(hull[y * w + x]).toBe(x + y <= 8 ? 1 : 0)
    }
  })
})

describe('grey thresholds', () => {
  it("Otsu's level separates two grey populations, and the air level lies half-way to the bright mean", () => {
    const values = new Uint8Array(1000)
    for (let p = 0; p < 1000; p++) values[p] = p < 600 ? 30 + (p % 5) : 200 + (p % 7)
    const otsu = otsuThreshold(values)
    expect(otsu).toBeGreaterThanOrEqual(34)
    expect(otsu).toBeLessThan(200)
    let brightSum = 0
    for (let p = 600; p < 1000; p++) brightSum += values[p]
    expect(greyAirThreshold(values)).toBe(Math.round(otsu + (brightSum / 400 - otsu) / 2))
  })
})

describe('maskBoundingBox', () => {
  // 13 wide: byte by byte; 16 wide: four bytes a word; 16 wide at an odd byte offset: byte by byte again
  it.each([
    ['13 wide', 13, 0],
    ['16 wide (a word at a time)', 16, 0],
    ['16 wide at an odd offset', 16, 1]
  ])('is the box of every nonzero voxel (against a voxel-by-voxel search on seeded masks), undefined when empty: %s', (_, nx, offset) => {
    const dims: [number, number, number] = [nx, 7, 5]
    const size = nx * 7 * 5
    let seed = 7
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    for (let trial = 0; trial < 50; trial++) {
      const mask = new Uint8Array(size + offset).subarray(offset)
      const count = trial % 5 // 0 to 4 voxels, labels 1–3
      for (let n = 0; n < count; n++) mask[Math.floor(random() * size)] = 1 + Math.floor(random() * 3)
      const min = [99, 99, 99]
      const max = [-1, -1, -1]
      for (let v = 0; v < size; v++) {
        if (!mask[v]) continue
        const p = [v % nx, Math.floor(v / nx) % 7, Math.floor(v / (nx * 7))]
        for (let a = 0; a < 3; a++) {
          min[a] = Math.min(min[a], p[a])
          max[a] = Math.max(max[a], p[a])
        }
      }
      const box = maskBoundingBox(mask, dims)
      if (max[0] < 0) expect(box).toBeUndefined()
      else expect(box).toEqual({ min, max })
    }
  })
})
