/**
 * Decodes a PNG or JPEG prediction map or ground-truth mask into a GreyImage, with ITK compiled to
 * WebAssembly (@itk-wasm/image-io, already a dependency for DICOM) because no pure-JS PNG/JPEG
 * decoder is installed and volume/ offers no 2D reader yet.
 *
 * Channels are read the way main.m reads them: a prediction map by its first channel
 * (`resmap(:,:,1)`), a ground truth by its luminance (`rgb2gray`, rounded like MATLAB's uint8
 * result). 16-bit files are brought to the 0–255 scale so "grey > 128" means the same at any depth.
 */
import { readImageNode } from '@itk-wasm/image-io'
import { MetricsInputError } from './metricsInputError'
import type { GreyImage } from './greyImage'

export type GreyReading = 'firstChannel' | 'luminance'

/** rgb2gray's weights (first row of the inverse NTSC matrix), as MATLAB uses them. */
const LUMINANCE = [0.298936021293775, 0.587043074451121, 0.114020904255103] as const

const TO_8_BIT_SCALE: Readonly<Record<string, number>> = { uint8: 1, uint16: 1 / 257 }

export async function readGreyImage(path: string, reading: GreyReading): Promise<GreyImage> {
  let image: Awaited<ReturnType<typeof readImageNode>>
  try {
    image = await readImageNode(path)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new MetricsInputError(path, `cannot be decoded as an image: ${detail}`, { cause: error })
  }
  const [width, height, depth = 1] = image.size
  if (image.data === null || image.size.length > 3 || depth !== 1) {
    throw new MetricsInputError(path, `is not a single 2D image (size ${image.size.join('×')})`)
  }
  const { components, componentType } = image.imageType
  const data = image.data
  const integer = componentType.startsWith('int') || componentType.startsWith('uint')
  const scale = TO_8_BIT_SCALE[componentType] ?? 1
  const useLuminance = reading === 'luminance' && components >= 3
  const grey = new Float32Array(width * height)
  for (let i = 0; i < grey.length; i++) {
    const base = i * components
    let value: number
    if (useLuminance) {
      value =
        LUMINANCE[0] * Number(data[base]) + LUMINANCE[1] * Number(data[base + 1]) + LUMINANCE[2] * Number(data[base + 2])
      if (integer) value = Math.round(value)
    } else {
      value = Number(data[base])
    }
    grey[i] = value * scale
  }
  return { width, height, data: grey }
}
