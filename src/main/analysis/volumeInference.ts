/**
 * Infection segmentation of a whole series, slice by slice, in the series' own geometry.
 *
 * 1. Lungs: segmentLungs (HU) or segmentLungsGrey (lung-window grey images), unless given.
 * 2. Each axial slice that holds lung is cut to the lungs' bounding box over the whole series
 *    (plus a margin), put through the model's input window (HU) or taken as it is (grey), and segmented by
 *    single-class Inf-Net; segmentSlices resizes to the network input and the probability back.
 *    The crop is the same for every slice: Inf-Net was trained on slices cropped to the chest
 *    (COVID-SemiSeg), and one crop keeps the scale constant through the series.
 * 3. Predictions outside the lung mask dilated by `lungMarginMm` in-plane are set to zero: the
 *    network knows nothing of anatomy and fires on bowel, bed and body-wall edges, while a small
 *    margin keeps subpleural lesions that the threshold-based lung mask may have cut off. Those
 *    kept lesions then join the lung mask (lungsWithLesions.ts), so no infection lies outside the
 *    lungs and consolidated lung counts as lung. Slices
 *    without lung are not run through the network at all (at the top and bottom of a chest CT,
 *    that is a good part of the series), and stay zero.
 * 4. Types: infection = probability ≥ `threshold`. Inside it, the multi-class network (given the
 *    image and the probability as prior) says ground glass or consolidation; where it has none
 *    (no network, or it says background inside the infection) the density decides: at or above
 *    CONSOLIDATION_MIN_HU (−200 HU, see infectionDensity.ts) consolidation, else ground glass. So
 *    the labels' union is always the binary infection mask and the scores of the two agree.
 */
import { labelSlices, segmentSlices, type GreySlice, type ProbabilityMap } from '../ml/inference/segmentSlices'
import type { InfNetNetwork, MultiClassNetwork } from '../ml/models/infnet'
import { applyWindow, int16WindowTable } from '../volume/window'
import { maskBoundingBox, expandBox } from '../morphology/boundingBox'
import { labelComponents3d } from '../morphology/connectedComponents3d'
import { modelInputWindow } from '../ml/inference/preprocess'
import type { Volume } from '../volume/volume'
import { createDiskDilationScratch } from '../morphology/diskDilation2d'
import { lungGateSlice } from './lungGate'
import { consolidationThreshold } from './infectionDensity'
import {
  DEFAULT_GREY_LUNG_SEGMENTATION,
  segmentLungs,
  segmentLungsGrey,
  type GreyLungSegmentationOptions,
  type LungMask,
  type LungSegmentationOptions
} from '../lungs/lungMask'
import { absorbInfectionIntoLungs } from './lungsWithLesions'
import { INFECTION_LABEL } from '../scores/scores'
import { DEFAULT_MIN_LESION_ML } from '../../shared/severityScoring'

export interface VolumeInferenceOptions {
  infection: InfNetNetwork
  /** multi-class Inf-Net for the type of infection; without it, the density rule */
  multiclass?: MultiClassNetwork
  /** slices per network call */
  batchSize?: number
  /** horizontal-flip test-time augmentation of the infection network (segmentSlices) */
  flip?: boolean
  /**
   * `label` names the stage: 'lungs', then 'infection' over the slices that hold lung, then (with a
   * multi-class network) 'typing' over the slices that hold infection
   */
  onProgress?: (done: number, total: number, label: string) => void
  /** polled between batches; true stops the run with InferenceCancelledError */
  cancelled?: () => boolean
  /** probability at or above which a voxel is infected */
  threshold?: number
  /** in-plane margin around the lung mask where predictions are kept, mm */
  lungMarginMm?: number
  /**
   * margin around the lungs' bounding box of the crop given to the network, mm. 60 mm takes in the
   * chest wall, as the COVID-SemiSeg training slices do (they are cropped to the chest, not to the
   * lungs); a tighter crop magnifies the lungs beyond anything seen in training. Compared on the
   * two COVID-CT-MD series (20, 40 and 60 mm), normal002 went 1.06 / 0.61 / 0.51 % infected.
   */
  cropMarginMm?: number
  /**
   * Infected components smaller than this (mL, 3D 6-connected) are dropped: isolated specks are
   * the model's noise, and each would otherwise lift a region's CT-SS from 0 to 1.
   */
  minLesionMl?: number
  /** the HU window the infection model was trained in: modelInputWindow(its card); by default the card-less one */
  inputWindow?: { center: number; width: number }
  /** a lung mask already computed for this volume (skips step 1) */
  lungs?: LungMask
  lungSegmentation?: Partial<LungSegmentationOptions>
  greyLungSegmentation?: Partial<GreyLungSegmentationOptions>
}

export const DEFAULT_VOLUME_INFERENCE = {
  // 8: the lite network's forward costs 18 ms a slice at 8, 24 ms at 4 (native engine, 256²)
  batchSize: 8,
  threshold: 0.5,
  lungMarginMm: 5,
  cropMarginMm: 60,
  minLesionMl: DEFAULT_MIN_LESION_ML
} as const

export interface VolumeInference {
  /** infection probability 0–1 per voxel of the input grid */
  probability: Float32Array
  /** 0/1: probability ≥ threshold, inside the (dilated) lungs */
  infection: Uint8Array
  /** 0 background, 1 ground glass, 2 consolidation */
  labels: Uint8Array
  lungs: LungMask
  /** slices that held lung and went through the network */
  slicesInferred: number
  lungsMs: number
  inferenceMs: number
}

export class InferenceCancelledError extends Error {
  constructor() {
    super('volume inference was cancelled')
    this.name = 'InferenceCancelledError'
  }
}

interface Crop {
  i0: number
  j0: number
  width: number
  height: number
}

export async function inferVolume(volume: Volume, options: VolumeInferenceOptions): Promise<VolumeInference> {
  if (volume.unit !== 'HU' && volume.unit !== 'grey') {
    throw new Error(`infection segmentation needs a CT in HU or a grey image, got '${volume.unit}'`)
  }
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_VOLUME_INFERENCE.batchSize)
  const threshold = options.threshold ?? DEFAULT_VOLUME_INFERENCE.threshold
  const progress = options.onProgress ?? ((): void => undefined)
  const [nx, ny] = volume.dimensions
  const sliceSize = nx * ny

  const lungsStart = performance.now()
  progress(0, 1, 'lungs')
  const lungs = options.lungs ?? segmentLungsOf(volume, options)
  if (lungs.labels.length !== volume.data.length) throw new Error('the lung mask does not match the volume')
  progress(1, 1, 'lungs')
  const lungsMs = performance.now() - lungsStart

  const inferenceStart = performance.now()
  const [sx, sy] = pixelSpacing(volume, options.greyLungSegmentation)
  const crop = lungCrop(
    lungs.labels,
    volume.dimensions,
    options.cropMarginMm ?? DEFAULT_VOLUME_INFERENCE.cropMarginMm,
    [sx, sy]
  )
  // the lung gate of every slice, in the crop (the network's maps cover nothing else), and the
  // slices that hold lung
  const { gates, slices } = lungGatesInCrop(
    lungs.labels,
    volume.dimensions,
    crop,
    options.lungMarginMm ?? DEFAULT_VOLUME_INFERENCE.lungMarginMm,
    [sx, sy]
  )
  const consolidationMin = consolidationThreshold(volume)
  const window = options.inputWindow ?? modelInputWindow()

  const probability = new Float32Array(volume.data.length)
  const infection = new Uint8Array(volume.data.length)
  const labels = new Uint8Array(volume.data.length)
  // 1. infection on every slice that holds lung; the crop's map kept where a voxel reached the
  // threshold (the multi-class network reads the map as its prior)
  const candidates = new Map<number, { grey: GreySlice; map: ProbabilityMap }>()
  progress(0, slices.length, 'infection')
  for (let start = 0; start < slices.length; start += batchSize) {
    if (options.cancelled?.()) throw new InferenceCancelledError()
    const batch = slices.slice(start, start + batchSize)
    const grey = batch.map((k) => greySlice(volume, k, crop, window))
    const maps = await segmentSlices(options.infection, grey, { batchSize, flip: options.flip })
    for (const [b, k] of batch.entries()) {
      const gate = gates.subarray(k * crop.width * crop.height, (k + 1) * crop.width * crop.height)
      if (placeSliceMap(maps[b].data, k * sliceSize, nx, crop, gate, threshold, probability, infection))
        candidates.set(k, { grey: grey[b], map: maps[b] })
    }
    progress(Math.min(start + batchSize, slices.length), slices.length, 'infection')
  }
  removeSpecks(infection, volume, options.minLesionMl ?? DEFAULT_VOLUME_INFERENCE.minLesionMl)
  // 2. the type of each infected voxel: the multi-class network on the slices that still hold
  // infection once the specks are gone (the class of any other voxel is never read), else density
  const typed = [...candidates.keys()].filter((k) => infection.subarray(k * sliceSize, (k + 1) * sliceSize).includes(1))
  const multiclass = options.multiclass
  if (multiclass) progress(0, typed.length, 'typing')
  for (let start = 0; start < typed.length; start += batchSize) {
    if (options.cancelled?.()) throw new InferenceCancelledError()
    const batch = typed.slice(start, start + batchSize)
    const classes = multiclass
      ? await labelSlices(
          multiclass,
          batch.map((k) => candidates.get(k)!.grey),
          batch.map((k) => candidates.get(k)!.map)
        )
      : undefined
    for (const [b, k] of batch.entries()) typeSlice(labels, infection, volume, k, crop, classes?.[b], consolidationMin)
    if (multiclass) progress(Math.min(start + batchSize, typed.length), typed.length, 'typing')
  }
  const marginMm = options.lungMarginMm ?? DEFAULT_VOLUME_INFERENCE.lungMarginMm
  const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000
  return {
    probability,
    infection,
    labels,
    lungs: absorbInfectionIntoLungs(lungs, infection, voxelMl, [
      Math.ceil(marginMm / sx) + 1,
      Math.ceil(marginMm / sy) + 1
    ]),
    slicesInferred: slices.length,
    lungsMs,
    inferenceMs: performance.now() - inferenceStart
  }
}

/**
 * A slice's map (the crop's) into the volume's probability and infection, where the slice's lung
 * gate (the crop's) allows; says whether any voxel reached the threshold. (A function of its own:
 * V8 compiles a small hot loop far better than the same loop inside the long async inferVolume.)
 */
function placeSliceMap(
  map: Float32Array,
  sliceStart: number,
  nx: number,
  crop: Crop,
  gate: Uint8Array,
  threshold: number,
  probability: Float32Array,
  infection: Uint8Array
): boolean {
  const { width, height, i0, j0 } = crop
  let any = false
  for (let y = 0; y < height; y++) {
    const row = sliceStart + (j0 + y) * nx + i0
    const mapRow = y * width
    for (let x = 0; x < width; x++) {
      if (gate[mapRow + x] === 0) continue
      const v = row + x
      const p = map[mapRow + x]
      probability[v] = p
      if (p < threshold) continue
      infection[v] = 1
      any = true
    }
  }
  return any
}

function segmentLungsOf(volume: Volume, options: VolumeInferenceOptions): LungMask {
  return volume.unit === 'grey'
    ? segmentLungsGrey(volume, options.greyLungSegmentation)
    : segmentLungs(volume, options.lungSegmentation)
}

/**
 * The in-plane pixel size, mm. Grey images loaded without one (1×1, as JPEG slices) get the size
 * segmentLungsGrey assumes, so that mm margins mean the same in both.
 */
function pixelSpacing(volume: Volume, grey: Partial<GreyLungSegmentationOptions> | undefined): [number, number] {
  if (volume.unit === 'grey' && volume.spacing[0] === 1 && volume.spacing[1] === 1) {
    const fov = grey?.assumedFieldOfViewMm ?? DEFAULT_GREY_LUNG_SEGMENTATION.assumedFieldOfViewMm
    const pixel = fov / Math.max(volume.dimensions[0], volume.dimensions[1])
    return [pixel, pixel]
  }
  return [volume.spacing[0], volume.spacing[1]]
}

/**
 * Every slice's lung gate (lungGateSlice) within the crop, slice after slice (nz · crop width ·
 * crop height), and the slices that hold lung. Within the crop it is the whole slice's gate, since
 * every lung voxel lies in the crop (the lungs' box grown); outside it the maps cover nothing to gate.
 */
function lungGatesInCrop(
  lungLabels: Uint8Array,
  dimensions: readonly [number, number, number],
  crop: Crop,
  marginMm: number,
  spacing: [number, number]
): { gates: Uint8Array; slices: number[] } {
  const [nx, ny, nz] = dimensions
  const { width, height, i0, j0 } = crop
  const size = width * height
  const gates = new Uint8Array(nz * size)
  const window = new Uint8Array(size)
  const binary = new Uint8Array(size)
  const scratch = createDiskDilationScratch(width, height)
  const slices: number[] = []
  for (let k = 0; k < nz; k++) {
    for (let y = 0; y < height; y++) {
      const row = (k * ny + j0 + y) * nx + i0
      window.set(lungLabels.subarray(row, row + width), y * width)
    }
    if (lungGateSlice(window, width, height, marginMm, spacing, gates.subarray(k * size, (k + 1) * size), binary, scratch)) slices.push(k)
  }
  return { gates, slices }
}

/** The lungs' in-plane bounding box over all slices, grown by the margin; the whole slice if no lung. */
function lungCrop(
  lungLabels: Uint8Array,
  dimensions: readonly [number, number, number],
  marginMm: number,
  [sx, sy]: [number, number]
): Crop {
  const box = maskBoundingBox(lungLabels, dimensions)
  if (!box) return { i0: 0, j0: 0, width: dimensions[0], height: dimensions[1] }
  const { min, max } = expandBox(box, [Math.ceil(marginMm / sx), Math.ceil(marginMm / sy), 0], dimensions)
  return { i0: min[0], j0: min[1], width: max[0] - min[0] + 1, height: max[1] - min[1] + 1 }
}

/**
 * The slices of a volume exactly as inferVolume gives them to the network (the lungs' crop over the
 * series, the model input window): how training negatives are made from real series.
 */
export function networkInputSlices(
  volume: Volume,
  lungs: LungMask,
  indices: number[],
  options: Pick<VolumeInferenceOptions, 'cropMarginMm' | 'greyLungSegmentation' | 'inputWindow'> = {}
): GreySlice[] {
  const pixel = pixelSpacing(volume, options.greyLungSegmentation)
  const crop = lungCrop(
    lungs.labels,
    volume.dimensions,
    options.cropMarginMm ?? DEFAULT_VOLUME_INFERENCE.cropMarginMm,
    pixel
  )
  const window = options.inputWindow ?? modelInputWindow()
  return indices.map((k) => greySlice(volume, k, crop, window))
}

/** The crop of slice k as the network sees it: lung-windowed 8-bit grey. */
function greySlice(volume: Volume, k: number, crop: Crop, window: { center: number; width: number }): GreySlice {
  const [nx, ny] = volume.dimensions
  const source = volume.data
  if (volume.unit === 'HU' && source instanceof Int16Array) {
    // a DICOM series' HU: each voxel one lookup in the window's table
    const table = int16WindowTable(window.center, window.width)
    const data = new Uint8Array(crop.width * crop.height)
    for (let y = 0; y < crop.height; y++) {
      const row = k * nx * ny + (crop.j0 + y) * nx + crop.i0
      for (let x = 0; x < crop.width; x++) data[y * crop.width + x] = table[source[row + x] + 32768]
    }
    return { data, width: crop.width, height: crop.height }
  }
  const values = new Float32Array(crop.width * crop.height)
  for (let y = 0; y < crop.height; y++) {
    const row = k * nx * ny + (crop.j0 + y) * nx + crop.i0
    for (let x = 0; x < crop.width; x++) values[y * crop.width + x] = source[row + x]
  }
  const data =
    volume.unit === 'HU'
      ? applyWindow(values, window.center, window.width)
      : Uint8Array.from(values, (g) => Math.max(0, Math.min(255, Math.round(g))))
  return { data, width: crop.width, height: crop.height }
}

/** Clears infected components below `minMl` in place. */
function removeSpecks(infection: Uint8Array, volume: Volume, minMl: number): void {
  if (minMl <= 0) return
  const components = labelComponents3d(infection, volume.dimensions)
  const minVoxels = (minMl * 1000) / (volume.spacing[0] * volume.spacing[1] * volume.spacing[2])
  const nx = volume.dimensions[0]
  for (let r = 0; r < components.runComponent.length; r++) {
    if (components.sizes[components.runComponent[r]] >= minVoxels) continue
    const base = components.runRow[r] * nx
    infection.fill(0, base + components.runStart[r], base + components.runEnd[r])
  }
}

/**
 * The label of every infected voxel of slice k: the multi-class network's ground glass or
 * consolidation where it names one, else the density rule (consolidation at or above
 * `consolidationMin`).
 */
function typeSlice(
  labels: Uint8Array,
  infection: Uint8Array,
  volume: Volume,
  k: number,
  crop: Crop,
  predicted: Uint8Array | undefined,
  consolidationMin: number
): void {
  const [nx, ny] = volume.dimensions
  for (let y = 0; y < crop.height; y++) {
    const row = k * nx * ny + (crop.j0 + y) * nx + crop.i0
    for (let x = 0; x < crop.width; x++) {
      const v = row + x
      if (infection[v] === 0) continue
      const p = predicted?.[y * crop.width + x] ?? 0
      labels[v] =
        p === INFECTION_LABEL.groundGlass || p === INFECTION_LABEL.consolidation
          ? p
          : volume.data[v] >= consolidationMin
            ? INFECTION_LABEL.consolidation
            : INFECTION_LABEL.groundGlass
    }
  }
}
