/**
 * Pixel values of an ordered series, rescaled to Hounsfield units in one Int16Array.
 * Native (uncompressed) little endian 16-bit slices are read straight from the file bytes, which is
 * a copy loop; JPEG lossless grey slices (most archived CT) are decoded here too (jpegLossless.ts);
 * everything else (JPEG-LS, JPEG 2000, RLE, big endian, 8-bit…, and a JPEG stream that decoder
 * refuses) goes to ITK/GDCM compiled to WebAssembly in a single call for all such slices, since
 * each call has a fixed start-up cost that would dominate a per-file loop.
 */
import { resolve } from 'node:path'
import { asVolumeReadError, VolumeReadError } from './errors'
import type { DicomSlice } from './dicomFile'
import { EXPLICIT_LITTLE_ENDIAN, IMPLICIT_LITTLE_ENDIAN } from './dicomStructure'
import { decodeJpegLossless, JpegLosslessError } from './jpegLossless'
import { nativeImaging, nativeImagingSettled, type NativeImaging } from '../nativeImaging'

/** JPEG lossless, process 14 (any predictor) and its selection value 1 (first-order prediction). */
const JPEG_LOSSLESS = new Set(['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'])

const INT16_MIN = -32768
const INT16_MAX = 32767

function toInt16(x: number): number {
  const r = Math.round(x)
  return r < INT16_MIN ? INT16_MIN : r > INT16_MAX ? INT16_MAX : r
}

export function isNativeInt16(s: DicomSlice): boolean {
  return (
    (s.transferSyntax === IMPLICIT_LITTLE_ENDIAN || s.transferSyntax === EXPLICIT_LITTLE_ENDIAN) &&
    !s.pixelData.encapsulated &&
    s.bitsAllocated === 16 &&
    s.samplesPerPixel === 1
  )
}

/** Native pixel data must hold every pixel the header claims; checked before allocating for them. */
function checkNativeLength(s: DicomSlice): void {
  const byteLength = s.rows * s.columns * 2
  if (s.pixelData.length < byteLength) {
    throw new VolumeReadError(
      s.file,
      `pixel data holds ${s.pixelData.length} bytes, ${s.columns}×${s.rows} 16-bit pixels need ${byteLength}`
    )
  }
}

/** Stored values of a native slice as numbers, honouring BitsStored and the sign convention. */
function storedValues(s: DicomSlice, count: number): Int16Array | Uint16Array {
  checkNativeLength(s)
  const byteLength = count * 2
  const start = s.bytes.byteOffset + s.pixelData.offset
  // A typed-array view needs 2-byte alignment; DICOM values start at even offsets, a pooled
  // Buffer may not, and then a copy is cheap compared with reading the file.
  // (Uint8Array.from, not slice: the bytes may be a Buffer, whose slice() is a view.)
  const raw =
    start % 2 === 0
      ? s.bytes.buffer
      : Uint8Array.from(s.bytes.subarray(s.pixelData.offset, s.pixelData.offset + byteLength)).buffer
  const offset = start % 2 === 0 ? start : 0
  // Little endian hosts only (x64, arm64), which is every platform Electron ships for.
  const signed = s.pixelRepresentation === 1
  const values = signed ? new Int16Array(raw, offset, count) : new Uint16Array(raw, offset, count)
  if (s.bitsStored >= 16) return values
  // Bits above BitsStored may hold overlays or garbage; mask them (unsigned) or sign-extend.
  const out = signed ? new Int16Array(count) : new Uint16Array(count)
  const shift = 32 - s.bitsStored
  const mask = (1 << s.bitsStored) - 1
  for (let i = 0; i < count; i++) out[i] = signed ? (values[i] << shift) >> shift : values[i] & mask
  return out
}

function decodeNative(s: DicomSlice, target: Int16Array, at: number): void {
  toHounsfield(s, storedValues(s, s.rows * s.columns), target, at)
}

/** Stored values to HU (RescaleSlope and RescaleIntercept), clamped to 16 bits, into `target` at `at`. */
function toHounsfield(s: DicomSlice, values: ArrayLike<number>, target: Int16Array, at: number): void {
  const count = s.rows * s.columns
  const slope = s.rescaleSlope
  const intercept = s.rescaleIntercept
  if (slope === 1 && Number.isInteger(intercept)) {
    for (let i = 0; i < count; i++) {
      const v = values[i] + intercept
      target[at + i] = v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v
    }
  } else {
    for (let i = 0; i < count; i++) target[at + i] = toInt16(values[i] * slope + intercept)
  }
}

async function readWithItk(files: string[]): Promise<ArrayLike<number>> {
  // loaded on first use: most series never need it, and it costs a tenth of a second at start-up
  const { readImageDicomFileSeriesNode } = await import('@itk-wasm/dicom')
  const result = await readImageDicomFileSeriesNode({ inputImages: files, singleSortedSeries: true })
  const image = result.outputImage
  if (!image?.data) throw new Error('the decoder returned no image')
  return image.data as ArrayLike<number>
}

/** Finds which file the decoder chokes on, so the error can name it rather than the series. */
async function failingFile(slices: DicomSlice[], error: unknown): Promise<VolumeReadError> {
  for (const s of slices) {
    try {
      await readWithItk([resolve(s.file)])
    } catch (e) {
      return asVolumeReadError(e, s.file, `cannot decode pixel data (transfer syntax ${s.transferSyntax})`)
    }
  }
  return asVolumeReadError(error, slices[0].file, 'cannot decode the pixel data of the series')
}

/** ITK rescales to HU itself (GDCM applies RescaleSlope/Intercept), in the order given. */
async function decodeWithItk(slices: DicomSlice[], indices: number[], target: Int16Array): Promise<void> {
  const subset = indices.map((k) => slices[k])
  const count = subset[0].rows * subset[0].columns
  let data: ArrayLike<number>
  try {
    data = await readWithItk(subset.map((s) => resolve(s.file)))
  } catch (error) {
    throw await failingFile(subset, error)
  }
  if (data.length !== count * subset.length) {
    throw new VolumeReadError(
      subset[0].file,
      `decoder returned ${data.length} values for ${subset.length} slices of ${count} pixels`
    )
  }
  indices.forEach((k, n) => {
    const at = k * count
    const from = n * count
    if (data instanceof Int16Array) target.set(data.subarray(from, from + count), at)
    else for (let i = 0; i < count; i++) target[at + i] = toInt16(data[from + i])
  })
}

export function isJpegLosslessGrey(s: DicomSlice): boolean {
  return (
    JPEG_LOSSLESS.has(s.transferSyntax) && s.pixelData.encapsulated && s.samplesPerPixel === 1 && s.bitsAllocated === 16
  )
}

/** The fragments of a single-frame encapsulated pixel data element, joined (the offset table item skipped). */
function encapsulatedFrame(s: DicomSlice): Uint8Array {
  const view = new DataView(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength)
  const end = s.pixelData.offset + s.pixelData.length
  const fragments: Uint8Array[] = []
  let pos = s.pixelData.offset
  let item = 0
  while (pos + 8 <= end) {
    const group = view.getUint16(pos, true)
    const element = view.getUint16(pos + 2, true)
    const length = view.getUint32(pos + 4, true)
    if (group !== 0xfffe || element === 0xe0dd) break
    if (element !== 0xe000 || pos + 8 + length > s.bytes.length)
      throw new JpegLosslessError('malformed encapsulated pixel data')
    if (item++ > 0) fragments.push(s.bytes.subarray(pos + 8, pos + 8 + length))
    pos += 8 + length
  }
  if (fragments.length === 1) return fragments[0]
  const joined = new Uint8Array(fragments.reduce((n, f) => n + f.length, 0))
  let at = 0
  for (const f of fragments) {
    joined.set(f, at)
    at += f.length
  }
  return joined
}

/**
 * A JPEG lossless slice decoded here (no file reread, no wasm start-up); false when the stream uses
 * something this decoder refuses, for the general decoder to take.
 */
function decodeJpegLosslessSlice(s: DicomSlice, target: Int16Array, at: number): boolean {
  let image
  try {
    image = decodeJpegLossless(encapsulatedFrame(s), { width: s.columns, height: s.rows })
  } catch (e) {
    if (e instanceof JpegLosslessError) return false
    throw e
  }
  let values: Uint16Array | Int16Array = image.samples
  const bits = Math.min(s.bitsStored, 16)
  if (s.pixelRepresentation === 1) {
    const signed = new Int16Array(values.length)
    const shift = 32 - bits
    for (let i = 0; i < values.length; i++) signed[i] = (values[i] << shift) >> shift
    values = signed
  } else if (bits < 16) {
    const mask = (1 << bits) - 1
    for (let i = 0; i < values.length; i++) values[i] &= mask
  }
  toHounsfield(s, values, target, at)
  return true
}

/**
 * The JPEG lossless grey slices decoded to HU by the native kernels in one call (the others, and any
 * the native decoder refuses, are 0 in the status it returns, for the TypeScript to take): the same
 * values as decodeJpegLosslessSlice, spread over the cores.
 */
function decodeJpegLosslessNative(native: NativeImaging, slices: DicomSlice[], target: Int16Array): Uint8Array | undefined {
  const frames: (Uint8Array | undefined)[] = slices.map((s) => {
    if (!isJpegLosslessGrey(s)) return undefined
    try {
      return encapsulatedFrame(s)
    } catch (e) {
      if (e instanceof JpegLosslessError) return undefined
      throw e
    }
  })
  if (!frames.some((f) => f !== undefined)) return undefined
  const joined = new Uint8Array(frames.reduce((n, f) => n + (f?.length ?? 0), 0))
  const params = new Float64Array(8 * slices.length)
  let at = 0
  slices.forEach((s, k) => {
    const f = frames[k]
    if (f) joined.set(f, at)
    params.set([at, f?.length ?? 0, s.columns, s.rows, s.bitsStored, s.pixelRepresentation, s.rescaleSlope, s.rescaleIntercept], 8 * k)
    at += f?.length ?? 0
  })
  const status = new Uint8Array(slices.length)
  try {
    native.decodeJpegLosslessSlices(joined, params, target, status)
  } catch {
    return undefined // a series the kernel refuses whole (slices of different sizes): the TypeScript decodes it
  }
  return status
}

/** Decodes the ordered slices of one validated series (same size) into HU. */
export async function decodeSeries(slices: DicomSlice[]): Promise<Int16Array> {
  const count = slices[0].rows * slices[0].columns
  for (const s of slices) if (isNativeInt16(s)) checkNativeLength(s)
  const target = new Int16Array(count * slices.length)
  // where an engine is starting (the CLI, the compute process), its native kernels decode the JPEG
  // lossless slices over the cores (an engine still starting is waited for: it is most often up by the
  // time the files are read)
  await nativeImagingSettled()
  const native = nativeImaging()
  const decoded = native ? decodeJpegLosslessNative(native, slices, target) : undefined
  const viaItk: number[] = []
  slices.forEach((s, k) => {
    if (decoded?.[k] === 1) return
    if (isNativeInt16(s)) decodeNative(s, target, k * count)
    else if (!(isJpegLosslessGrey(s) && decodeJpegLosslessSlice(s, target, k * count))) viaItk.push(k)
  })
  if (viaItk.length > 0) await decodeWithItk(slices, viaItk, target)
  return target
}
