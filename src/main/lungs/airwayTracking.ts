import { IndexStack } from '../morphology/indexStack'
import type { AxialOrientation, VolumeGeometry } from '../volume/volumeGeometry'

/** Parameters of the airway tracking (see trackCentralAirways). */
export interface AirwayTrackingOptions {
  /** accepted cross-section of the trachea at its seed slice, mm² */
  minTracheaAreaMm2: number
  maxTracheaAreaMm2: number
  /** the seed's centre lies within this fraction of the body's width from the body's centre */
  medialBandFraction: number
  /** area over bounding-box area; a round tube gives π/4 ≈ 0.79 */
  minFillRatio: number
  /**
   * a cross-section larger than this multiple of the airway's area in the slice above (or of the
   * seed's, whichever is larger) has merged with lung: airways widen gradually, leaks jump
   */
  mergeAreaFactor: number
  /** and no airway cross-section is larger than this, mm² */
  maxSectionAreaMm2: number
  /** a seed is accepted only if the airway can be followed down this far, mm */
  minLengthMm: number
  /** seeds are searched in this upper fraction of the slices that hold inside air */
  seedSearchFraction: number
}

export const DEFAULT_AIRWAY_TRACKING: AirwayTrackingOptions = {
  minTracheaAreaMm2: 30,
  maxTracheaAreaMm2: 800,
  medialBandFraction: 0.15,
  minFillRatio: 0.45,
  mergeAreaFactor: 3,
  maxSectionAreaMm2: 1500,
  minLengthMm: 20,
  seedSearchFraction: 0.5
}

export interface AirwayTracking {
  /** 1 on the voxels of the trachea and the bronchi followed from it */
  mask: Uint8Array
  voxelCount: number
  /** slice index of the trachea seed; undefined when no trachea was found */
  tracheaSlice?: number
}

interface CrossSection {
  area: number
  centreX: number
  fillRatio: number
}

/** Floods 4-connected cross-sections of one slice, remembering what it has visited per generation. */
class SliceFlood {
  readonly pixels = new IndexStack(4096)
  private readonly stack = new IndexStack(4096)
  private readonly stamp: Int32Array
  private generation = 0

  constructor(
    private readonly width: number,
    private readonly height: number
  ) {
    this.stamp = new Int32Array(width * height)
  }

  nextGeneration(): void {
    this.generation++
  }

  visited(p: number): boolean {
    return this.stamp[p] === this.generation
  }

  /** Fills the cross-section of `mask` (slice starting at `offset`) through pixel p into `pixels`. */
  fill(mask: Uint8Array, offset: number, p: number): CrossSection {
    const { width, height, stack, pixels, stamp, generation } = this
    pixels.clear()
    stamp[p] = generation
    stack.push(p)
    let sumX = 0
    let minX = width
    let maxX = -1
    let minY = height
    let maxY = -1
    while (stack.size > 0) {
      const q = stack.pop()
      pixels.push(q)
      const y = (q / width) | 0
      const x = q - y * width
      sumX += x
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      if (x > 0) this.visit(mask, offset, q - 1)
      if (x < width - 1) this.visit(mask, offset, q + 1)
      if (y > 0) this.visit(mask, offset, q - width)
      if (y < height - 1) this.visit(mask, offset, q + width)
    }
    const area = pixels.size
    return { area, centreX: sumX / area, fillRatio: area / ((maxX - minX + 1) * (maxY - minY + 1)) }
  }

  private visit(mask: Uint8Array, offset: number, q: number): void {
    if (mask[offset + q] !== 0 && this.stamp[q] !== this.generation) {
      this.stamp[q] = this.generation
      this.stack.push(q)
    }
  }
}

/**
 * Finds the trachea and the main bronchi so they can be taken out of the lung mask.
 *
 * Approach (after Hu, Hoffman & Reinhardt, IEEE TMI 2001, who also remove the large airways before
 * separating the lungs, but tracked slice by slice instead of by 3D region growing so that it needs
 * no airway-specific HU threshold and works on windowed grey images too):
 * 1. Seed: going down from the top of the scan, the first axial slice with an inside-air
 *    cross-section that is small (a trachea-sized area), roundish and centred on the body's
 *    midline. Lung apices are lateral and the oesophagus rarely holds that much air.
 * 2. Track: in each next slice down, the 4-connected inside-air cross-sections overlapping the
 *    airway of the slice above belong to the airway while they stay small (below a multiple of the
 *    airway's area in the slice above). At the carina the cross-section splits and both main
 *    bronchi are followed.
 *    A cross-section that has become large has merged with aerated lung: that branch stops there,
 *    so the lung itself is never swallowed.
 * 3. A seed is accepted only if it can be followed for a minimum length (a tube, not a bubble).
 * Intrapulmonary bronchi that are followed too are harmless: they are enclosed by lung in the
 * axial plane and the hole filling puts them back.
 */
export function trackCentralAirways(
  insideAir: Uint8Array,
  body: Uint8Array,
  geometry: VolumeGeometry,
  orientation: AxialOrientation,
  options: AirwayTrackingOptions = DEFAULT_AIRWAY_TRACKING
): AirwayTracking {
  const [nx, ny, nz] = geometry.dimensions
  const sliceSize = nx * ny
  const pixelAreaMm2 = geometry.spacing[0] * geometry.spacing[1]
  const downward = orientation.towardSuperior === 1 ? -1 : 1
  const mask = new Uint8Array(insideAir.length)
  const flood = new SliceFlood(nx, ny)

  const slicesWithAir: number[] = []
  for (let step = 0; step < nz; step++) {
    const k = downward === -1 ? nz - 1 - step : step
    if (sliceHasVoxel(insideAir, k * sliceSize, sliceSize)) slicesWithAir.push(k)
  }
  const searchCount = Math.ceil(slicesWithAir.length * options.seedSearchFraction)

  for (let s = 0; s < searchCount; s++) {
    const k = slicesWithAir[s]
    const seed = findTracheaSeed(insideAir, body, k, nx, ny, pixelAreaMm2, flood, options)
    if (seed === undefined) continue
    const maxSectionPixels = options.maxSectionAreaMm2 / pixelAreaMm2
    const followed = followAirway(
      insideAir,
      k,
      downward,
      seed,
      nx,
      ny,
      nz,
      flood,
      options.mergeAreaFactor,
      maxSectionPixels
    )
    if (followed.slices * geometry.spacing[2] < options.minLengthMm) continue
    for (let n = 0; n < followed.voxels.size; n++) mask[followed.voxels.at(n)] = 1
    return { mask, voxelCount: followed.voxels.size, tracheaSlice: k }
  }
  return { mask, voxelCount: 0 }
}

function sliceHasVoxel(mask: Uint8Array, offset: number, sliceSize: number): boolean {
  for (let p = 0; p < sliceSize; p++) if (mask[offset + p] !== 0) return true
  return false
}

/** The pixels of the most medial trachea-like cross-section of slice k, or undefined. */
function findTracheaSeed(
  insideAir: Uint8Array,
  body: Uint8Array,
  k: number,
  nx: number,
  ny: number,
  pixelAreaMm2: number,
  flood: SliceFlood,
  options: AirwayTrackingOptions
): Int32Array | undefined {
  const offset = k * nx * ny
  let bodyMinX = nx
  let bodyMaxX = -1
  for (let p = 0; p < nx * ny; p++) {
    if (body[offset + p] === 0) continue
    const x = p % nx
    if (x < bodyMinX) bodyMinX = x
    if (x > bodyMaxX) bodyMaxX = x
  }
  if (bodyMaxX < 0) return undefined
  const bodyCentreX = (bodyMinX + bodyMaxX) / 2
  const band = options.medialBandFraction * (bodyMaxX - bodyMinX + 1)

  flood.nextGeneration()
  let best: Int32Array | undefined
  let bestOffCentre = Infinity
  for (let p = 0; p < nx * ny; p++) {
    if (insideAir[offset + p] === 0 || flood.visited(p)) continue
    const section = flood.fill(insideAir, offset, p)
    const areaMm2 = section.area * pixelAreaMm2
    const offCentre = Math.abs(section.centreX - bodyCentreX)
    const tracheaLike =
      areaMm2 >= options.minTracheaAreaMm2 &&
      areaMm2 <= options.maxTracheaAreaMm2 &&
      section.fillRatio >= options.minFillRatio &&
      offCentre <= band
    if (tracheaLike && offCentre < bestOffCentre) {
      bestOffCentre = offCentre
      best = new Int32Array(section.area)
      for (let n = 0; n < section.area; n++) best[n] = flood.pixels.at(n)
    }
  }
  return best
}

/** Follows the airway down from the seed cross-section; returns its voxels and its length in slices. */
function followAirway(
  insideAir: Uint8Array,
  seedSlice: number,
  downward: 1 | -1,
  seed: Int32Array,
  nx: number,
  ny: number,
  nz: number,
  flood: SliceFlood,
  mergeAreaFactor: number,
  maxSectionPixels: number
): { voxels: IndexStack; slices: number } {
  const sliceSize = nx * ny
  const voxels = new IndexStack(seed.length * 64)
  let current = new IndexStack(seed.length * 4)
  let next = new IndexStack(seed.length * 4)
  for (const p of seed) {
    current.push(p)
    voxels.push(seedSlice * sliceSize + p)
  }
  let slices = 1
  for (let k = seedSlice + downward; k >= 0 && k < nz && current.size > 0; k += downward) {
    const offset = k * sliceSize
    const mergeArea = Math.min(maxSectionPixels, mergeAreaFactor * Math.max(current.size, seed.length))
    flood.nextGeneration()
    next.clear()
    for (let n = 0; n < current.size; n++) {
      const p = current.at(n)
      if (insideAir[offset + p] === 0 || flood.visited(p)) continue
      const section = flood.fill(insideAir, offset, p)
      if (section.area > mergeArea) continue
      for (let m = 0; m < section.area; m++) {
        const q = flood.pixels.at(m)
        next.push(q)
        voxels.push(offset + q)
      }
    }
    if (next.size > 0) slices++
    const swap = current
    current = next
    next = swap
  }
  return { voxels, slices }
}
