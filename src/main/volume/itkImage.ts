/**
 * itk-wasm images → Volume. ITK already works in LPS with a row-major direction whose columns are
 * the axes, the Volume convention, so geometry copies over; 2-D images become one-slice volumes.
 */
import type { readImageNode } from '@itk-wasm/image-io'
import { asVolumeReadError, VolumeReadError } from './errors'
import type { Volume, VoxelArray } from './volume'

export type ItkImage = Awaited<ReturnType<typeof readImageNode>>

/** A volume's voxels and geometry, before it has a modality and unit. */
export type ScalarImage = Pick<Volume, 'data' | 'dimensions' | 'spacing' | 'origin' | 'direction'> & {
  /** true when the source had colour that is not grey (R, G and B differ), before it became luminance */
  colourful?: boolean
}

/** Reads any format ITK knows, with the error naming the file. Not for NIfTI (see nifti.ts). */
export async function readItkImage(path: string, what: string): Promise<ItkImage> {
  try {
    // loaded on first use (a tenth of a second at start-up that most commands never need)
    const { readImageNode } = await import('@itk-wasm/image-io')
    const image = await readImageNode(path)
    if (!image?.data) throw new Error('no pixel data')
    return image
  } catch (error) {
    throw asVolumeReadError(error, path, `not a readable ${what}`)
  }
}

/** Rec. 601 luma, the weighting of JPEG's own colour transform, in the input's integer type. */
function luminance(
  data: ArrayLike<number>,
  components: number,
  count: number
): Uint8Array | Uint16Array | Float32Array {
  const out =
    data instanceof Uint8Array
      ? new Uint8Array(count)
      : data instanceof Uint16Array
        ? new Uint16Array(count)
        : new Float32Array(count)
  const round = !(out instanceof Float32Array)
  for (let i = 0, p = 0; i < count; i++, p += components) {
    const y = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]
    out[i] = round ? Math.round(y) : y
  }
  return out
}

function fit(data: ArrayLike<number>): VoxelArray {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < data.length; i++) {
    if (data[i] < min) min = data[i]
    if (data[i] > max) max = data[i]
  }
  const out =
    min >= -32768 && max <= 32767
      ? new Int16Array(data.length)
      : min >= -2147483648 && max <= 2147483647
        ? new Int32Array(data.length)
        : new Float32Array(data.length)
  for (let i = 0; i < data.length; i++) out[i] = data[i]
  return out
}

/**
 * Whether an RGB(A) image holds colour rather than grey stored as RGB: at least 2 % of its pixels
 * with channels more than a tenth of the range apart (JPEG's chroma noise on grey stays far below).
 */
function hasColour(data: ArrayLike<number>, components: number, count: number, maxValue: number): boolean {
  const apart = maxValue / 10
  let coloured = 0
  for (let i = 0, p = 0; i < count; i++, p += components) {
    const r = data[p]
    const g = data[p + 1]
    const b = data[p + 2]
    if (Math.max(r, g, b) - Math.min(r, g, b) > apart) coloured++
  }
  return coloured >= 0.02 * count
}

/** Pixel types a Volume holds as they are; others widened or narrowed to the nearest one. */
function scalarData(data: NonNullable<ItkImage['data']>, path: string): VoxelArray {
  if (
    data instanceof Int16Array ||
    data instanceof Uint8Array ||
    data instanceof Uint16Array ||
    data instanceof Int32Array ||
    data instanceof Float32Array
  ) {
    return data
  }
  if (data instanceof Int8Array || data instanceof Uint32Array) return fit(data)
  if (data instanceof Float64Array) return Float32Array.from(data)
  throw new VolumeReadError(path, `pixel type ${data.constructor.name} is not supported`)
}

/**
 * A scalar volume from an ITK image. Colour (RGB/RGBA) becomes luminance when `colour` is
 * 'luminance' and is refused otherwise, as colour has no meaning in a CT volume.
 */
export function toScalarImage(image: ItkImage, path: string, colour: 'luminance' | 'refuse'): ScalarImage {
  const dim = image.imageType.dimension
  const size = Array.from(image.size)
  if (dim < 2 || dim > 4 || (dim === 4 && size[3] !== 1)) {
    throw new VolumeReadError(
      path,
      `${dim}-D images (size ${size.join('×')}) are not supported; Pulmo reads 2-D slices and 3-D volumes`
    )
  }
  const dimensions: [number, number, number] = [size[0], size[1], dim >= 3 ? size[2] : 1]
  const count = dimensions[0] * dimensions[1] * dimensions[2]
  const components = image.imageType.components
  const raw = image.data as NonNullable<ItkImage['data']>
  let data: VoxelArray
  let colourful = false
  if (components === 1) data = scalarData(raw, path)
  else if (colour === 'luminance' && (components === 3 || components === 4)) {
    data = luminance(raw as ArrayLike<number>, components, count)
    colourful = hasColour(
      raw as ArrayLike<number>,
      components,
      count,
      raw instanceof Uint8Array ? 255 : raw instanceof Uint16Array ? 65535 : 1
    )
  } else throw new VolumeReadError(path, `images with ${components} components per pixel are not supported`)

  const d = Array.from(image.direction as Float64Array)
  const n = dim === 2 ? 2 : 3
  const at = (r: number, c: number): number => (r < n && c < n ? d[r * dim + c] : r === c ? 1 : 0)
  return {
    data,
    dimensions,
    spacing: [image.spacing[0], image.spacing[1], dim >= 3 ? image.spacing[2] : 1],
    origin: [image.origin[0], image.origin[1], dim >= 3 ? image.origin[2] : 0],
    direction: [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => at(r, c))),
    ...(colourful ? { colourful } : {})
  }
}
