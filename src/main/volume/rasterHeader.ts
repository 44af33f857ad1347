/**
 * Structural checks of PNG and JPEG files before they reach ITK's decoder. The decoder reports a
 * damaged file as a bare number and decodes a truncated JPEG as grey without complaint, and a
 * header claiming 10⁶ × 10⁶ pixels would make it allocate terabytes; here each of these becomes a
 * message naming the file, at the cost of one pass over the bytes.
 */
import { VolumeReadError } from './errors'
import { checkClaimedSize } from './limits'
import { PNG_SIGNATURE, pngChunks, pngUint32 } from './pngChunks'

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1]
}

/** Chunks in bounds with correct CRCs (pngChunks), IHDR first with a sane size, image data, IEND. */
function checkPng(bytes: Uint8Array, file: string): void {
  let sawData = false
  for (const { type, body, index } of pngChunks(bytes, file)) {
    if (index === 0) {
      if (type !== 'IHDR' || body.length !== 13)
        throw new VolumeReadError(file, 'PNG file is damaged (it does not start with an IHDR chunk)')
      checkClaimedSize(file, [pngUint32(body, 0), pngUint32(body, 4)], 'PNG image size')
    }
    if (type === 'IDAT') sawData = true
    if (type === 'IEND' && !sawData) throw new VolumeReadError(file, 'PNG file has no image data (no IDAT chunk)')
  }
}

/** Start-of-frame markers: baseline, extended, progressive, lossless, hierarchical, arithmetic. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
}

/** Segments in bounds up to the scan, a frame header with a sane size, and an end-of-image marker. */
function checkJpeg(bytes: Uint8Array, file: string): void {
  let pos = 2
  let size: [number, number] | undefined
  for (;;) {
    if (pos + 2 > bytes.length)
      throw new VolumeReadError(
        file,
        `JPEG file is truncated (its headers end at byte ${bytes.length} before the image data)`
      )
    if (bytes[pos] !== 0xff) throw new VolumeReadError(file, `JPEG file is damaged (expected a marker at byte ${pos})`)
    const marker = bytes[pos + 1]
    if (marker === 0xff) {
      pos += 1 // fill byte
      continue
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2
      continue
    }
    if (marker === 0xd9) throw new VolumeReadError(file, 'JPEG file has no image data (it ends before any scan)')
    if (pos + 4 > bytes.length)
      throw new VolumeReadError(file, `JPEG file is truncated (marker at byte ${pos} has no length)`)
    const length = u16(bytes, pos + 2)
    if (length < 2)
      throw new VolumeReadError(file, `JPEG file is damaged (segment at byte ${pos} has length ${length})`)
    if (pos + 2 + length > bytes.length)
      throw new VolumeReadError(
        file,
        `JPEG file is truncated (segment at byte ${pos} runs past the end, ${bytes.length} bytes)`
      )
    if (isStartOfFrame(marker)) {
      if (length < 8) throw new VolumeReadError(file, `JPEG file is damaged (frame header at byte ${pos} is too short)`)
      size = [u16(bytes, pos + 7), u16(bytes, pos + 5)]
      checkClaimedSize(file, size, 'JPEG image size')
    }
    if (marker === 0xda) {
      if (!size) throw new VolumeReadError(file, 'JPEG file is damaged (image data before any frame header)')
      const scanStart = pos + 2 + length
      // 0xFF in entropy-coded data is always followed by 0x00 or a restart marker, so the only
      // FF D9 after the scan is the end of image.
      if (
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(Buffer.from([0xff, 0xd9])) < scanStart
      ) {
        throw new VolumeReadError(file, 'JPEG file is truncated (no end-of-image marker after the image data)')
      }
      return
    }
    pos += 2 + length
  }
}

/** Throws a VolumeReadError naming `file` unless its bytes are a structurally whole PNG or JPEG. */
export function checkRasterBytes(bytes: Uint8Array, file: string): void {
  if (isPng(bytes)) checkPng(bytes, file)
  else if (isJpeg(bytes)) checkJpeg(bytes, file)
  else
    throw new VolumeReadError(
      file,
      'not a readable PNG or JPEG image (its first bytes are neither the PNG nor the JPEG signature)'
    )
}
