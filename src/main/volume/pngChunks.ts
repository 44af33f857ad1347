import { crc32 } from 'node:zlib'
import { VolumeReadError } from './errors'

export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const PNG_MAX_CHUNK = 0x7fffffff

export interface PngChunk {
  type: string
  body: Uint8Array
  /** byte offset of the chunk's length field */
  at: number
  /** 0 for the first chunk */
  index: number
}

/** The big-endian unsigned 32-bit value at `at` (PNG's lengths, CRCs, IHDR's width and height). */
export function pngUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0
}

/**
 * The chunks of a PNG after its signature, up to and with IEND: the one walker both the structural
 * check of imported images and the label-map decoder use. Each chunk is in bounds and passes its
 * CRC; a damaged or truncated file is a VolumeReadError naming the file and the byte.
 */
export function* pngChunks(bytes: Uint8Array, file: string): Generator<PngChunk> {
  let pos = 8
  for (let index = 0; ; index++) {
    if (pos + 8 > bytes.length)
      throw new VolumeReadError(file, `PNG file is truncated (no IEND chunk; the data ends at byte ${bytes.length})`)
    const length = pngUint32(bytes, pos)
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7])
    if (length > PNG_MAX_CHUNK)
      throw new VolumeReadError(file, `PNG file is damaged (chunk at byte ${pos} claims ${length} bytes)`)
    const end = pos + 8 + length + 4
    if (end > bytes.length)
      throw new VolumeReadError(
        file,
        `PNG file is truncated (chunk "${type}" at byte ${pos} runs past the end, ${bytes.length} bytes)`
      )
    const crc = pngUint32(bytes, pos + 8 + length)
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) >>> 0 !== crc) {
      throw new VolumeReadError(file, `PNG file is damaged (chunk "${type}" at byte ${pos} fails its CRC check)`)
    }
    yield { type, body: bytes.subarray(pos + 8, pos + 8 + length), at: pos, index }
    if (type === 'IEND') return
    pos = end
  }
}
