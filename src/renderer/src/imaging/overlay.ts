/**
 * Mask overlays composited into the windowed grey pixels of a plane: infection labels blended in
 * their colours, the lung border drawn as an outline, and (when comparing versions) the voxels that
 * differ. Blending goes through 256-entry tables per colour, since a windowed pixel is a grey level.
 */
import type { PlaneGeometry } from './planes'

export interface OverlayStyle {
  /** 0…1 opacity of the label colours. */
  opacity: number
  groundGlass: boolean
  consolidation: boolean
  lungs: boolean
  /** the lobe boundaries (fissures) where a lobe map is given */
  fissures: boolean
}

type Rgb = readonly [number, number, number]

/** Ground-glass amber, consolidation red, lung outline cyan; differences green (added) and magenta (removed). */
export const overlayColours = {
  groundGlass: [255, 184, 28] as Rgb,
  consolidation: [236, 58, 58] as Rgb,
  lungRight: [64, 214, 200] as Rgb,
  lungLeft: [90, 170, 255] as Rgb,
  fissure: [255, 235, 0] as Rgb,
  added: [80, 220, 100] as Rgb,
  removed: [236, 72, 220] as Rgb,
  relabelled: [250, 250, 250] as Rgb
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

function pack(r: number, g: number, b: number): number {
  return littleEndianHost
    ? (0xff000000 | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0
}

function greyOf(pixel: number): number {
  return littleEndianHost ? pixel & 0xff : pixel >>> 24
}

const blendCache = new Map<string, Uint32Array>()

/** Packed pixel for every grey level blended with `colour` at `alpha`. */
function blendTable(colour: Rgb, alpha: number): Uint32Array {
  const key = `${colour.join(',')}:${alpha.toFixed(3)}`
  let table = blendCache.get(key)
  if (!table) {
    table = new Uint32Array(256)
    for (let g = 0; g < 256; g++) {
      table[g] = pack(
        Math.round(g * (1 - alpha) + colour[0] * alpha),
        Math.round(g * (1 - alpha) + colour[1] * alpha),
        Math.round(g * (1 - alpha) + colour[2] * alpha)
      )
    }
    if (blendCache.size > 64) blendCache.clear()
    blendCache.set(key, table)
  }
  return table
}

export interface OverlayLayers {
  labels: Uint8Array | null
  lungs: Uint8Array | null
  /** 0 outside, 1–5 the anatomical lobes: their boundaries are drawn as the fissures */
  lobes?: Uint8Array | null
  /** The version compared with: voxels where it differs from `labels` are marked. */
  reference: Uint8Array | null
  /**
   * Set for coronal and sagittal planes: their rows are axial slices, so the infection is drawn
   * from the volume across slices (labelAcrossSlices) rather than one row per slice.
   */
  acrossSlices?: { sliceSize: number; slices: number } | null
}

/**
 * The label a reformatted (coronal, sagittal) plane shows at voxel `index`: infected when at least
 * two of the slices k − 1, k, k + 1 label that column, consolidation when most of those do.
 * The masks come from a per-slice 2-D model whose output flickers from slice to slice; drawn row by
 * row, a reformat shows that flicker as horizontal stripes, whereas a finding seen in neighbouring
 * slices is anatomy. The axial view, where the mask is edited, always shows every labelled voxel.
 */
export function labelAcrossSlices(labels: Uint8Array, index: number, sliceSize: number, slices: number): number {
  if (slices < 3) return labels[index]
  const k = Math.floor(index / sliceSize)
  let votes = 0
  let consolidation = 0
  for (let d = -1; d <= 1; d++) {
    if (k + d < 0 || k + d >= slices) continue
    const label = labels[index + d * sliceSize]
    if (label !== 0) {
      votes++
      if (label === 2) consolidation++
    }
  }
  if (votes < 2) return 0
  return consolidation * 2 > votes ? 2 : 1
}

/** Paints the overlays of one plane over `pixels` (its windowed grey image, row-major width × height). */
export function compositeOverlay(
  pixels: Uint32Array,
  plane: PlaneGeometry,
  layers: OverlayLayers,
  style: OverlayStyle
): void {
  const { width, height, base, du, dv } = plane
  const { labels, lungs, reference } = layers
  const across = layers.acrossSlices ?? null
  const alpha = Math.min(1, Math.max(0, style.opacity))
  const tables: (Uint32Array | null)[] = [
    null,
    style.groundGlass && alpha > 0 ? blendTable(overlayColours.groundGlass, alpha) : null,
    style.consolidation && alpha > 0 ? blendTable(overlayColours.consolidation, alpha) : null
  ]
  const diffAlpha = Math.max(0.55, alpha)
  const added = blendTable(overlayColours.added, diffAlpha)
  const removed = blendTable(overlayColours.removed, diffAlpha)
  const relabelled = blendTable(overlayColours.relabelled, diffAlpha)
  const outline = [0, pack(...overlayColours.lungRight), pack(...overlayColours.lungLeft)]
  const showLabels = labels !== null && (tables[1] !== null || tables[2] !== null)
  const showLungs = lungs !== null && style.lungs
  const lobes = style.fissures ? (layers.lobes ?? null) : null
  const fissure = pack(...overlayColours.fissure)
  if (!showLabels && !showLungs && lobes === null && reference === null) return

  for (let v = 0; v < height; v++) {
    const row = base + v * dv
    const out = v * width
    for (let u = 0; u < width; u++) {
      const index = row + u * du
      if (reference !== null && labels !== null) {
        const now = labels[index]
        const before = reference[index]
        if (now !== before) {
          const table = before === 0 ? added : now === 0 ? removed : relabelled
          pixels[out + u] = table[greyOf(pixels[out + u])]
          continue
        }
      }
      if (showLabels) {
        const label = across
          ? labelAcrossSlices(labels as Uint8Array, index, across.sliceSize, across.slices)
          : (labels as Uint8Array)[index]
        const table = tables[label]
        if (table) pixels[out + u] = table[greyOf(pixels[out + u])]
      }
      if (showLungs) {
        const side = (lungs as Uint8Array)[index]
        if (
          side !== 0 &&
          (u === 0 ||
            v === 0 ||
            u === width - 1 ||
            v === height - 1 ||
            (lungs as Uint8Array)[index - du] !== side ||
            (lungs as Uint8Array)[index + du] !== side ||
            (lungs as Uint8Array)[index - dv] !== side ||
            (lungs as Uint8Array)[index + dv] !== side)
        ) {
          pixels[out + u] = outline[side] ?? outline[1]
        }
      }
      if (lobes !== null && u > 0 && v > 0 && u < width - 1 && v < height - 1) {
        // A fissure: a lobe voxel whose next voxel along the plane is another lobe (not outside).
        const lobe = lobes[index]
        const right = lobes[index + du]
        const below = lobes[index + dv]
        if (lobe !== 0 && ((right !== 0 && right !== lobe) || (below !== 0 && below !== lobe))) pixels[out + u] = fissure
      }
    }
  }
}
