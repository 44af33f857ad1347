import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadNativeAddon, type NativeAddon } from '../../../src/main/ml/kernels/nativeAddon'
import { squaredDistanceToFeature3d } from '../../../src/main/morphology/distanceTransform3d'
import { nativeImaging, setNativeImaging } from '../../../src/main/nativeImaging'
import { smoothBox } from '../../../src/main/regions/fissureEvidence'
import { closeAndFillLungsPerSlice } from '../../../src/main/lungs/lungMaskRefinement'
import { labelComponents3d } from '../../../src/main/morphology/connectedComponents3d'
import { growMarkers } from '../../../src/main/lungs/lungSeparation'
import { bodyCentreI } from '../../../src/main/lungs/bodyMask'
import { NATIVE_EXPECTED } from '../../helpers/nativeEngine'

/**
 * The native image kernels must give the TypeScript's floats bit for bit (same double sums in the
 * same order, no fused multiply-add): the lobe fit and the CT pattern are then the same numbers
 * whichever engine computed them, and every figure measured on one holds on the other.
 */
function seeded(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

/** Blobs: a random volume thresholded, so features come in runs as lung masks do. */
function blobs(n: number, fraction: number, seed: number): Uint8Array {
  const random = seeded(seed)
  return Uint8Array.from({ length: n }, () => (random() < fraction ? 1 : 0))
}

/** Runs f with the TypeScript kernels, then with the native ones; returns both results. */
function both<T>(addon: NativeAddon, f: () => T): [T, T] {
  setNativeImaging(undefined)
  const typescript = f()
  setNativeImaging(addon)
  const native = f()
  return [typescript, native]
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length)
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i
  return -1
}

const runIf = NATIVE_EXPECTED ? describe : describe.skip

runIf('native image kernels', () => {
  let addon: NativeAddon
  beforeAll(() => {
    const loaded = loadNativeAddon()
    expect(loaded).toBeDefined()
    addon = loaded as NativeAddon
  })
  afterEach(() => setNativeImaging(undefined))

  it('smooth a box of a volume exactly as the TypeScript does, on every axis and at thick slices', () => {
    const dims: [number, number, number] = [37, 29, 23]
    const random = seeded(7)
    const hu = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => -1000 + 1100 * random())
    for (const [spacing, sigma] of [
      [[0.7, 0.7, 1.25], 1.5],
      [[0.6, 0.8, 5], 2.4],
      [[1, 1, 1], 0.4]
    ] as const) {
      const [ts, native] = both(addon, () => smoothBox(hu, dims, spacing, [3, 2, 1], [33, 27, 21], sigma))
      expect(native.size).toEqual([31, 26, 21])
      expect(firstDifference(ts.data, native.data)).toBe(-1)
    }
    // and the smoothing did smooth: a voxel moved toward its neighbours' mean (−450 HU)
    const [ts] = both(addon, () => smoothBox(hu, dims, [0.7, 0.7, 1.25], [0, 0, 0], [36, 28, 22], 1.5))
    const spread = (values: ArrayLike<number>) => {
      let max = -Infinity
      let min = Infinity
      for (let i = 0; i < values.length; i++) {
        max = Math.max(max, values[i])
        min = Math.min(min, values[i])
      }
      return max - min
    }
    expect(spread(ts.data)).toBeLessThan(0.5 * spread(hu))
  })

  it('measure the 3D distance transform exactly as the TypeScript does, with and without the frame', () => {
    const dims: [number, number, number] = [41, 33, 19]
    const volume = blobs(dims[0] * dims[1] * dims[2], 0.02, 11)
    for (const [spacing, feature, frame] of [
      [[0.68, 0.68, 1.25], 1, false],
      [[0.7, 0.9, 5], 0, true],
      [[1, 1, 1], 1, true]
    ] as const) {
      const [ts, native] = both(addon, () => squaredDistanceToFeature3d(volume, dims, spacing, feature, frame))
      expect(firstDifference(ts, native)).toBe(-1)
    }
    // a single feature voxel: the distance two voxels along x and one slice up is 2²·0.5² + 3² mm²
    const single = new Uint8Array(dims[0] * dims[1] * dims[2])
    single[5 * dims[0] * dims[1] + 10 * dims[0] + 10] = 1
    setNativeImaging(addon)
    const d = squaredDistanceToFeature3d(single, dims, [0.5, 0.5, 3], 1, false)
    expect(d[6 * dims[0] * dims[1] + 10 * dims[0] + 12]).toBeCloseTo(1 + 9, 5)
    // no feature anywhere and no frame: far everywhere
    expect(squaredDistanceToFeature3d(new Uint8Array(27), [3, 3, 3], [1, 1, 1], 1, false)[13]).toBe(Math.fround(1e12))
  })

  it('measure every slice\'s own 2D distance transform exactly as the TypeScript does (the lung separation\'s erosion)', () => {
    const dims: [number, number, number] = [41, 33, 7]
    const volume = blobs(dims[0] * dims[1] * dims[2], 0.9, 5)
    for (const [spacing, feature, frame] of [
      [[0.68, 0.68, 1.25], 0, true],
      [[0.7, 0.9, 5], 1, false]
    ] as const) {
      const [ts, native] = both(addon, () => squaredDistanceToFeature3d(volume, dims, spacing, feature, frame, { inPlane: true }))
      expect(firstDifference(ts, native)).toBe(-1)
    }
    // one background voxel in slice 3 only: in slice 3 its neighbour two columns on is 2²·0.5² mm² from
    // it; the slice above, with no background and no frame, is far everywhere (no pass along z)
    const lung = new Uint8Array(dims[0] * dims[1] * dims[2]).fill(1)
    lung[3 * dims[0] * dims[1] + 10 * dims[0] + 10] = 0
    setNativeImaging(addon)
    const d = squaredDistanceToFeature3d(lung, dims, [0.5, 0.5, 3], 0, false, { inPlane: true })
    expect(d[3 * dims[0] * dims[1] + 10 * dims[0] + 12]).toBeCloseTo(1, 5)
    expect(d[4 * dims[0] * dims[1] + 10 * dims[0] + 12]).toBe(Math.fround(1e12))
  })

  it('close and fill each lung slice by slice to the same voxels as the TypeScript (holes, bays, the other lung kept)', () => {
    const dims: [number, number, number] = [61, 47, 9]
    const [nx, ny, nz] = dims
    const random = seeded(3)
    // two ragged discs per slice (labels 1 and 2) with pinholes, a bay and speckle; 3 is another tissue
    const lungs = new Uint8Array(nx * ny * nz)
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++) {
          const v = (k * ny + j) * nx + i
          const right = Math.hypot(i - 18, j - 23) < 12 + 3 * random()
          const left = Math.hypot(i - 43, j - 23) < 11 + 3 * random()
          const bay = Math.abs(j - 23) < 2 && i > 40 // a notch into the left lung from its lateral side
          lungs[v] = random() < 0.08 ? 0 : right ? 1 : left && !bay ? 2 : random() < 0.02 ? 3 : 0
        }
    for (const [spacing, radius] of [
      [[0.7, 0.7, 1.25], 4],
      [[0.6, 0.9, 5], 2.5],
      [[1, 1, 1], 0]
    ] as const) {
      const [ts, native] = both(addon, () => {
        const labels = lungs.slice()
        closeAndFillLungsPerSlice(labels, dims, spacing, [1, 2], radius)
        return labels
      })
      let differences = 0
      for (let v = 0; v < ts.length; v++) if (ts[v] !== native[v]) differences++
      expect(differences).toBe(0)
      // and it did fill: the pinholes of the right lung's core (dozens) are all lung again; tissue 3 untouched
      let pinholes = 0
      for (let v = 0; v < lungs.length; v++) {
        const i = v % nx
        const j = Math.floor(v / nx) % ny
        if (Math.hypot(i - 18, j - 23) < 10) {
          if (lungs[v] === 0) pinholes++
          expect(native[v]).toBe(1)
        }
        if (lungs[v] === 3) expect(native[v]).toBe(3)
      }
      expect(pinholes).toBeGreaterThan(20)
    }
  })

  it('cut a mask into the same runs as the TypeScript, so its components are the same (labels above 0 and above 1)', () => {
    const dims: [number, number, number] = [53, 31, 11]
    const random = seeded(9)
    const mask = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (random() < 0.45 ? 1 + Math.floor(random() * 3) : 0))
    for (const above of [0, 1]) {
      const [ts, native] = both(addon, () => labelComponents3d(mask, dims, above))
      expect(native.runStart.length).toBeGreaterThan(1000)
      expect(Array.from(native.runStart)).toEqual(Array.from(ts.runStart))
      expect(Array.from(native.runEnd)).toEqual(Array.from(ts.runEnd))
      expect(Array.from(native.runRow)).toEqual(Array.from(ts.runRow))
      expect(Array.from(native.runComponent)).toEqual(Array.from(ts.runComponent))
      expect(native.sizes).toEqual(ts.sizes)
    }
    // an empty mask: no runs, no components
    setNativeImaging(addon)
    expect(labelComponents3d(new Uint8Array(60), [5, 4, 3]).sizes).toEqual([0])
    // the body's midline from the same runs: the same mean column to the last bit
    const [tsCentre, nativeCentre] = both(addon, () => bodyCentreI(mask, dims[0]))
    expect(nativeCentre).toBe(tsCentre)
    expect(nativeCentre).toBeGreaterThan(20)
    expect(nativeCentre).toBeLessThan(32)
  })

  it('grow the lung markers through a mask to the same labels as the TypeScript (ties go the same way)', () => {
    const dims: [number, number, number] = [47, 39, 13]
    const random = seeded(21)
    const mask = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (random() < 0.7 ? 1 : 0))
    // a few seeds of each lung: where their floods meet, the queue order decides
    const markers = new Uint8Array(mask.length)
    for (let n = 0; n < 12; n++) markers[Math.floor(random() * mask.length)] = 1 + (n % 2)
    const [ts, native] = both(addon, () => growMarkers(mask, dims, markers))
    let differing = 0
    let grown = 0
    for (let v = 0; v < mask.length; v++) {
      if (ts[v] !== native[v]) differing++
      if (native[v] !== 0) grown++
    }
    expect(differing).toBe(0)
    expect(grown).toBeGreaterThan(mask.length / 3)
    expect(native.includes(1) && native.includes(2)).toBe(true)
  })

  it('refuse bad shapes with a JS error', () => {
    expect(() => addon.squaredDistance3d(new Uint8Array(10), new Float32Array(10), Float64Array.of(3, 3, 3, 1, 1, 1, 1, 0))).toThrow(
      /nx·ny·nz/
    )
    expect(() => addon.closeAndFillSlices(new Uint8Array(26), Int32Array.of(1, 1, 1), Float64Array.of(3, 3, 3, 1, 1, 1, 1, 1))).toThrow(/nx·ny·nz/)
    expect(() => addon.closeAndFillSlices(new Uint8Array(27), Int32Array.of(1, 1), Float64Array.of(3, 3, 3, 1, 1, 1, 1, 1))).toThrow(/half-widths/)
    expect(() => addon.maskRuns(new Uint8Array(10), Float64Array.of(3, 3, 0))).toThrow(/nx·rows/)
    expect(() => addon.growMarkers(new Uint8Array(8), new Uint8Array(8), new Uint8Array(7), Float64Array.of(2, 2, 2))).toThrow(/nx·ny·nz/)
    expect(() =>
      addon.smoothAxis(new Float32Array(12), new Float32Array(12), new Float32Array(4), Float64Array.of(1, 3, 1))
    ).toThrow(/2·radius \+ 1/)
    expect(() =>
      addon.smoothAxis(new Float32Array(12), new Float32Array(12), new Float32Array(3), Float64Array.of(1, 5, 1))
    ).toThrow(/whole blocks/)
    expect(() => addon.smoothAxis(new Float32Array(12), new Uint8Array(12) as never, new Float32Array(3), Float64Array.of(1, 3, 1))).toThrow(
      /wrong array type/
    )
    expect(nativeImaging()).toBeUndefined()
  })
})
