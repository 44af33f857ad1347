/**
 * A minimal PNG encoder for 8-bit grey (masks, windowed slices) and RGB (report figures): no PNG
 * encoder is among the project's dependencies and the format needs only three chunks and zlib.
 */
import { writeFile } from 'node:fs/promises'
import { crc32, deflateSync } from 'node:zlib'

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`invalid PNG size ${width}×${height}`)
  const stride = width * channels
  if (data.length !== stride * height) throw new Error(`PNG data has ${data.length} bytes, ${width}×${height}×${channels} needs ${stride * height}`)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = channels === 1 ? 0 : 2 // colour type: greyscale or truecolour
  // compression 0 (deflate), filter method 0, interlace 0: all zero already
  // Each row is prefixed by its filter type; 0 (None) keeps the encoder trivial.
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))])
}

/** PNG bytes of a row-major 8-bit grey image (row 0 at the top). */
export function encodePng8(data: Uint8Array, width: number, height: number): Buffer {
  return encodePng(data, width, height, 1)
}

/** Writes an 8-bit greyscale PNG. */
export async function writePng8(path: string, data: Uint8Array, width: number, height: number): Promise<void> {
  await writeFile(path, encodePng8(data, width, height))
}
