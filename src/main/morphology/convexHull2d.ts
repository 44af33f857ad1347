/**
 * Rasterised convex hull of the nonzero pixels of a 2D mask: out[p] = 1 for pixels whose centre
 * lies in the hull (with half a pixel of tolerance, so the mask's own pixels are always inside).
 * Only the leftmost and rightmost pixel of each row can be hull vertices, so the hull is built
 * (Andrew's monotone chain) from at most 2·height points.
 */
export function fillConvexHull2d(mask: Uint8Array, width: number, height: number, out: Uint8Array): void {
  out.fill(0, 0, width * height)
  const points: Array<[number, number]> = []
  for (let y = 0; y < height; y++) {
    const row = y * width
    let first = -1
    let last = -1
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === 0) continue
      if (first < 0) first = x
      last = x
    }
    if (first < 0) continue
    points.push([first, y])
    if (last !== first) points.push([last, y])
  }
  if (points.length === 0) return
  const hull = monotoneChain(points)

  // Each row's span is where the row crosses the hull's boundary.
  const rowMin = new Float64Array(height).fill(Infinity)
  const rowMax = new Float64Array(height).fill(-Infinity)
  const include = (y: number, x: number): void => {
    if (y < 0 || y >= height) return
    if (x < rowMin[y]) rowMin[y] = x
    if (x > rowMax[y]) rowMax[y] = x
  }
  for (let n = 0; n < hull.length; n++) {
    const [x1, y1] = hull[n]
    const [x2, y2] = hull[(n + 1) % hull.length]
    include(y1, x1)
    if (y1 === y2) {
      include(y1, x2)
      continue
    }
    const step = y2 > y1 ? 1 : -1
    for (let y = y1; y !== y2 + step; y += step) include(y, x1 + ((x2 - x1) * (y - y1)) / (y2 - y1))
  }
  for (let y = 0; y < height; y++) {
    if (rowMin[y] > rowMax[y]) continue
    const from = Math.max(0, Math.ceil(rowMin[y] - 0.5))
    const to = Math.min(width - 1, Math.floor(rowMax[y] + 0.5))
    if (from <= to) out.fill(1, y * width + from, y * width + to + 1)
  }
}

/** Convex hull of integer points, counter-clockwise, without collinear points. */
function monotoneChain(points: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1])
  if (sorted.length < 3) return sorted
  const cross = (o: [number, number], a: [number, number], b: [number, number]): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
  const lower: Array<[number, number]> = []
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop()
    lower.push(p)
  }
  const upper: Array<[number, number]> = []
  for (let n = sorted.length - 1; n >= 0; n--) {
    const p = sorted[n]
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop()
    upper.push(p)
  }
  lower.pop()
  upper.pop()
  return lower.concat(upper)
}
