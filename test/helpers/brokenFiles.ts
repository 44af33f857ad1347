/**
 * A corpus of broken inputs, each written from the real files in ../shared/data into a folder the
 * test owns: damaged DICOM, NIfTI, PNG and JPEG, inconsistent series, absurd sizes, a gzip bomb,
 * non-CT objects and paths with unicode and spaces. Every generator returns the path to import.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32, gzipSync } from 'node:zlib'
import dcmjs, { type DicomDict } from 'dcmjs'
import { readDicomSeries } from '../../src/main/volume/dicom'
import { encodeNifti } from '../../src/main/volume/nifti'
import type { Volume } from '../../src/main/volume/volume'
import { lungmaskSlices, p002, semisegTrain } from './paths'

/** Uncompressed 512 × 512 slices (explicit little endian) and JPEG-lossless P002 slices. */
export const lungmask0 = join(lungmaskSlices, '0.dcm')
export const lungmask1 = join(lungmaskSlices, '1.dcm')
export const p002Slice = (n: number): string => join(p002, `IM${String(n).padStart(4, '0')}.dcm`)
export const semisegJpeg = join(semisegTrain, 'images/0.jpg')
export const semisegPng = join(semisegTrain, 'masks/0.png')

export function folder(root: string, ...names: string[]): string {
  const path = join(root, ...names)
  mkdirSync(path, { recursive: true })
  return path
}

function write(path: string, bytes: Uint8Array | string): string {
  writeFileSync(path, bytes)
  return path
}

/** A real DICOM file re-written by dcmjs after `edit` changed its data set. */
export function rewriteDicom(source: string, target: string, edit: (d: DicomDict) => void): string {
  const bytes = readFileSync(source)
  const d = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  edit(d)
  return write(target, Buffer.from(d.write()))
}

/** Byte offset of an explicit-VR element's header (tag bytes, little endian) after the preamble. */
export function elementOffset(bytes: Uint8Array, group: number, element: number): number {
  const tag = Buffer.from([group & 0xff, group >> 8, element & 0xff, element >> 8])
  const at = Buffer.from(bytes).indexOf(tag, 132)
  if (at < 0) throw new Error(`element (${group.toString(16)},${element.toString(16)}) not found`)
  return at
}

// ---- DICOM -------------------------------------------------------------------------------------

/** The uncompressed slice cut 10 000 bytes before its end, inside the pixel data. */
export function truncatedDicom(dir: string): string {
  const whole = readFileSync(lungmask0)
  return write(join(dir, 'cut-in-pixels.dcm'), whole.subarray(0, whole.length - 10_000))
}

/** A JPEG-lossless P002 slice cut at 60 %, inside its encapsulated frame. */
export function truncatedCompressedDicom(dir: string): string {
  const whole = readFileSync(p002Slice(1))
  return write(join(dir, 'cut-jpeg-lossless.dcm'), whole.subarray(0, Math.floor(whole.length * 0.6)))
}

/** The uncompressed slice with bit 30 of its PixelData length flipped: the element claims 1 GiB more. */
export function bitFlippedLengthDicom(dir: string): string {
  const bytes = Buffer.from(readFileSync(lungmask0))
  // (7FE0,0010) OW: tag 4, VR 2, reserved 2, then the 32-bit length, most significant byte last.
  const lengthAt = elementOffset(bytes, 0x7fe0, 0x0010) + 8
  bytes[lengthAt + 3] ^= 0x40
  return write(join(dir, 'flipped-length.dcm'), bytes)
}

/** The uncompressed slice with one bit of its "DICM" marker flipped ("DICM" → "DKCM"). */
export function bitFlippedMagicDicom(dir: string): string {
  const bytes = Buffer.from(readFileSync(lungmask0))
  bytes[129] ^= 0x02
  return write(join(dir, 'flipped-magic.dcm'), bytes)
}

/** An image header (Rows, Columns…) without its PixelData element. */
export function dicomWithoutPixels(dir: string): string {
  return rewriteDicom(lungmask0, join(dir, 'no-pixels.dcm'), (d) => {
    delete d.dict['7FE00010']
  })
}

/** A folder of the two lungmask slices, the second rewritten as 256 × 256. Returns [folder, small]. */
export function mismatchedSizes(dir: string): [string, string] {
  const series = folder(dir, 'mismatched-sizes')
  copyFileSync(lungmask0, join(series, '0.dcm'))
  const small = rewriteDicom(lungmask1, join(series, '1.dcm'), (d) => {
    d.dict['00280010'].Value = [256]
    d.dict['00280011'].Value = [256]
    d.dict['7FE00010'].Value = [new ArrayBuffer(256 * 256 * 2)]
  })
  return [series, small]
}

/** A folder holding lungmask slice 0 twice (same SOPInstanceUID) beside slice 1. */
export function duplicatedSlices(dir: string): string {
  const series = folder(dir, 'duplicated')
  copyFileSync(lungmask0, join(series, '0.dcm'))
  copyFileSync(lungmask0, join(series, '0 copy.dcm'))
  copyFileSync(lungmask1, join(series, '1.dcm'))
  return series
}

/** P002 slices 1–6 without slice 4: a 4 mm gap where the slices are 2 mm apart. */
export function missingSlice(dir: string): string {
  const series = folder(dir, 'missing-slice')
  for (const n of [1, 2, 3, 5, 6]) copyFileSync(p002Slice(n), join(series, `IM000${n}.dcm`))
  return series
}

/** The uncompressed slice whose Rows and Columns claim 1 000 000 each (written as UL). */
export function absurdDicom(dir: string): string {
  return rewriteDicom(lungmask0, join(dir, 'huge-rows-columns.dcm'), (d) => {
    d.dict['00280010'] = { vr: 'UL', Value: [1_000_000] }
    d.dict['00280011'] = { vr: 'UL', Value: [1_000_000] }
  })
}

/** The uncompressed slice relabelled with another modality (MR, SEG…). */
export function otherModality(dir: string, modality: string): string {
  return rewriteDicom(lungmask0, join(dir, `${modality.toLowerCase()}.dcm`), (d) => {
    d.dict['00080060'] = { vr: 'CS', Value: [modality] }
  })
}

/** A structured report: a DICOM object with no image at all (no Rows, Columns or pixels). */
export function structuredReport(dir: string): string {
  return rewriteDicom(lungmask0, join(dir, 'report-sr.dcm'), (d) => {
    for (const tag of Object.keys(d.dict)) if (tag >= '00280000') delete d.dict[tag]
    const basicTextSr = '1.2.840.10008.5.1.4.1.1.88.11'
    d.dict['00080060'] = { vr: 'CS', Value: ['SR'] }
    d.dict['00080016'] = { vr: 'UI', Value: [basicTextSr] }
    d.meta['00020002'] = { vr: 'UI', Value: [basicTextSr] }
    d.dict['0020000E'] = { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.1'] }
  })
}

/** One folder holding two series (the lungmask pair, P002 slices 1–3) and a structured report. */
export function mixedSeriesFolder(dir: string): string {
  const mixed = folder(dir, 'mixed-series')
  copyFileSync(lungmask0, join(mixed, 'a.dcm'))
  copyFileSync(lungmask1, join(mixed, 'b.dcm'))
  for (const n of [1, 2, 3]) copyFileSync(p002Slice(n), join(mixed, `c${n}.dcm`))
  structuredReport(mixed)
  return mixed
}

export const UNICODE_FOLDER = ['Patiënt Ünïcødé 李雷 (copy)', 'série 1 — axial']

/** The lungmask pair inside folders whose names hold accents, CJK, spaces and punctuation. */
export function unicodePathSeries(dir: string): string {
  const series = folder(dir, ...UNICODE_FOLDER)
  copyFileSync(lungmask0, join(series, 'tranche 0 é.dcm'))
  copyFileSync(lungmask1, join(series, 'tranche 1 é.dcm'))
  return series
}

// ---- NIfTI -------------------------------------------------------------------------------------

/** A small real CT volume: the centre 64 × 64 of the two lungmask slices (HU, int16). */
export async function smallCtVolume(): Promise<Volume> {
  const [full] = await readDicomSeries(lungmaskSlices)
  const [w, h] = full.dimensions
  const side = 64
  const data = new Int16Array(side * side * 2)
  for (let k = 0; k < 2; k++) {
    for (let j = 0; j < side; j++) {
      for (let i = 0; i < side; i++)
        data[k * side * side + j * side + i] = full.data[k * w * h + (j + 224) * w + (i + 224)]
    }
  }
  return { ...full, data, dimensions: [side, side, 2], metadata: undefined }
}

/** .nii bytes of a volume, by the project's own writer. */
export function niftiBytes(volume: Volume): Buffer {
  return Buffer.concat(encodeNifti(volume))
}

/** A NIfTI whose sizeof_hdr says 1234 instead of 348. */
export function niftiWrongHeaderLength(dir: string, volume: Volume): string {
  const bytes = niftiBytes(volume)
  bytes.writeInt32LE(1234, 0)
  return write(join(dir, 'wrong-header-length.nii'), bytes)
}

/** A .nii.gz with one byte of its deflate stream changed: the CRC (or the stream) fails. */
export function niftiGzipCorrupt(dir: string, volume: Volume): string {
  const gz = gzipSync(niftiBytes(volume))
  gz[Math.floor(gz.length / 2)] ^= 0xff
  return write(join(dir, 'corrupt.nii.gz'), gz)
}

/** A .nii.gz cut at two thirds. */
export function niftiGzipTruncated(dir: string, volume: Volume): string {
  const gz = gzipSync(niftiBytes(volume))
  return write(join(dir, 'truncated.nii.gz'), gz.subarray(0, Math.floor((gz.length * 2) / 3)))
}

/** A .nii whose header claims 32 767 × 32 767 × 32 767 voxels (the int16 maximum) over 16 KB of data. */
export function niftiAbsurdDimensions(dir: string, volume: Volume): string {
  const bytes = niftiBytes(volume)
  for (const i of [1, 2, 3]) bytes.writeInt16LE(32767, 40 + 2 * i)
  return write(join(dir, 'huge-dims.nii'), bytes)
}

/**
 * A decompression bomb: a valid small NIfTI (64 × 64 × 2 int16, 16 KB of voxels) followed, in
 * further gzip members, by 4 GiB of zeros that compress to a few megabytes.
 */
export function niftiZipBomb(dir: string, volume: Volume): { path: string; inflatedBytes: number } {
  const zeros = gzipSync(Buffer.alloc(64 * 2 ** 20), { level: 9 })
  const members = 64
  const parts = [gzipSync(niftiBytes(volume)), ...Array.from({ length: members }, () => zeros)]
  const path = write(join(dir, 'bomb.nii.gz'), Buffer.concat(parts))
  return { path, inflatedBytes: members * 64 * 2 ** 20 }
}

/** A NRRD header claiming 10⁶ × 10⁶ × 10⁶ shorts over a hundred bytes. */
export function nrrdAbsurdDimensions(dir: string): string {
  const header =
    'NRRD0004\ntype: short\ndimension: 3\nsizes: 1000000 1000000 1000000\nencoding: raw\nendian: little\n\n'
  return write(join(dir, 'huge.nrrd'), header + '\0'.repeat(100))
}

// ---- PNG / JPEG --------------------------------------------------------------------------------

/** Deterministic pseudo-random bytes (not a valid anything). */
export function garbageBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

export function pngGarbage(dir: string): string {
  return write(join(dir, 'garbage.png'), garbageBytes(4096, 7))
}

export function jpegGarbage(dir: string): string {
  return write(join(dir, 'garbage.jpg'), garbageBytes(4096, 11))
}

/** A real PNG mask cut in half. */
export function pngTruncated(dir: string): string {
  const png = readFileSync(semisegPng)
  return write(join(dir, 'truncated.png'), png.subarray(0, png.length >> 1))
}

/** A real PNG mask with one bit flipped in its image data (IDAT). */
export function pngBitFlipped(dir: string): string {
  const png = Buffer.from(readFileSync(semisegPng))
  const idat = png.indexOf('IDAT')
  png[idat + 20] ^= 0x10
  return write(join(dir, 'flipped.png'), png)
}

/** A real PNG whose IHDR claims 10⁶ × 10⁶ pixels, its CRC recomputed so only the size is wrong. */
export function pngAbsurdDimensions(dir: string): string {
  const png = Buffer.from(readFileSync(semisegPng))
  png.writeUInt32BE(1_000_000, 16)
  png.writeUInt32BE(1_000_000, 20)
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29)
  return write(join(dir, 'huge.png'), png)
}

/** A real JPEG slice cut in half (a decoder would silently fill the rest with grey). */
export function jpegTruncated(dir: string): string {
  const jpg = readFileSync(semisegJpeg)
  return write(join(dir, 'truncated.jpg'), jpg.subarray(0, jpg.length >> 1))
}

/** A real JPEG whose frame header claims 65 000 × 65 000 pixels. */
export function jpegAbsurdDimensions(dir: string): string {
  const jpg = Buffer.from(readFileSync(semisegJpeg))
  for (let i = 2; i + 9 < jpg.length; i++) {
    if (jpg[i] === 0xff && jpg[i + 1] >= 0xc0 && jpg[i + 1] <= 0xc2) {
      jpg.writeUInt16BE(65_000, i + 5)
      jpg.writeUInt16BE(65_000, i + 7)
      return write(join(dir, 'huge.jpg'), jpg)
    }
  }
  throw new Error('no frame header in the JPEG')
}
