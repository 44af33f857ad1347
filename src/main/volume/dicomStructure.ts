/**
 * A structural walk over a DICOM Part 10 file: element headers are read and values skipped, so it
 * costs microseconds. dcmjs is lenient with damaged files (a file cut short still yields a
 * full-length PixelData of garbage), so this walk is what decides "truncated", and it also locates
 * the top-level pixel data so uncompressed slices can be read straight from the file bytes.
 */
import { inflateRawSync } from 'node:zlib'
import { VolumeReadError } from './errors'
import { MAX_SIDE } from './limits'

export const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2'
export const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
export const DEFLATED_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99'
export const EXPLICIT_BIG_ENDIAN = '1.2.840.10008.1.2.2'

export interface PixelDataLocation {
  /**
   * Byte offset of the value in the file (for encapsulated data: of the first item). For the
   * deflated syntax it addresses the inflated data set instead, so only the native little endian
   * syntaxes may use it to read pixels.
   */
  offset: number
  /** Value length in bytes; for encapsulated data, up to the sequence delimiter. */
  length: number
  encapsulated: boolean
}

export interface DicomLayout {
  transferSyntax: string
  /** Top-level (7FE0,0010), not the one of an icon image inside a sequence. Absent if none. */
  pixelData?: PixelDataLocation
}

const UNDEFINED_LENGTH = 0xffffffff
/** One slice of the largest size Pulmo reads, 16-bit, plus room for the header: bounds inflation. */
const MAX_INFLATED_BYTES = 2 * MAX_SIDE * MAX_SIDE + 16 * 2 ** 20
const ITEM = 0xfffee000
const ITEM_DELIMITER = 0xfffee00d
const SEQUENCE_DELIMITER = 0xfffee0dd
const PIXEL_DATA = 0x7fe00010
/**
 * Sequences nested deeper than this are refused: real files nest a few levels, and a damaged file
 * could otherwise claim thousands of nested undefined-length items and overflow the call stack.
 */
const MAX_NESTING = 32
// VRs whose explicit encoding has 2 reserved bytes and a 32-bit length (PS3.5 §7.1.2).
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])

/** True when the bytes start with the 128-byte preamble and the "DICM" prefix. */
export function hasDicomPrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
}

interface Header {
  tag: number
  vr: string
  length: number
}

class Walker {
  pos = 0
  private readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    private readonly littleEndian: boolean
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  truncated(what: string): VolumeReadError {
    return new VolumeReadError(
      this.file,
      `file is truncated (${what} at byte ${this.pos} runs past the end, ${this.bytes.length} bytes)`
    )
  }

  header(implicit: boolean): Header {
    if (this.pos + 8 > this.bytes.length) throw this.truncated('an element header')
    const le = this.littleEndian
    const tag = ((this.view.getUint16(this.pos, le) << 16) | this.view.getUint16(this.pos + 2, le)) >>> 0
    // Items and delimiters never carry a VR, whatever the transfer syntax.
    if (implicit || tag >>> 16 === 0xfffe) {
      const length = this.view.getUint32(this.pos + 4, le)
      this.pos += 8
      return { tag, vr: '', length }
    }
    const vr = String.fromCharCode(this.bytes[this.pos + 4], this.bytes[this.pos + 5])
    if (LONG_VRS.has(vr)) {
      if (this.pos + 12 > this.bytes.length) throw this.truncated('an element header')
      const length = this.view.getUint32(this.pos + 8, le)
      this.pos += 12
      return { tag, vr, length }
    }
    const length = this.view.getUint16(this.pos + 6, le)
    this.pos += 8
    return { tag, vr, length }
  }

  skip(length: number, what: string): void {
    if (this.pos + length > this.bytes.length) throw this.truncated(what)
    this.pos += length
  }

  /** Elements until `end`, or until an item delimiter when inside an undefined-length item. */
  dataset(
    implicit: boolean,
    insideItem: boolean,
    onTopLevel?: (h: Header, valueOffset: number) => void,
    depth = 0
  ): void {
    while (this.pos < this.bytes.length) {
      const h = this.header(implicit)
      if (h.tag === ITEM_DELIMITER) {
        if (insideItem) return
        continue
      }
      const valueOffset = this.pos
      if (h.length === UNDEFINED_LENGTH) {
        // Undefined-length UN holds implicit little endian data (PS3.5 §6.2.2).
        this.sequence(implicit || h.vr === 'UN', depth + 1)
      } else {
        this.skip(h.length, `element ${tagName(h.tag)}`)
      }
      onTopLevel?.(h, valueOffset)
    }
    if (insideItem) throw this.truncated('an item without its delimiter')
  }

  /** Items of a sequence or encapsulated pixel data, up to the sequence delimiter. */
  sequence(implicit: boolean, depth: number): void {
    if (depth > MAX_NESTING) {
      throw new VolumeReadError(
        this.file,
        `malformed DICOM: sequences nested more than ${MAX_NESTING} deep at byte ${this.pos}`
      )
    }
    for (;;) {
      const h = this.header(implicit)
      if (h.tag === SEQUENCE_DELIMITER) return
      if (h.tag !== ITEM) {
        throw new VolumeReadError(
          this.file,
          `malformed DICOM: expected a sequence item at byte ${this.pos - 8}, found ${tagName(h.tag)}`
        )
      }
      if (h.length === UNDEFINED_LENGTH) this.dataset(implicit, true, undefined, depth)
      else this.skip(h.length, 'a sequence item')
    }
  }
}

function tagName(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0')
  return `(${hex.slice(0, 4)},${hex.slice(4)})`
}

function readMetaGroup(w: Walker): string {
  let transferSyntax = ''
  while (w.pos + 8 <= w.bytes.length) {
    const group = w.bytes[w.pos] | (w.bytes[w.pos + 1] << 8)
    if (group !== 0x0002) break
    const h = w.header(false)
    const start = w.pos
    w.skip(h.length, `meta element ${tagName(h.tag)}`)
    if (h.tag === 0x00020010) {
      transferSyntax = Buffer.from(w.bytes.subarray(start, start + h.length))
        .toString('latin1')
        .replace(/[\0 ]+$/, '')
    }
  }
  if (!transferSyntax)
    throw new VolumeReadError(w.file, 'malformed DICOM: the file meta information has no transfer syntax')
  return transferSyntax
}

/**
 * Validates that every element of the file lies within it and finds the top-level pixel data.
 * Throws VolumeReadError for a file without the DICM prefix, a truncated or malformed file.
 */
export function inspectDicomLayout(bytes: Uint8Array, file: string): DicomLayout {
  if (!hasDicomPrefix(bytes)) throw new VolumeReadError(file, 'not a DICOM file (no "DICM" marker at byte 128)')
  const meta = new Walker(bytes, file, true)
  meta.pos = 132
  const transferSyntax = readMetaGroup(meta)

  let body = meta
  if (transferSyntax === DEFLATED_LITTLE_ENDIAN) {
    let inflated: Buffer
    try {
      inflated = inflateRawSync(bytes.subarray(meta.pos), { maxOutputLength: MAX_INFLATED_BYTES })
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new VolumeReadError(
          file,
          `the deflated data set inflates to more than ${MAX_INFLATED_BYTES} bytes, more than any slice Pulmo reads (a damaged or malicious file)`
        )
      }
      throw new VolumeReadError(file, 'file is truncated or corrupt (the deflated data set does not inflate)')
    }
    body = new Walker(inflated, file, true)
  } else if (transferSyntax === EXPLICIT_BIG_ENDIAN) {
    body = new Walker(bytes, file, false)
    body.pos = meta.pos
  }

  let pixelData: PixelDataLocation | undefined
  body.dataset(transferSyntax === IMPLICIT_LITTLE_ENDIAN, false, (h, valueOffset) => {
    if (h.tag !== PIXEL_DATA) return
    const encapsulated = h.length === UNDEFINED_LENGTH
    pixelData = { offset: valueOffset, length: encapsulated ? body.pos - valueOffset : h.length, encapsulated }
  })
  return { transferSyntax, pixelData }
}
