/**
 * The NIfTI-1 header (348 bytes) and its extensions, encoded and decoded field by field.
 * Offsets follow nifti1.h; both byte orders are read (sizeof_hdr tells which), little endian is
 * written.
 */
import { constants as bufferConstants } from 'node:buffer'
import { VolumeReadError } from './errors'

export const NIFTI1_HEADER_SIZE = 348
/** Header plus the 4-byte extension flag: where the first extension (or the voxels) start. */
export const NIFTI1_EXTENSIONS_START = 352
export const NIFTI_ECODE_COMMENT = 6

/** NIfTI datatype codes (nifti1.h DT_*). */
export const NiftiType = {
  Uint8: 2,
  Int16: 4,
  Int32: 8,
  Float32: 16,
  Float64: 64,
  Int8: 256,
  Uint16: 512,
  Uint32: 768
} as const

/** Bytes per voxel of the scalar datatypes Pulmo reads. */
export const DATATYPE_BYTES: ReadonlyMap<number, number> = new Map([
  [NiftiType.Uint8, 1],
  [NiftiType.Int16, 2],
  [NiftiType.Int32, 4],
  [NiftiType.Float32, 4],
  [NiftiType.Float64, 8],
  [NiftiType.Int8, 1],
  [NiftiType.Uint16, 2],
  [NiftiType.Uint32, 4]
])

export interface NiftiExtension {
  code: number
  data: Uint8Array
}

export interface NiftiHeader {
  littleEndian: boolean
  /** dim[0] is the number of dimensions, dim[1..7] their sizes. */
  dim: number[]
  datatype: number
  bitpix: number
  /** pixdim[0] is qfac, pixdim[1..3] the voxel size. */
  pixdim: number[]
  voxOffset: number
  sclSlope: number
  sclInter: number
  xyztUnits: number
  descrip: string
  qformCode: number
  sformCode: number
  quatern: [number, number, number]
  qoffset: [number, number, number]
  /** srow_x, srow_y, srow_z: 3 rows of 4. */
  srow: number[][]
  extensions: NiftiExtension[]
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1')
  const nul = s.indexOf('\0')
  return nul >= 0 ? s.slice(0, nul) : s
}

function readExtensions(bytes: Uint8Array, view: DataView, le: boolean, voxOffset: number): NiftiExtension[] {
  const out: NiftiExtension[] = []
  // The flag byte says whether extensions follow; .nii files put them before vox_offset.
  if (bytes.length < NIFTI1_EXTENSIONS_START || bytes[NIFTI1_HEADER_SIZE] === 0) return out
  let pos = NIFTI1_EXTENSIONS_START
  while (pos + 8 <= voxOffset && pos + 8 <= bytes.length) {
    const size = view.getInt32(pos, le)
    const code = view.getInt32(pos + 4, le)
    if (size < 8 || pos + size > voxOffset || pos + size > bytes.length) break
    out.push({ code, data: bytes.subarray(pos + 8, pos + size) })
    pos += size
  }
  return out
}

export function parseNiftiHeader(bytes: Uint8Array, file: string): NiftiHeader {
  if (bytes.length < NIFTI1_HEADER_SIZE)
    throw new VolumeReadError(file, `not a NIfTI file or truncated (${bytes.length} bytes, the header alone is 348)`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let le = true
  if (view.getInt32(0, true) !== NIFTI1_HEADER_SIZE) {
    if (view.getInt32(0, false) === NIFTI1_HEADER_SIZE) le = false
    else if (view.getInt32(0, true) === 540 || view.getInt32(0, false) === 540)
      throw new VolumeReadError(file, 'NIfTI-2 files are not supported')
    else throw new VolumeReadError(file, `not a NIfTI-1 file (sizeof_hdr is ${view.getInt32(0, true)}, not 348)`)
  }
  const magic = latin1(bytes, 344, 4)
  if (magic !== 'n+1') {
    const why =
      magic === 'ni1' ? 'a .hdr/.img pair, which is not supported; convert it to .nii' : 'the magic is not "n+1"'
    throw new VolumeReadError(file, `not a single-file NIfTI-1 image (${why})`)
  }
  const i16 = (o: number): number => view.getInt16(o, le)
  const f32 = (o: number): number => view.getFloat32(o, le)
  const claimedOffset = f32(108)
  if (!Number.isFinite(claimedOffset) || claimedOffset > bufferConstants.MAX_LENGTH) {
    throw new VolumeReadError(file, `invalid NIfTI header (vox_offset = ${claimedOffset})`)
  }
  const voxOffset = Math.max(NIFTI1_EXTENSIONS_START, Math.round(claimedOffset))
  return {
    littleEndian: le,
    dim: Array.from({ length: 8 }, (_, i) => i16(40 + 2 * i)),
    datatype: i16(70),
    bitpix: i16(72),
    pixdim: Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i)),
    voxOffset,
    sclSlope: f32(112),
    sclInter: f32(116),
    xyztUnits: bytes[123],
    descrip: latin1(bytes, 148, 80),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c))),
    extensions: readExtensions(bytes, view, le, voxOffset)
  }
}

/** Header, extension flag and extensions, padded so the voxels start at a multiple of 16. */
export function encodeNiftiHeader(h: Omit<NiftiHeader, 'littleEndian' | 'voxOffset' | 'bitpix'>): Uint8Array {
  const extSizes = h.extensions.map((e) => Math.ceil((e.data.length + 8) / 16) * 16)
  const voxOffset = NIFTI1_EXTENSIONS_START + extSizes.reduce((a, b) => a + b, 0)
  const out = new Uint8Array(voxOffset)
  const view = new DataView(out.buffer)
  view.setInt32(0, NIFTI1_HEADER_SIZE, true)
  out[39] = 0 // dim_info: unknown
  h.dim.forEach((d, i) => view.setInt16(40 + 2 * i, d, true))
  view.setInt16(70, h.datatype, true)
  view.setInt16(72, (DATATYPE_BYTES.get(h.datatype) ?? 0) * 8, true)
  h.pixdim.forEach((p, i) => view.setFloat32(76 + 4 * i, p, true))
  view.setFloat32(108, voxOffset, true)
  view.setFloat32(112, h.sclSlope, true)
  view.setFloat32(116, h.sclInter, true)
  out[123] = h.xyztUnits
  Buffer.from(out.buffer).write(h.descrip.slice(0, 79), 148, 'latin1')
  view.setInt16(252, h.qformCode, true)
  view.setInt16(254, h.sformCode, true)
  h.quatern.forEach((q, i) => view.setFloat32(256 + 4 * i, q, true))
  h.qoffset.forEach((q, i) => view.setFloat32(268 + 4 * i, q, true))
  h.srow.forEach((row, r) => row.forEach((x, c) => view.setFloat32(280 + 16 * r + 4 * c, x, true)))
  Buffer.from(out.buffer).write('n+1\0', 344, 'latin1')
  out[NIFTI1_HEADER_SIZE] = h.extensions.length > 0 ? 1 : 0
  let pos = NIFTI1_EXTENSIONS_START
  h.extensions.forEach((e, i) => {
    view.setInt32(pos, extSizes[i], true)
    view.setInt32(pos + 4, e.code, true)
    out.set(e.data, pos + 8)
    pos += extSizes[i]
  })
  return out
}
