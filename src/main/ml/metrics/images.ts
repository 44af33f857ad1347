/**
 * The grey images the metrics read: their shape and checks, decoding, pairing prediction and
 * ground-truth files, ground-truth binarisation, min-max normalisation and resampling.
 */
import { readdir } from 'node:fs/promises'
import { extname, join, parse } from 'node:path'
import { SubjectError, VolumeReadError } from '../../volume/errors'
import { readRasterStack } from '../../volume/raster'
import type { Volume } from '../../volume/volume'

/** The one error of the metrics module; the CLI prints its message (`subject: reason`) as is. */
export class MetricsInputError extends SubjectError {
  override readonly name = 'MetricsInputError'
}

/**
 * The image shape every metric works on: one grey channel, row-major (x fastest), top row first.
 * Predictions may be 8-bit (0–255), 16-bit or floating point, since the protocol min-max
 * normalises them; ground truth is read on the 0–255 scale because its foreground is grey > 128.
 */
export type PixelArray =
  Uint8Array | Uint8ClampedArray | Uint16Array | Int16Array | Int32Array | Float32Array | Float64Array

export interface GreyImage {
  readonly width: number
  readonly height: number
  readonly data: PixelArray
}

/** Rejects an image whose buffer does not hold exactly width × height pixels. */
export function checkGreyImage(image: GreyImage, what: string): void {
  const { width, height, data } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new MetricsInputError(what, `size ${width}×${height} is not a positive whole number of pixels`)
  }
  if (data.length !== width * height) {
    throw new MetricsInputError(what, `holds ${data.length} values, ${width}×${height} needs ${width * height}`)
  }
}

/**
 * Ground truth as the protocol reads it: foreground where the grey value (0–255 scale) is above
 * 128, so anti-aliased or JPEG-compressed mask edges split at mid-grey.
 */
export const GROUND_TRUTH_LEVEL = 128

/** 1 for foreground, 0 for background. */
export function groundTruthMask(groundTruth: GreyImage): Uint8Array {
  const { data } = groundTruth
  const mask = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) mask[i] = data[i] > GROUND_TRUTH_LEVEL ? 1 : 0
  return mask
}

/**
 * Per-image min-max normalisation of a prediction map to [0, 1] (MATLAB `mapminmax(x, 0, 1)`).
 * A constant map has no contrast to stretch and becomes all zeros: it carries no foreground
 * evidence, so it is scored like an empty prediction.
 */
export function minMaxNormalise(data: PixelArray, what = 'prediction map'): Float64Array {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    const v = data[i]
    if (!Number.isFinite(v)) throw new MetricsInputError(what, `pixel ${i} is ${v}, not a finite number`)
    if (v < min) min = v
    if (v > max) max = v
  }
  const out = new Float64Array(data.length)
  if (!(max > min)) return out
  const range = max - min
  // Division rather than multiplication by 1/range keeps v / 255 exact for 8-bit maps (see thresholds.ts).
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - min) / range
  return out
}

/**
 * Bilinear resampling of a grey map to another size, used when a prediction map does not have its
 * ground truth's size. Pixel centres are aligned (half-pixel convention, as OpenCV INTER_LINEAR and
 * PyTorch align_corners=false) and samples beyond the border repeat the edge pixel. No
 * anti-aliasing: predictions are smooth maps, usually upsampled.
 */
interface Taps {
  lower: Int32Array
  upper: Int32Array
  weight: Float64Array
}

/** Source pixel pair and interpolation weight of the upper one for each destination index. */
function taps(sourceSize: number, targetSize: number): Taps {
  const lower = new Int32Array(targetSize)
  const upper = new Int32Array(targetSize)
  const weight = new Float64Array(targetSize)
  const scale = sourceSize / targetSize
  for (let i = 0; i < targetSize; i++) {
    const position = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), sourceSize - 1)
    const l = Math.floor(position)
    lower[i] = l
    upper[i] = Math.min(l + 1, sourceSize - 1)
    weight[i] = position - l
  }
  return { lower, upper, weight }
}

export function resizeBilinear(image: GreyImage, width: number, height: number): GreyImage {
  if (image.width === width && image.height === height) return image
  const columns = taps(image.width, width)
  const rows = taps(image.height, height)
  const src = image.data
  const out = new Float64Array(width * height)
  for (let y = 0; y < height; y++) {
    const top = rows.lower[y] * image.width
    const bottom = rows.upper[y] * image.width
    const wy = rows.weight[y]
    for (let x = 0; x < width; x++) {
      const l = columns.lower[x]
      const r = columns.upper[x]
      const wx = columns.weight[x]
      const upperRow = src[top + l] + (src[top + r] - src[top + l]) * wx
      const lowerRow = src[bottom + l] + (src[bottom + r] - src[bottom + l]) * wx
      out[y * width + x] = upperRow + (lowerRow - upperRow) * wy
    }
  }
  return { width, height, data: out }
}

/**
 * Decodes a PNG or JPEG prediction map or ground-truth mask into a GreyImage through the project's
 * raster reader (volume/raster, ITK compiled to WebAssembly), so the workstation has one image
 * decoding path and one set of decoder quirks.
 *
 * That reader turns colour into Rec. 601 luminance. main.m instead takes a prediction's first
 * channel and a ground truth's rgb2gray (weights 0.2989/0.5870/0.1140); for the grey maps and
 * masks networks and annotators write, all three are the same. 16-bit files are brought to the
 * 0–255 scale so "grey > 128" means the same at any bit depth.
 */
const UINT16_TO_8_BIT = 1 / 257

export async function readGreyImage(path: string): Promise<GreyImage> {
  let volume: Volume
  try {
    volume = await readRasterStack([path])
  } catch (error) {
    if (error instanceof VolumeReadError) throw new MetricsInputError(path, error.reason, { cause: error })
    throw error
  }
  const [width, height] = volume.dimensions
  const data =
    volume.data instanceof Uint16Array ? Float32Array.from(volume.data, (v) => v * UINT16_TO_8_BIT) : volume.data
  return { width, height, data }
}

/**
 * Pairs prediction maps with ground-truth masks by base name, ignoring the extension (a network
 * writes `12.png` for the ground truth `12.png` or `12.jpg`). Every file must find its partner:
 * a silently skipped image would change the averages without anyone noticing.
 */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg']

export interface ImagePair {
  /** The shared base name, e.g. "12". */
  name: string
  prediction: string
  groundTruth: string
}

/** Image files of a folder by base name; two files with one base name are ambiguous. */
async function imagesByBaseName(dir: string, role: string): Promise<Map<string, string>> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new MetricsInputError(dir, `cannot list the ${role} folder: ${detail}`, { cause: error })
  }
  const byName = new Map<string, string>()
  for (const entry of entries) {
    if (!IMAGE_EXTENSIONS.includes(extname(entry).toLowerCase())) continue
    const name = parse(entry).name
    const previous = byName.get(name)
    if (previous !== undefined) {
      throw new MetricsInputError(join(dir, entry), `has the same base name as ${previous}; which ${role} is meant?`)
    }
    byName.set(name, entry)
  }
  return byName
}

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare

export async function pairImageFiles(predDir: string, gtDir: string): Promise<ImagePair[]> {
  const predictions = await imagesByBaseName(predDir, 'prediction')
  const truths = await imagesByBaseName(gtDir, 'ground truth')
  const problems: string[] = []
  for (const [name, file] of predictions) {
    if (!truths.has(name)) problems.push(`${join(predDir, file)} has no ground truth ${name}.* in ${gtDir}`)
  }
  for (const [name, file] of truths) {
    if (!predictions.has(name)) problems.push(`${join(gtDir, file)} has no prediction map ${name}.* in ${predDir}`)
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ')
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : ''
    throw new MetricsInputError(predDir, `unpaired images: ${shown}${more}`)
  }
  if (predictions.size === 0) {
    throw new MetricsInputError(predDir, `holds no ${IMAGE_EXTENSIONS.join('/')} images`)
  }
  return [...predictions.keys()].sort(naturalOrder).map((name) => ({
    name,
    prediction: join(predDir, predictions.get(name) ?? ''),
    groundTruth: join(gtDir, truths.get(name) ?? '')
  }))
}
