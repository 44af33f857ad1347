/**
 * A fissure surface as a height field in a lung's standardised coordinates: u = (p − centroid) / sd per
 * LPS axis (p in mm), so u.z = height(u.x, u.y). Both oblique fissures and the right horizontal
 * fissure cross each vertical line through the lung at most once, so a height field holds them; the
 * oblique one is steep (high at the back, low at the front) but does not fold over.
 * The height is a bivariate cubic: the shape model (fissureAtlas.json) stores its coefficients.
 */
export const SURFACE_DEGREE = 3

/** The monomials x^p·y^q with p + q ≤ SURFACE_DEGREE, in a fixed order (10 for a cubic). */
export function surfaceBasis(x: number, y: number, out: Float64Array = new Float64Array(BASIS_SIZE)): Float64Array {
  let n = 0
  for (let total = 0; total <= SURFACE_DEGREE; total++) {
    for (let p = total; p >= 0; p--) out[n++] = x ** p * y ** (total - p)
  }
  return out
}

export const BASIS_SIZE = ((SURFACE_DEGREE + 1) * (SURFACE_DEGREE + 2)) / 2

export function surfaceHeight(coefficients: ArrayLike<number>, x: number, y: number): number {
  let sum = 0
  let n = 0
  for (let total = 0; total <= SURFACE_DEGREE; total++) {
    for (let p = total; p >= 0; p--) sum += coefficients[n++] * x ** p * y ** (total - p)
  }
  return sum
}

/** ∂height/∂x and ∂height/∂y (standardised units), for the surface normal. */
export function surfaceGradient(coefficients: ArrayLike<number>, x: number, y: number): [number, number] {
  let gx = 0
  let gy = 0
  let n = 0
  for (let total = 0; total <= SURFACE_DEGREE; total++) {
    for (let p = total; p >= 0; p--) {
      const q = total - p
      const c = coefficients[n++]
      if (p > 0) gx += c * p * x ** (p - 1) * y ** q
      if (q > 0) gy += c * q * x ** p * y ** (q - 1)
    }
  }
  return [gx, gy]
}

/**
 * Solves the symmetric positive definite system A·x = b (A row-major n×n) by Cholesky; A is
 * overwritten. Small systems only (the surface fits are 10×10 and smaller).
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array<ArrayBuffer> {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]
    for (let k = 0; k < j; k++) d -= a[j * n + k] ** 2
    if (d <= 0) throw new Error('solveSymmetric: matrix not positive definite')
    d = Math.sqrt(d)
    a[j * n + j] = d
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k]
      a[i * n + j] = s / d
    }
  }
  const x = Float64Array.from(b)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i * n + k] * x[k]
    x[i] /= a[i * n + i]
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= a[k * n + i] * x[k]
    x[i] /= a[i * n + i]
  }
  return x
}
