import { describe, expect, it } from 'vitest'
import { compositeOverlay, labelAcrossSlices, overlayColours } from '../../../src/renderer/src/imaging/overlay'
import { planeGeometry } from '../../../src/renderer/src/imaging/planes'

const grey = 0xff808080 // opaque grey 128 (little endian RGBA)

describe('reformatted overlays', () => {
  // 4 × 1 columns × 5 slices, one row (y = 0): column 0 labelled on slice 2 only (flicker),
  // column 1 on slices 1–3 (a finding through three slices), column 2 consolidation on 2 of 3
  const nx = 4
  const ny = 1
  const nz = 5
  const labels = new Uint8Array(nx * ny * nz)
  const at = (x: number, k: number): number => x + k * nx * ny
  labels[at(0, 2)] = 1
  for (const k of [1, 2, 3]) labels[at(1, k)] = 1
  labels[at(2, 1)] = 2
  labels[at(2, 2)] = 2
  labels[at(2, 3)] = 1

  it('draws a voxel as infected when two of three neighbouring slices label it', () => {
    expect(labelAcrossSlices(labels, at(0, 2), nx * ny, nz)).toBe(0)
    expect([1, 2, 3].map((k) => labelAcrossSlices(labels, at(1, k), nx * ny, nz))).toEqual([1, 1, 1])
    expect(labelAcrossSlices(labels, at(1, 0), nx * ny, nz)).toBe(0) // only slice 1 below
    expect(labelAcrossSlices(labels, at(2, 2), nx * ny, nz)).toBe(2)
    // slices 2, 3, 4 hold consolidation, ground-glass, nothing: no majority for consolidation
    expect(labelAcrossSlices(labels, at(2, 3), nx * ny, nz)).toBe(1)
    // a 2-slice series has no neighbours to agree: shown as labelled
    expect(labelAcrossSlices(new Uint8Array([1, 0]), 0, 1, 2)).toBe(1)
  })

  it('the coronal plane shows the finding and not the one-slice flicker; the axial plane shows both', () => {
    const style = { opacity: 1, groundGlass: true, consolidation: true, lungs: false, fissures: false }
    const coronal = planeGeometry('coronal', [nx, ny, nz], [1, 1, 1], 0, false)
    const pixels = new Uint32Array(coronal.width * coronal.height).fill(grey)
    compositeOverlay(
      pixels,
      coronal,
      { labels, lungs: null, reference: null, acrossSlices: { sliceSize: nx * ny, slices: nz } },
      style
    )
    const rgb = (u: number, v: number): number[] => {
      const p = pixels[u + v * coronal.width]
      return [p & 0xff, (p >> 8) & 0xff, (p >> 16) & 0xff]
    }
    expect(rgb(0, 2)).toEqual([128, 128, 128])
    expect(rgb(1, 2)).toEqual([...overlayColours.groundGlass])
    expect(rgb(2, 2)).toEqual([...overlayColours.consolidation])
    const axial = planeGeometry('axial', [nx, ny, nz], [1, 1, 1], 2, false)
    const slice = new Uint32Array(nx * ny).fill(grey)
    compositeOverlay(slice, axial, { labels, lungs: null, reference: null }, style)
    expect(slice[0] & 0xff).toBe(overlayColours.groundGlass[0])
  })
})

describe('the fissure overlay', () => {
  it('draws the boundary between two lobes in a sagittal plane, not the lobes’ border with the outside', () => {
    // 1 column × 4 rows × 4 slices: rows 1–2 lung; slices 0–1 lower lobe (3), slices 2–3 upper lobe (1).
    const [nx, ny, nz] = [1, 4, 4]
    const lobes = new Uint8Array(nx * ny * nz)
    for (let k = 0; k < nz; k++) for (const j of [1, 2]) lobes[j * nx + k * nx * ny] = k < 2 ? 3 : 1
    const sagittal = planeGeometry('sagittal', [nx, ny, nz], [1, 1, 1], 0, false)
    const pixels = new Uint32Array(sagittal.width * sagittal.height).fill(grey)
    compositeOverlay(pixels, sagittal, { labels: null, lungs: null, lobes, reference: null }, { opacity: 1, groundGlass: true, consolidation: true, lungs: false, fissures: true })
    const yellow = pixels.reduce<number[]>((found, p, n) => ((p & 0xff) === overlayColours.fissure[0] && ((p >> 8) & 0xff) === overlayColours.fissure[1] ? [...found, n] : found), [])
    // Exactly one pixel per lung row where the lobe changes between neighbouring slices.
    expect(yellow.length).toBe(2)
    for (const n of yellow) {
      const u = n % sagittal.width
      const v = Math.floor(n / sagittal.width)
      const index = sagittal.base + u * sagittal.du + v * sagittal.dv
      const next = [index + sagittal.du, index + sagittal.dv].map((i) => lobes[i])
      expect(next.some((l) => l !== 0 && l !== lobes[index])).toBe(true)
    }
    // Off, nothing is drawn.
    const off = new Uint32Array(sagittal.width * sagittal.height).fill(grey)
    compositeOverlay(off, sagittal, { labels: null, lungs: null, lobes, reference: null }, { opacity: 1, groundGlass: true, consolidation: true, lungs: false, fissures: false })
    expect(off.every((p) => p === grey)).toBe(true)
  })
})
