import type { Volume } from '../volume/volume'
import { DEFAULT_AIRWAY_TRACKING, trackCentralAirways, type AirwayTrackingOptions } from './airwayTracking'
import { bodyCentreI, segmentBody, type BodyModel } from './bodyMask'
import { boxDimensions, cropToBox, expandBox, maskBoundingBox, pasteFromBox } from '../morphology/boundingBox'
import { componentsBySize, labelComponents3d, paintComponents } from '../morphology/connectedComponents3d'
import { closeAndFillLungsPerSlice } from './lungMaskRefinement'
import { clearInside, keepInside } from '../morphology/maskOps'
import {
  DEFAULT_LUNG_SEPARATION,
  LEFT_LUNG_LABEL,
  RIGHT_LUNG_LABEL,
  separateLungs,
  type LungSeparationOptions,
  type SeparationMethod
} from './lungSeparation'
import { greyAirThreshold } from '../morphology/otsuThreshold'
import { axialOrientation, voxelVolumeMm3, type VolumeGeometry } from '../volume/volumeGeometry'

export { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL }

/**
 * Lung segmentation by thresholding and morphology (no learned model), in the spirit of
 * Hu, Hoffman & Reinhardt (IEEE TMI 2001):
 * 1. air: voxels below the air threshold (−320 HU; on grey images, see greyAirThreshold);
 * 2. body: per axial slice, the largest tissue region with its holes filled (for cropped grey
 *    images, the hull of the chest wall — see bodyMask.ts); inside air is the air in the body;
 * 3. trachea and main bronchi: tracked from the top (see airwayTracking.ts) and removed;
 * 4. the 3D components of what is left: keep the largest and any at least a fraction of it
 *    (drops bowel gas, the oesophagus and stray pockets);
 * 5. right/left split by erosion and geodesic regrowth (see lungSeparation.ts), sides from the
 *    volume's direction cosines (patient left is +x in LPS);
 * 6. per-slice closing and 2D hole filling per lung (see lungMaskRefinement.ts), which brings back
 *    vessels and lesions surrounded by lung.
 * Steps 4–6 run on the bounding box of the inside air only. In HU the field of view must contain
 * the chest wall around the lungs: a lung cut by the slice border is not enclosed by the body.
 */
export interface LungMask {
  /** per voxel of the input grid: 0 background, 1 right lung, 2 left lung */
  labels: Uint8Array
  dimensions: [number, number, number]
  rightVolumeMl: number
  leftVolumeMl: number
  totalVolumeMl: number
  /** voxels removed as trachea and main bronchi */
  airwayVoxelCount: number
  /** how the lungs were told apart */
  separation: SeparationMethod
}

export interface LungSegmentationOptions {
  /** HU below which a voxel is air or aerated lung */
  airThresholdHu: number
  /** radius of the per-slice closing disk, mm */
  closingRadiusMm: number
  /** 3D components smaller than this fraction of the largest are not lung */
  minComponentFraction: number
  /** how the body is told from what surrounds it (see bodyMask.ts) */
  bodyModel: BodyModel
  /** remove the trachea and main bronchi (needs several slices) */
  removeAirways: boolean
  airway: AirwayTrackingOptions
  separation: LungSeparationOptions
}

export const DEFAULT_LUNG_SEGMENTATION: LungSegmentationOptions = {
  airThresholdHu: -320,
  closingRadiusMm: 4,
  minComponentFraction: 0.1,
  bodyModel: 'filled-largest-tissue',
  removeAirways: true,
  airway: DEFAULT_AIRWAY_TRACKING,
  separation: DEFAULT_LUNG_SEPARATION
}

export interface GreyLungSegmentationOptions extends Omit<LungSegmentationOptions, 'airThresholdHu'> {
  /** grey level at or below which a pixel is air or aerated lung; greyAirThreshold's when undefined */
  airThresholdGrey?: number
  /**
   * Field of view assumed when the image carries no pixel size (spacing exactly 1×1, as JPEG slices
   * load): the pixel size is taken as this over the larger image side, so that the mm-based
   * parameters keep a sensible size in pixels. Volumes in mL are then nominal.
   */
  assumedFieldOfViewMm: number
}

export const DEFAULT_GREY_LUNG_SEGMENTATION: GreyLungSegmentationOptions = {
  closingRadiusMm: DEFAULT_LUNG_SEGMENTATION.closingRadiusMm,
  minComponentFraction: DEFAULT_LUNG_SEGMENTATION.minComponentFraction,
  // The COVID-SemiSeg JPEGs are cropped to the chest: lungs may touch the image border.
  bodyModel: 'tissue-hull',
  removeAirways: true,
  airway: DEFAULT_AIRWAY_TRACKING,
  // JPEG slices come without orientation (the COVID-SemiSeg ones are even rotated by 90°), so the
  // lungs need not lie on either side of a vertical midline.
  separation: { ...DEFAULT_LUNG_SEPARATION, requireOppositeSides: false },
  assumedFieldOfViewMm: 350
}

/** Segments and separates the lungs of a CT volume in Hounsfield units. */
export function segmentLungs(volume: Volume, options: Partial<LungSegmentationOptions> = {}): LungMask {
  if (volume.unit !== 'HU') throw new Error(`segmentLungs needs a volume in HU, got '${volume.unit}'`)
  const settings = { ...DEFAULT_LUNG_SEGMENTATION, ...options }
  const air = new Uint8Array(volume.data.length)
  const threshold = settings.airThresholdHu
  const data = volume.data
  for (let v = 0; v < data.length; v++) air[v] = data[v] < threshold ? 1 : 0
  return segmentLungsFromAir(air, volume, settings)
}

/**
 * Segments the lungs of lung-window grey images (8-bit, dark = air), a single slice or a stack.
 * Labels follow the volume's direction cosines like in HU; for images loaded without orientation
 * (identity direction) they are only as meaningful as that assumption.
 */
export function segmentLungsGrey(volume: Volume, options: Partial<GreyLungSegmentationOptions> = {}): LungMask {
  if (volume.unit !== 'grey') throw new Error(`segmentLungsGrey needs a grey volume, got '${volume.unit}'`)
  const settings = { ...DEFAULT_GREY_LUNG_SEGMENTATION, ...options }
  const threshold = settings.airThresholdGrey ?? greyAirThreshold(volume.data)
  const air = new Uint8Array(volume.data.length)
  const data = volume.data
  for (let v = 0; v < data.length; v++) air[v] = data[v] <= threshold ? 1 : 0
  const [nx, ny] = volume.dimensions
  const pixelSizeUnknown = volume.spacing[0] === 1 && volume.spacing[1] === 1
  const pixelMm = settings.assumedFieldOfViewMm / Math.max(nx, ny)
  const spacing: [number, number, number] = pixelSizeUnknown
    ? [pixelMm, pixelMm, volume.spacing[2]]
    : [...volume.spacing]
  return segmentLungsFromAir(air, { ...volume, spacing }, settings)
}

/** What the shared pipeline needs: everything but the air threshold, which the caller applied. */
type LungPipelineSettings = Omit<LungSegmentationOptions, 'airThresholdHu'>

/** The shared pipeline from a binary air mask (consumed: it is modified in place). */
function segmentLungsFromAir(air: Uint8Array, geometry: VolumeGeometry, settings: LungPipelineSettings): LungMask {
  const dimensions: [number, number, number] = [...geometry.dimensions]
  const spacing: [number, number, number] = [...geometry.spacing]
  const orientation = axialOrientation(geometry.direction)
  const [nx, , nz] = dimensions
  const body = segmentBody(air, dimensions, settings.bodyModel)
  keepInside(air, body)
  const insideAir = air
  const midlineI = bodyCentreI(body, nx)

  let airwayVoxelCount = 0
  if (settings.removeAirways && nz >= 3) {
    const airway = trackCentralAirways(insideAir, body, geometry, orientation, settings.airway)
    clearInside(insideAir, airway.mask)
    airwayVoxelCount = airway.voxelCount
  }

  const labels = new Uint8Array(air.length)
  const found = maskBoundingBox(insideAir, dimensions)
  if (found === undefined) {
    return {
      labels,
      dimensions,
      rightVolumeMl: 0,
      leftVolumeMl: 0,
      totalVolumeMl: 0,
      airwayVoxelCount,
      separation: 'midline'
    }
  }
  // The rest runs on the box around the inside air, with room for the closing disk.
  const margin: [number, number, number] = [
    Math.ceil(settings.closingRadiusMm / spacing[0]) + 2,
    Math.ceil(settings.closingRadiusMm / spacing[1]) + 2,
    0
  ]
  const box = expandBox(found, margin, dimensions)
  const boxDims = boxDimensions(box)
  const lungs = keepLargeComponents(cropToBox(insideAir, dimensions, box), boxDims, settings.minComponentFraction)
  const separated = separateLungs(lungs, boxDims, spacing, orientation, midlineI - box.min[0], settings.separation)
  closeAndFillLungsPerSlice(
    separated.labels,
    boxDims,
    spacing,
    [RIGHT_LUNG_LABEL, LEFT_LUNG_LABEL],
    settings.closingRadiusMm
  )
  pasteFromBox(separated.labels, box, labels, dimensions)

  let right = 0
  let left = 0
  // Local copies: bundlers' module bindings can cost a getter call per access in a hot loop.
  const rightLabel = RIGHT_LUNG_LABEL
  const leftLabel = LEFT_LUNG_LABEL
  for (let v = 0; v < separated.labels.length; v++) {
    if (separated.labels[v] === rightLabel) right++
    else if (separated.labels[v] === leftLabel) left++
  }
  const voxelMl = voxelVolumeMm3(spacing) / 1000
  return {
    labels,
    dimensions,
    rightVolumeMl: right * voxelMl,
    leftVolumeMl: left * voxelMl,
    totalVolumeMl: (right + left) * voxelMl,
    airwayVoxelCount,
    separation: separated.method
  }
}

function keepLargeComponents(
  mask: Uint8Array,
  dimensions: readonly [number, number, number],
  minFraction: number
): Uint8Array {
  const components = labelComponents3d(mask, dimensions)
  const { sizes } = components
  const order = componentsBySize(sizes)
  const kept = new Uint8Array(sizes.length)
  if (order.length > 0) {
    const largest = sizes[order[0]]
    for (const c of order) if (sizes[c] >= minFraction * largest) kept[c] = 1
  }
  const result = new Uint8Array(mask.length)
  paintComponents(components, kept, result)
  return result
}
