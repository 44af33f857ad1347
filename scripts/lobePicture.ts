/**
 * A picture of a lobe segmentation for the docs: a coronal plane through the lungs' centre and a
 * sagittal plane through each lung's centre, lung window, each lobe tinted, the fissures (lobe
 * boundaries) drawn in yellow, the fissure evidence the fit kept in cyan. The patient's right is on the
 * picture's left (coronal), anterior on the left (sagittal), superior at the top. Planes are resampled to square pixels in mm (nearest neighbour).
 */
import { writeFileSync } from 'node:fs'
import { encodePng } from '../src/main/volume/png'
import type { Volume } from '../src/main/volume/volume'
import { axialOrientation } from '../src/main/volume/volumeGeometry'
import type { LobeSegmentation } from '../src/main/regions/lobeSegmentation'

const TINT: Array<[number, number, number]> = [[0, 0, 0], [230, 80, 80], [80, 200, 90], [80, 120, 230], [230, 150, 60], [170, 90, 220]]

export async function writeLobePicture(path: string, volume: Volume, lobes: LobeSegmentation): Promise<void> {
  const [nx, ny, nz] = volume.dimensions
  const [sx, sy, sz] = volume.spacing
  const o = axialOrientation(volume.direction)
  const mm = Math.min(sx, sy)
  const index = (value: number, spacing: number, sign: number, n: number): number => Math.min(n - 1, Math.max(0, Math.round(value / (sign * spacing))))
  const right = lobes.frames.right!
  const left = lobes.frames.left!
  const jMid = index((right.centroidMm[1] + left.centroidMm[1]) / 2, sy, o.towardPosterior, ny)
  const planeI = [right, left].map((frame) => index(frame.centroidMm[0], sx, o.towardLeft, nx))
  const planes = [
    { width: nx, across: sx, pick: (a: number, k: number) => k * nx * ny + jMid * nx + a, reverse: o.towardLeft < 0 },
    ...[right, left].map((frame) => {
      const i = index(frame.centroidMm[0], sx, o.towardLeft, nx)
      return { width: ny, across: sy, pick: (a: number, k: number) => k * nx * ny + a * nx + i, reverse: o.towardPosterior < 0 }
    })
  ]
  const heights = Math.round((nz * sz) / mm)
  const widths = planes.map((p) => Math.round((p.width * p.across) / mm))
  const W = widths.reduce((a, b) => a + b + 4, -4)
  const rgb = new Uint8Array(W * heights * 3)
  let x0 = 0
  planes.forEach((plane, n) => {
    const w = widths[n]
    const voxelAt = (px: number, py: number): number => {
      let a = Math.min(plane.width - 1, Math.floor((px * mm) / plane.across))
      if (plane.reverse) a = plane.width - 1 - a
      // Superior at the top of the picture.
      let k = Math.min(nz - 1, Math.floor((py * mm) / sz))
      if (o.towardSuperior > 0) k = nz - 1 - k
      return plane.pick(a, k)
    }
    for (let py = 0; py < heights; py++)
      for (let px = 0; px < w; px++) {
        const v = voxelAt(px, py)
        const hu = Number(volume.data[v])
        const grey = Math.max(0, Math.min(255, ((hu + 1350) / 1500) * 255))
        const lobe = lobes.labels[v]
        let c: [number, number, number] = [grey, grey, grey]
        if (lobe) {
          const t = TINT[lobe]
          c = [0.7 * grey + 0.3 * t[0], 0.7 * grey + 0.3 * t[1], 0.7 * grey + 0.3 * t[2]]
          const neighbours = [px + 1 < w ? voxelAt(px + 1, py) : v, py + 1 < heights ? voxelAt(px, py + 1) : v]
          if (neighbours.some((u) => lobes.labels[u] && lobes.labels[u] !== lobe)) c = [255, 235, 0]
        }
        const at = (py * W + x0 + px) * 3
        rgb[at] = c[0]
        rgb[at + 1] = c[1]
        rgb[at + 2] = c[2]
      }
    // The evidence the fit kept, within a voxel of the plane.
    for (const f of lobes.fissures) {
      const e = f.evidenceVoxels
      for (let t = 0; t < e.length; t += 3) {
        const [i, j, k] = [e[t], e[t + 1], e[t + 2]]
        const onPlane = n === 0 ? Math.abs(j - jMid) <= 1 : Math.abs(i - planeI[n - 1]) <= 1
        if (!onPlane) continue
        let a = n === 0 ? i : j
        if (plane.reverse) a = plane.width - 1 - a
        const px = Math.floor(((a + 0.5) * plane.across) / mm)
        const kk = o.towardSuperior > 0 ? nz - 1 - k : k
        const py = Math.floor(((kk + 0.5) * sz) / mm)
        for (let d = -1; d <= 1; d++)
          for (let q = -1; q <= 1; q++) {
            const X = px + d, Y = py + q
            if (X < 0 || X >= w || Y < 0 || Y >= heights) continue
            const at = (Y * W + x0 + X) * 3
            rgb[at] = 0
            rgb[at + 1] = 255
            rgb[at + 2] = 255
          }
      }
    }
    x0 += w + 4
  })
  writeFileSync(path, encodePng(rgb, W, heights, 3))
}
