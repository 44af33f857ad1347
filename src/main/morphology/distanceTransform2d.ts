/**
 * Exact squared Euclidean distance transform of a 2D binary image, in mm², after Felzenszwalb &
 * Huttenlocher ("Distance transforms of sampled functions", 2012): a 1D pass along rows, then the
 * lower envelope of parabolas along columns. Linear in the pixel count whatever the radius, which is
 * what makes disk-shaped erosion and closing affordable on every slice of a CT.
 */

/** Squared distance reported for pixels with no feature anywhere (finite so the envelope stays exact). */
export const FAR_SQUARED_MM = 1e12

export interface DistanceTransformScratch {
  column: Float64Array
  envelopeDistance: Float64Array
  envelopeVertex: Int32Array
  envelopeBoundary: Float64Array
}

export function createDistanceScratch(maxLength: number): DistanceTransformScratch {
  return {
    column: new Float64Array(maxLength),
    envelopeDistance: new Float64Array(maxLength),
    envelopeVertex: new Int32Array(maxLength),
    envelopeBoundary: new Float64Array(maxLength + 1)
  }
}

/**
 * Writes to `out` the squared distance (mm²) from each pixel centre to the nearest feature pixel,
 * a feature being a pixel whose value equals `featureValue`.
 * `frameIsFeature`: the area outside the image counts as feature, as if the image were surrounded
 * by a one-pixel frame of feature pixels; erosion needs that so an object cut by the window edge
 * still erodes from there.
 */
export function squaredDistanceToFeature2d(
  image: Uint8Array,
  width: number,
  height: number,
  featureValue: number,
  spacingX: number,
  spacingY: number,
  frameIsFeature: boolean,
  out: Float32Array,
  scratch: DistanceTransformScratch = createDistanceScratch(Math.max(width, height))
): void {
  // Pass 1: along each row, the distance in pixels to the nearest feature of that row.
  for (let y = 0; y < height; y++) {
    const row = y * width
    let last = frameIsFeature ? -1 : -Infinity
    for (let x = 0; x < width; x++) {
      if (image[row + x] === featureValue) last = x
      out[row + x] = x - last
    }
    last = frameIsFeature ? width : Infinity
    for (let x = width - 1; x >= 0; x--) {
      if (image[row + x] === featureValue) last = x
      const gap = Math.min(out[row + x], last - x)
      out[row + x] = Number.isFinite(gap) ? gap * spacingX * gap * spacingX : FAR_SQUARED_MM
    }
  }
  // Pass 2: along each column, the lower envelope of the parabolas rooted at the row results.
  for (let x = 0; x < width; x++) envelopeAlongLine(out, x, width, height, spacingY, frameIsFeature, scratch, Infinity)
}

/**
 * Replaces the `count` values of `out` at `start`, `start + stride`, … (squared distances along the
 * other axes) by their lower envelope of parabolas along this line at `spacing` mm: the separable pass
 * shared by the column pass here and the z pass of the 3D transform. `frameIsFeature` adds the
 * distance to the frame beyond both ends; `ceiling` caps the result (the 3D transform stores finite values).
 */
export function envelopeAlongLine(
  out: Float32Array,
  start: number,
  stride: number,
  count: number,
  spacing: number,
  frameIsFeature: boolean,
  scratch: DistanceTransformScratch,
  ceiling: number
): void {
  const f = scratch.column
  const d = scratch.envelopeDistance
  for (let i = 0; i < count; i++) f[i] = out[start + i * stride]
  lowerEnvelope1d(f, count, spacing, d, scratch.envelopeVertex, scratch.envelopeBoundary)
  for (let i = 0; i < count; i++) {
    let value = d[i]
    if (frameIsFeature) {
      const toFrame = Math.min(i + 1, count - i) * spacing
      if (toFrame * toFrame < value) value = toFrame * toFrame
    }
    out[start + i * stride] = Math.min(value, ceiling)
  }
}

/** 1D squared distance transform of sampled function f at positions q·step (Felzenszwalb 2012). */
export function lowerEnvelope1d(
  f: Float64Array,
  n: number,
  step: number,
  d: Float64Array,
  v: Int32Array,
  z: Float64Array
): void {
  let k = 0
  v[0] = 0
  z[0] = -Infinity
  z[1] = Infinity
  for (let q = 1; q < n; q++) {
    let s = intersection(f, q, v[k], step)
    // z[0] is −∞, so k never drops below 0.
    while (s <= z[k]) {
      k--
      s = intersection(f, q, v[k], step)
    }
    k++
    v[k] = q
    z[k] = s
    z[k + 1] = Infinity
  }
  k = 0
  for (let q = 0; q < n; q++) {
    const pq = q * step
    while (z[k + 1] < pq) k++
    const dv = pq - v[k] * step
    d[q] = dv * dv + f[v[k]]
  }
}

/** Abscissa where the parabolas rooted at samples q and r (q > r) intersect. */
function intersection(f: Float64Array, q: number, r: number, step: number): number {
  const pq = q * step
  const pr = r * step
  return (f[q] + pq * pq - (f[r] + pr * pr)) / (2 * (pq - pr))
}
