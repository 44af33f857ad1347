/**
 * Pixel operations on one label slice (x fastest, nx × ny). Painting honours `paintable`, the
 * constraints of the moment (inside the lung, HU range); erasing clears whatever label is there.
 */

export interface VoxelPoint {
  /** Continuous voxel coordinates: voxel (i, j) covers [i, i+1) × [j, j+1). */
  x: number
  y: number
}

export interface SliceTarget {
  nx: number
  ny: number
  slice: Uint8Array
  paintable(index: number): boolean
}

/** Sets `value` on the voxels whose centres lie within the disk of diameter `size` around `centre`. */
export function stampDisk(
  target: SliceTarget,
  centre: VoxelPoint,
  size: number,
  value: number,
  constrained: boolean
): boolean {
  const { nx, ny, slice } = target
  const radius = Math.max(size / 2, 0.71)
  const r2 = radius * radius
  const x0 = Math.max(0, Math.floor(centre.x - radius))
  const x1 = Math.min(nx - 1, Math.ceil(centre.x + radius))
  const y0 = Math.max(0, Math.floor(centre.y - radius))
  const y1 = Math.min(ny - 1, Math.ceil(centre.y + radius))
  let changed = false
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - centre.y
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - centre.x
      if (dx * dx + dy * dy > r2) continue
      const index = x + y * nx
      if (slice[index] === value) continue
      if (constrained && !target.paintable(index)) continue
      slice[index] = value
      changed = true
    }
  }
  return changed
}

/** Stamps along the segment from `from` to `to` densely enough to leave no gaps. */
export function stampLine(
  target: SliceTarget,
  from: VoxelPoint,
  to: VoxelPoint,
  size: number,
  value: number,
  constrained: boolean
): boolean {
  const length = Math.hypot(to.x - from.x, to.y - from.y)
  const step = Math.max(0.5, size / 4)
  const steps = Math.max(1, Math.ceil(length / step))
  let changed = false
  for (let s = 1; s <= steps; s++) {
    const t = s / steps
    changed =
      stampDisk(
        target,
        { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t },
        size,
        value,
        constrained
      ) || changed
  }
  return changed
}

/**
 * Flood fill (4-connected) from `seed`: the region of voxels with the seed's label that may be
 * painted becomes `value`. With the lung constraint it stops at the lung border; with the HU range
 * it grows only through voxels in range (region growing).
 */
export function floodFill(target: SliceTarget, seed: VoxelPoint, value: number): number {
  const { nx, ny, slice } = target
  const sx = Math.floor(seed.x)
  const sy = Math.floor(seed.y)
  if (sx < 0 || sy < 0 || sx >= nx || sy >= ny) return 0
  const start = sx + sy * nx
  const from = slice[start]
  if (from === value || !target.paintable(start)) return 0
  const stack = new Int32Array(nx * ny)
  let top = 0
  stack[top++] = start
  slice[start] = value
  let filled = 1
  while (top > 0) {
    const index = stack[--top]
    const x = index % nx
    const neighbours = [
      x > 0 ? index - 1 : -1,
      x < nx - 1 ? index + 1 : -1,
      index >= nx ? index - nx : -1,
      index + nx < nx * ny ? index + nx : -1
    ]
    for (const next of neighbours) {
      if (next < 0 || slice[next] !== from || !target.paintable(next)) continue
      slice[next] = value
      stack[top++] = next
      filled++
    }
  }
  return filled
}

/** Paints the voxels whose centres are inside the polygon (even-odd rule), scanline by scanline. */
export function fillPolygon(target: SliceTarget, polygon: readonly VoxelPoint[], value: number): number {
  if (polygon.length < 3) return 0
  const { nx, ny, slice } = target
  let minY = Infinity
  let maxY = -Infinity
  for (const p of polygon) {
    minY = Math.min(minY, p.y)
    maxY = Math.max(maxY, p.y)
  }
  const y0 = Math.max(0, Math.floor(minY))
  const y1 = Math.min(ny - 1, Math.ceil(maxY))
  let filled = 0
  const crossings: number[] = []
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5
    crossings.length = 0
    for (let a = 0; a < polygon.length; a++) {
      const p = polygon[a]
      const q = polygon[(a + 1) % polygon.length]
      if ((p.y <= cy && q.y > cy) || (q.y <= cy && p.y > cy))
        crossings.push(p.x + ((cy - p.y) / (q.y - p.y)) * (q.x - p.x))
    }
    crossings.sort((m, n) => m - n)
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      const xStart = Math.max(0, Math.ceil(crossings[c] - 0.5))
      const xEnd = Math.min(nx - 1, Math.floor(crossings[c + 1] - 0.5))
      for (let x = xStart; x <= xEnd; x++) {
        const index = x + y * nx
        if (slice[index] === value || !target.paintable(index)) continue
        slice[index] = value
        filled++
      }
    }
  }
  return filled
}
