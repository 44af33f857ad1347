/**
 * Fissure evidence from the CT: a Hessian plate filter. A fissure is a bright sheet about a voxel
 * thick between two aerated lobes, so across it the intensity has a sharp maximum: the Hessian's
 * eigenvalue of largest magnitude is strongly negative and the other two are small, and its
 * direction (the sheet's normal) follows the prior surface's normal. Evaluated only in a band around
 * the prior surface, on the CT's own grid (derivatives in mm, so any slice spacing works).
 *
 * A consolidation edge is also bright on one side; the sheet test rejects it: both sides of a
 * fissure, a few mm along the normal, must be aerated lung and darker than the fissure itself.
 */
import { nativeImaging } from '../nativeImaging'

export interface SmoothedBox {
  data: Float32Array
  /** the box in voxel indices: origin and size */
  from: [number, number, number]
  size: [number, number, number]
}

/**
 * b = a convolved along one axis (`n` voxels at `stride`) with `kernel`, edges clamped. The taps are
 * summed in the same order whatever the path, so the fast paths give the same floats: rows of the
 * other axes are accumulated together (contiguous, not strided, memory), and along x the interior
 * skips the clamping. Where the engine loaded the native kernels, their port of this function (same
 * sums in the same order, bit for bit) runs instead, over both cores.
 */
function convolveAxis(
  a: Float32Array,
  b: Float32Array,
  kernel: Float32Array,
  radius: number,
  n: number,
  stride: number
): void {
  if (stride === 1) {
    for (let start = 0; start < a.length; start += n) {
      for (let t = 0; t < n; t++) {
        let sum = 0
        if (t >= radius && t + radius < n) {
          const base = start + t - radius
          for (let d = 0; d < kernel.length; d++) sum += kernel[d] * a[base + d]
        } else {
          for (let d = -radius; d <= radius; d++) {
            const q = t + d < 0 ? 0 : t + d >= n ? n - 1 : t + d
            sum += kernel[d + radius] * a[start + q]
          }
        }
        b[start + t] = sum
      }
    }
    return
  }
  const acc = new Float64Array(stride)
  for (let block = 0; block < a.length; block += n * stride) {
    for (let t = 0; t < n; t++) {
      acc.fill(0)
      for (let d = -radius; d <= radius; d++) {
        const q = t + d < 0 ? 0 : t + d >= n ? n - 1 : t + d
        const w = kernel[d + radius]
        const row = block + q * stride
        for (let i = 0; i < stride; i++) acc[i] += w * a[row + i]
      }
      const out = block + t * stride
      for (let i = 0; i < stride; i++) b[out + i] = acc[i]
    }
  }
}

/** The HU volume inside a box, Gaussian-smoothed with σ = sigmaMm along each axis (separable). */
export function smoothBox(
  hu: ArrayLike<number>,
  dimensions: readonly [number, number, number],
  spacing: readonly number[],
  from: [number, number, number],
  to: [number, number, number],
  sigmaMm: number
): SmoothedBox {
  const [nx, ny] = dimensions
  const size: [number, number, number] = [to[0] - from[0] + 1, to[1] - from[1] + 1, to[2] - from[2] + 1]
  const [bx, by, bz] = size
  let a = new Float32Array(bx * by * bz)
  for (let k = 0; k < bz; k++)
    for (let j = 0; j < by; j++) {
      const source = (k + from[2]) * nx * ny + (j + from[1]) * nx + from[0]
      const target = k * bx * by + j * bx
      for (let i = 0; i < bx; i++) a[target + i] = hu[source + i]
    }
  let b = new Float32Array(a.length)
  const strides = [1, bx, bx * by]
  for (let axis = 0; axis < 3; axis++) {
    const sigma = sigmaMm / spacing[axis]
    // Below half a voxel the kernel is nearly a delta: thick slices are left as they are.
    if (sigma < 0.5) continue
    const radius = Math.ceil(2.5 * sigma)
    const kernel = Float32Array.from({ length: 2 * radius + 1 }, (_, t) =>
      Math.exp(-((t - radius) ** 2) / (2 * sigma * sigma))
    )
    const norm = kernel.reduce((s, w) => s + w, 0)
    for (let t = 0; t < kernel.length; t++) kernel[t] /= norm
    const native = nativeImaging()
    if (native !== undefined) native.smoothAxis(a, b, kernel, Float64Array.of(radius, size[axis], strides[axis]))
    else convolveAxis(a, b, kernel, radius, size[axis], strides[axis])
    ;[a, b] = [b, a]
  }
  return { data: a, from, size }
}

/** The eigenvalues of a symmetric 3×3 matrix (closed form), sorted by magnitude, smallest first. */
export function eigenvaluesByMagnitude(
  xx: number,
  yy: number,
  zz: number,
  xy: number,
  xz: number,
  yz: number
): [number, number, number] {
  const p1 = xy * xy + xz * xz + yz * yz
  let values: number[]
  if (p1 === 0) values = [xx, yy, zz]
  else {
    const q = (xx + yy + zz) / 3
    const p2 = (xx - q) ** 2 + (yy - q) ** 2 + (zz - q) ** 2 + 2 * p1
    const p = Math.sqrt(p2 / 6)
    const bxx = (xx - q) / p,
      byy = (yy - q) / p,
      bzz = (zz - q) / p,
      bxy = xy / p,
      bxz = xz / p,
      byz = yz / p
    const det = bxx * (byy * bzz - byz * byz) - bxy * (bxy * bzz - byz * bxz) + bxz * (bxy * byz - byy * bxz)
    const r = Math.max(-1, Math.min(1, det / 2))
    const phi = Math.acos(r) / 3
    const e1 = q + 2 * p * Math.cos(phi)
    const e3 = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3)
    values = [e1, 3 * q - e1 - e3, e3]
  }
  values.sort((u, v) => Math.abs(u) - Math.abs(v))
  return values as [number, number, number]
}

export interface PlateProbe {
  box: SmoothedBox
  /** mm per voxel along i, j, k */
  spacing: readonly number[]
  /** HU a side of the sheet must stay under to count as aerated lung */
  aeratedBelowHu: number
  /** how much brighter than both sides the sheet must be, HU */
  sheetContrastHu: number
  /** how far to each side the sheet test looks, mm */
  sideMm: number
}

/**
 * The plate response at box voxel (i, j, k) for a sheet whose normal is `normal` (unit, in voxel-axis
 * directions, mm): −λ_max · (1 − |λ_mid / λ_max|) · alignment², where alignment = n·H·n / λ_max; 0 when
 * the voxel is no bright sheet, faces another way, or fails the sheet test.
 */
export function plateResponse(
  probe: PlateProbe,
  i: number,
  j: number,
  k: number,
  normal: readonly [number, number, number]
): number {
  const { box, spacing } = probe
  const [bx, by, bz] = box.size
  if (i < 1 || j < 1 || k < 1 || i >= bx - 1 || j >= by - 1 || k >= bz - 1) return 0
  const s = box.data
  const sx = 1,
    sy = bx,
    sz = bx * by
  const v = i + j * sy + k * sz
  const c = s[v]
  const [hx, hy, hz] = spacing
  const xx = (s[v + sx] - 2 * c + s[v - sx]) / (hx * hx)
  const yy = (s[v + sy] - 2 * c + s[v - sy]) / (hy * hy)
  const zz = (s[v + sz] - 2 * c + s[v - sz]) / (hz * hz)
  const xy = (s[v + sx + sy] - s[v + sx - sy] - s[v - sx + sy] + s[v - sx - sy]) / (4 * hx * hy)
  const xz = (s[v + sx + sz] - s[v + sx - sz] - s[v - sx + sz] + s[v - sx - sz]) / (4 * hx * hz)
  const yz = (s[v + sy + sz] - s[v + sy - sz] - s[v - sy + sz] + s[v - sy - sz]) / (4 * hy * hz)
  const [, mid, max] = eigenvaluesByMagnitude(xx, yy, zz, xy, xz, yz)
  if (max >= 0) return 0
  const [nx, ny, nz] = normal
  const along = nx * nx * xx + ny * ny * yy + nz * nz * zz + 2 * (nx * ny * xy + nx * nz * xz + ny * nz * yz)
  const alignment = Math.min(1, Math.max(0, along / max))
  const plateness = 1 - Math.abs(mid / max)
  if (plateness <= 0 || alignment <= 0) return 0
  // The sheet test, a few mm to each side along the normal.
  for (const sign of [1, -1]) {
    const ti = Math.round(i + (sign * nx * probe.sideMm) / hx)
    const tj = Math.round(j + (sign * ny * probe.sideMm) / hy)
    const tk = Math.round(k + (sign * nz * probe.sideMm) / hz)
    if (ti < 0 || tj < 0 || tk < 0 || ti >= bx || tj >= by || tk >= bz) return 0
    const side = s[ti + tj * sy + tk * sz]
    if (side > probe.aeratedBelowHu || side > c - probe.sheetContrastHu) return 0
  }
  return -max * plateness * alignment * alignment
}
