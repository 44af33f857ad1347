/**
 * Geometry conversions between a Volume (LPS, ITK convention) and NIfTI's RAS affines.
 * NIfTI world coordinates are RAS: x grows to the patient's left in LPS but to the right in RAS,
 * y to posterior in LPS but anterior in RAS, so both flip sign and z is shared.
 */

export type Vec3 = [number, number, number]

export interface Geometry {
  spacing: Vec3
  origin: Vec3
  /** Row-major 3×3, columns = axis unit vectors. */
  direction: number[]
}

/** The same matrix and point seen in the other convention (the flip is its own inverse). */
export function flipLpsRas(g: Geometry): Geometry {
  const d = g.direction
  return {
    spacing: [...g.spacing],
    origin: [-g.origin[0], -g.origin[1], g.origin[2]],
    direction: [-d[0], -d[1], -d[2], -d[3], -d[4], -d[5], d[6], d[7], d[8]]
  }
}

/** 3×4 affine rows (srow_x, srow_y, srow_z): world = A · [i, j, k, 1]. */
export function toAffine(g: Geometry): number[][] {
  const d = g.direction
  const s = g.spacing
  return [0, 1, 2].map((r) => [d[r * 3] * s[0], d[r * 3 + 1] * s[1], d[r * 3 + 2] * s[2], g.origin[r]])
}

export function fromAffine(rows: number[][]): Geometry {
  const spacing = [0, 1, 2].map((c) => Math.hypot(rows[0][c], rows[1][c], rows[2][c]) || 1) as Vec3
  const direction: number[] = []
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) direction.push(rows[r][c] / spacing[c])
  return { spacing, origin: [rows[0][3], rows[1][3], rows[2][3]], direction }
}

function determinant(d: number[]): number {
  return d[0] * (d[4] * d[8] - d[5] * d[7]) - d[1] * (d[3] * d[8] - d[5] * d[6]) + d[2] * (d[3] * d[7] - d[4] * d[6])
}

export interface Quaternion {
  b: number
  c: number
  d: number
  /** pixdim[0]: −1 when the third axis is flipped to make the rotation proper. */
  qfac: 1 | -1
}

/** The qform of a direction matrix, as nifti1_io's nifti_mat44_to_quatern (orthonormal input). */
export function toQuaternion(direction: number[]): Quaternion {
  const m = [...direction]
  let qfac: 1 | -1 = 1
  if (determinant(m) < 0) {
    qfac = -1
    m[2] = -m[2]
    m[5] = -m[5]
    m[8] = -m[8]
  }
  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = m
  const trace = r11 + r22 + r33 + 1
  let a: number, b: number, c: number, d: number
  if (trace > 0.5) {
    a = 0.5 * Math.sqrt(trace)
    b = (0.25 * (r32 - r23)) / a
    c = (0.25 * (r13 - r31)) / a
    d = (0.25 * (r21 - r12)) / a
  } else {
    const xd = 1 + r11 - (r22 + r33)
    const yd = 1 + r22 - (r11 + r33)
    const zd = 1 + r33 - (r11 + r22)
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd)
      c = (0.25 * (r12 + r21)) / b
      d = (0.25 * (r13 + r31)) / b
      a = (0.25 * (r32 - r23)) / b
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd)
      b = (0.25 * (r12 + r21)) / c
      d = (0.25 * (r23 + r32)) / c
      a = (0.25 * (r13 - r31)) / c
    } else {
      d = 0.5 * Math.sqrt(zd)
      b = (0.25 * (r13 + r31)) / d
      c = (0.25 * (r23 + r32)) / d
      a = (0.25 * (r21 - r12)) / d
    }
    // The qform stores only b, c, d and takes a ≥ 0.
    if (a < 0) {
      b = -b
      c = -c
      d = -d
    }
  }
  return { b, c, d, qfac }
}

/** The direction matrix of a qform (nifti_quatern_to_mat44). */
export function fromQuaternion(q: Quaternion): number[] {
  let { b, c, d } = q
  let a = 1 - (b * b + c * c + d * d)
  if (a < 1e-7) {
    // A 180° rotation, where float32 rounding can push b²+c²+d² past 1: renormalise instead.
    const n = Math.hypot(b, c, d)
    b /= n
    c /= n
    d /= n
    a = 0
  } else {
    a = Math.sqrt(a)
  }
  const m = [
    a * a + b * b - c * c - d * d,
    2 * (b * c - a * d),
    2 * (b * d + a * c),
    2 * (b * c + a * d),
    a * a + c * c - b * b - d * d,
    2 * (c * d - a * b),
    2 * (b * d - a * c),
    2 * (c * d + a * b),
    a * a + d * d - c * c - b * b
  ]
  if (q.qfac < 0) {
    m[2] = -m[2]
    m[5] = -m[5]
    m[8] = -m[8]
  }
  return m
}
