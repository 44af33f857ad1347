/**
 * A minimal PNG encoder for 8-bit grey (masks, windowed slices) and RGB (report figures): no PNG
 * encoder is among the project's dependencies and the format needs only three chunks and zlib.
 * And a minimal decoder of 8-bit palette/grey samples, for label maps whose values are indices.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { crc32, deflateSync, inflateSync } from 'node:zlib'
import { VolumeReadError } from './errors'
import { PNG_SIGNATURE, pngChunks, pngUint32 } from './pngChunks'

const SIGNATURE = Uint8Array.from(PNG_SIGNATURE)

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length)
  out.writeUInt32BE(body.length, 0)
  out.write(type, 4, 'latin1')
  out.set(body, 8)
  // The CRC covers the type and the body, not the length.
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)) >>> 0, 8 + body.length)
  return out
}

/** PNG bytes of a row-major 8-bit image with 1 (grey) or 3 (RGB) bytes a pixel, row 0 at the top. */
export function encodePng(data: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`invalid PNG size ${width}×${height}`)
  const stride = width * channels
  if (data.length !== stride * height)
    throw new Error(`PNG data has ${data.length} bytes, ${width}×${height}×${channels} needs ${stride * height}`)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = channels === 1 ? 0 : 2 // colour type: greyscale or truecolour
  // compression 0 (deflate), filter method 0, interlace 0: all zero already
  // Each row is prefixed by its filter type; 0 (None) keeps the encoder trivial.
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0))
  ])
}

/** PNG bytes of a row-major 8-bit grey image (row 0 at the top). */
export function encodePng8(data: Uint8Array, width: number, height: number): Buffer {
  return encodePng(data, width, height, 1)
}

/** Writes an 8-bit greyscale PNG. */
export async function writePng8(path: string, data: Uint8Array, width: number, height: number): Promise<void> {
  await writeFile(path, encodePng8(data, width, height))
}

/** A decoded PNG of one sample a pixel: palette indices (colour type 3) or grey levels (colour type 0). */
export interface PngIndexImage {
  width: number
  height: number
  /** Row-major, row 0 at the top: the stored sample, not its colour. */
  data: Uint8Array
  colourType: 0 | 3
}

/** The Paeth predictor of the PNG specification (filter type 4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/**
 * Decodes the raw samples of an 8-bit palette (colour type 3) or 8-bit grey (colour type 0) PNG,
 * without interlacing. Label maps such as COVID-SemiSeg's multi-class masks store the class as the
 * palette index; a general image reader turns the index into its colour's luminance (1 → 38,
 * 2 → 75), so labels must be read as indices. Any other kind of PNG is a VolumeReadError naming
 * what was found.
 */
export function decodePngIndices(bytes: Uint8Array, file = '(PNG data)'): PngIndexImage {
  const fail = (reason: string): never => {
    throw new VolumeReadError(file, reason)
  }
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (signature missing)')
  let width = 0
  let height = 0
  let colourType = -1
  const idat: Uint8Array[] = []
  for (const { type, body } of pngChunks(bytes, file)) {
    if (type === 'IHDR') {
      if (body.length !== 13) fail('IHDR chunk has the wrong length')
      width = pngUint32(body, 0)
      height = pngUint32(body, 4)
      const bitDepth = body[8]
      colourType = body[9]
      const interlace = body[12]
      if (colourType !== 0 && colourType !== 3) {
        const kinds: Record<number, string> = { 2: 'RGB', 4: 'grey + alpha', 6: 'RGBA' }
        fail(
          `expected an 8-bit palette or grey PNG (label map), found colour type ${colourType} (${kinds[colourType] ?? 'unknown'})`
        )
      }
      if (bitDepth !== 8) fail(`expected 8 bits a sample, found ${bitDepth}`)
      if (interlace !== 0) fail('interlaced PNGs are not supported for label maps')
    } else if (type === 'IDAT') {
      idat.push(body)
    }
  }
  if (colourType < 0) fail('no IHDR chunk')
  if (idat.length === 0) fail('no image data (IDAT chunk)')
  if (width < 1 || height < 1) fail(`invalid size ${width}×${height}`)
  let raw: Buffer
  try {
    raw = inflateSync(Buffer.concat(idat))
  } catch (e) {
    return fail(`image data does not inflate: ${(e as Error).message}`)
  }
  if (raw.length < (width + 1) * height)
    fail(`image data holds ${raw.length} bytes, ${width}×${height} needs ${(width + 1) * height}`)
  const data = new Uint8Array(width * height)
  // One byte a pixel, so the filters' "left" neighbour is one byte back.
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)]
    const src = y * (width + 1) + 1
    const row = y * width
    const prev = row - width
    for (let x = 0; x < width; x++) {
      const a = x > 0 ? data[row + x - 1] : 0
      const b = y > 0 ? data[prev + x] : 0
      const c = x > 0 && y > 0 ? data[prev + x - 1] : 0
      let predictor: number
      switch (filter) {
        case 0:
          predictor = 0
          break
        case 1:
          predictor = a
          break
        case 2:
          predictor = b
          break
        case 3:
          predictor = (a + b) >> 1
          break
        case 4:
          predictor = paeth(a, b, c)
          break
        default:
          return fail(`row ${y} has an unknown filter type ${filter}`)
      }
      data[row + x] = (raw[src + x] + predictor) & 0xff
    }
  }
  return { width, height, data, colourType: colourType as 0 | 3 }
}

/** Reads a palette-index or grey 8-bit PNG's samples (see decodePngIndices). */
export async function readPngIndices(path: string): Promise<PngIndexImage> {
  return decodePngIndices(await readFile(path), path)
}
