/** An axis-aligned box of voxels, bounds inclusive. */
export interface VoxelBox {
  min: [number, number, number]
  max: [number, number, number]
}

/** The smallest box holding every nonzero voxel, or undefined for an empty mask. */
export function maskBoundingBox(mask: Uint8Array, dimensions: readonly [number, number, number]): VoxelBox | undefined {
  const [nx, ny, nz] = dimensions
  const min: [number, number, number] = [nx, ny, nz]
  const max: [number, number, number] = [-1, -1, -1]
  // Rows of 4-byte words where the grid allows: most rows of a CT are empty, and a word at a time
  // tells them four times faster (a volume's bounding box is taken several times an analysis).
  const words = nx % 4 === 0 && mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : undefined
  const rowWords = nx >> 2
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = (k * ny + j) * nx
      // the row's first and last nonzero voxel; a row of zeros costs one pass
      let first = 0
      if (words !== undefined) {
        const w = row >> 2
        let f = 0
        while (f < rowWords && words[w + f] === 0) f++
        if (f === rowWords) continue
        first = f << 2
      }
      while (first < nx && mask[row + first] === 0) first++
      if (first === nx) continue
      let last = nx - 1
      while (mask[row + last] === 0) last--
      if (first < min[0]) min[0] = first
      if (last > max[0]) max[0] = last
      if (j < min[1]) min[1] = j
      if (j > max[1]) max[1] = j
      if (k < min[2]) min[2] = k
      if (k > max[2]) max[2] = k
    }
  }
  return max[0] < 0 ? undefined : { min, max }
}

/** The box grown by `margin` voxels per axis, clipped to the grid. */
export function expandBox(
  box: VoxelBox,
  margin: readonly [number, number, number],
  dimensions: readonly [number, number, number]
): VoxelBox {
  const min = box.min.map((m, a) => Math.max(0, m - margin[a])) as [number, number, number]
  const max = box.max.map((m, a) => Math.min(dimensions[a] - 1, m + margin[a])) as [number, number, number]
  return { min, max }
}

export function boxDimensions(box: VoxelBox): [number, number, number] {
  return [box.max[0] - box.min[0] + 1, box.max[1] - box.min[1] + 1, box.max[2] - box.min[2] + 1]
}

/** A copy of the box's voxels; later steps run on it because the lungs fill a fraction of the FOV. */
export function cropToBox(data: Uint8Array, dimensions: readonly [number, number, number], box: VoxelBox): Uint8Array {
  const [bx, by, bz] = boxDimensions(box)
  const cropped = new Uint8Array(bx * by * bz)
  const [nx, ny] = dimensions
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const from = (box.min[2] + k) * nx * ny + (box.min[1] + j) * nx + box.min[0]
      cropped.set(data.subarray(from, from + bx), (k * by + j) * bx)
    }
  }
  return cropped
}

/** Writes a cropped array back into its place in the full grid. */
export function pasteFromBox(
  cropped: Uint8Array,
  box: VoxelBox,
  target: Uint8Array,
  dimensions: readonly [number, number, number]
): void {
  const [bx, by, bz] = boxDimensions(box)
  const [nx, ny] = dimensions
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const to = (box.min[2] + k) * nx * ny + (box.min[1] + j) * nx + box.min[0]
      target.set(cropped.subarray((k * by + j) * bx, (k * by + j + 1) * bx), to)
    }
  }
}
