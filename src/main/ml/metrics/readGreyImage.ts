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
import { readRasterStack } from '../../volume/raster'
import { VolumeReadError } from '../../volume/errors'
import type { Volume } from '../../volume/volume'
import { MetricsInputError } from './metricsInputError'
import type { GreyImage } from './greyImage'

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
