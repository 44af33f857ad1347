/**
 * The report's key images: the axial slices with the most infection, lung-windowed, with ground
 * glass and consolidation overlaid in two colours, in the radiological convention (patient's right
 * on the image's left, anterior at the top).
 */
import { sliceNumbering } from '../../shared/sliceNumbering'
import { axialOrientation } from '../volume/volumeGeometry'
import { INFECTION_LABEL } from '../scores/scores'
import { applyWindow, LUNG_WINDOW, type WindowPreset } from '../volume/window'
import type { Volume } from '../volume/volume'
import { encodePngRgb } from './pngRgb'
import type { KeyImage } from './reportInput'

export type Rgb = readonly [number, number, number]

/** Yellow and red stay apart for the common colour-vision deficiencies and on grey lung. */
export const OVERLAY_COLOURS: Readonly<{ groundGlass: Rgb; consolidation: Rgb }> = {
  groundGlass: [255, 205, 0],
  consolidation: [235, 30, 40]
}
const OVERLAY_OPACITY = 0.5

export interface KeyImageOptions {
  count: number
  window: WindowPreset
}

export const DEFAULT_KEY_IMAGES: KeyImageOptions = { count: 4, window: LUNG_WINDOW }

/**
 * Picks up to `count` slices by infected voxel count, greedily, each at least a few slices from
 * those already picked so that the images show different levels; returned in slice order. Without
 * infection, evenly spaced slices through the lungs (or the middle of the series) are shown.
 */
export function chooseKeySlices(
  labels: Uint8Array,
  dimensions: readonly [number, number, number],
  count: number,
  lungLabels?: Uint8Array
): number[] {
  const [nx, ny, nz] = dimensions
  const sliceSize = nx * ny
  const infected = new Array<number>(nz).fill(0)
  const lung = new Array<number>(nz).fill(0)
  for (let k = 0; k < nz; k++) {
    for (let v = k * sliceSize; v < (k + 1) * sliceSize; v++) {
      if (labels[v] !== 0) infected[k]++
      if (lungLabels && lungLabels[v] !== 0) lung[k]++
    }
  }
  const minGap = Math.max(1, Math.floor(nz / (3 * count)))
  const chosen: number[] = []
  const byInfection = [...infected.keys()]
    .filter((k) => infected[k] > 0)
    .sort((a, b) => infected[b] - infected[a] || a - b)
  for (const k of byInfection) {
    if (chosen.length === count) break
    if (chosen.every((c) => Math.abs(c - k) >= minGap)) chosen.push(k)
  }
  if (chosen.length === 0) {
    const withLung = [...lung.keys()].filter((k) => lung[k] > 0)
    const first = withLung[0] ?? 0
    const last = withLung.at(-1) ?? nz - 1
    const n = Math.min(count, last - first + 1)
    for (let s = 0; s < n; s++) chosen.push(Math.round(first + ((s + 1) * (last - first)) / (n + 1)))
  }
  return [...new Set(chosen)].sort((a, b) => a - b)
}

export function buildKeyImages(
  volume: Volume,
  labels: Uint8Array,
  options: Partial<KeyImageOptions> & { lungLabels?: Uint8Array } = {}
): KeyImage[] {
  const settings = { ...DEFAULT_KEY_IMAGES, ...options }
  if (labels.length !== volume.data.length) throw new Error('the label map does not match the volume')
  const [nx, ny] = volume.dimensions
  const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000
  // The same numbering as the viewer's, so a caption's "Im 60" is the image the radiologist scrolled to.
  const numbering = sliceNumbering(volume.dimensions[2], volume.direction, volume.instanceNumbers)
  return chooseKeySlices(labels, volume.dimensions, settings.count, options.lungLabels).map((k) => {
    const rgb = renderOverlay(volume, labels, k, settings.window)
    let infectedVoxels = 0
    for (let v = k * nx * ny; v < (k + 1) * nx * ny; v++) if (labels[v] !== 0) infectedVoxels++
    return {
      sliceIndex: k,
      sliceNumber: numbering.numbers[k],
      numbering: numbering.source,
      png: encodePngRgb(rgb, nx, ny),
      widthPx: nx,
      heightPx: ny,
      aspect: (nx * volume.spacing[0]) / (ny * volume.spacing[1]),
      infectedMl: infectedVoxels * voxelMl
    }
  })
}

/** The key images as the CLI prints them, numbered as on screen and in the PDF: "Key images: Im 104, Im 91 (DICOM InstanceNumber)". */
export function keyImagesLine(images: readonly KeyImage[]): string {
  if (images.length === 0) return 'Key images: none'
  const meaning =
    images[0].numbering === 'instance-number'
      ? 'DICOM InstanceNumber'
      : 'no DICOM InstanceNumber: numbered from the head'
  return `Key images: ${images.map((image) => `Im ${image.sliceNumber}`).join(', ')} (${meaning})`
}

/** Slice k as RGB: windowed grey, infection blended in, flipped to the radiological convention. */
export function renderOverlay(volume: Volume, labels: Uint8Array, k: number, window: WindowPreset): Uint8Array {
  const [nx, ny] = volume.dimensions
  const sliceSize = nx * ny
  const values = volume.data.subarray(k * sliceSize, (k + 1) * sliceSize)
  const grey =
    volume.unit === 'HU'
      ? applyWindow(values, window.center, window.width)
      : Uint8Array.from(values, (g) => Math.max(0, Math.min(255, g)))
  const { flipX, flipY } = displayFlips(volume.direction)
  const rgb = new Uint8Array(sliceSize * 3)
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const source = j * nx + i
      const target = ((flipY ? ny - 1 - j : j) * nx + (flipX ? nx - 1 - i : i)) * 3
      const g = grey[source]
      const label = labels[k * sliceSize + source]
      const colour =
        label === INFECTION_LABEL.consolidation
          ? OVERLAY_COLOURS.consolidation
          : label !== 0
            ? OVERLAY_COLOURS.groundGlass
            : undefined
      for (let c = 0; c < 3; c++) {
        rgb[target + c] = colour ? Math.round((1 - OVERLAY_OPACITY) * g + OVERLAY_OPACITY * colour[c]) : g
      }
    }
  }
  return rgb
}

/**
 * Flips that put the patient's right on the left and anterior at the top. A volume whose axes are
 * not axial (a reformat, or an image without orientation) is shown as stored.
 */
function displayFlips(direction: readonly number[]): { flipX: boolean; flipY: boolean } {
  try {
    const o = axialOrientation(direction)
    return { flipX: o.towardLeft === -1, flipY: o.towardPosterior === -1 }
  } catch {
    return { flipX: false, flipY: false }
  }
}
