/**
 * NIfTI-1 (.nii, .nii.gz) reading and writing, Pulmo's storage and export format.
 *
 * The header keeps the affine in float32, which cannot hold a DICOM origin such as −437.7 exactly,
 * so the writer also stores the exact LPS geometry (and modality/unit) as JSON in a comment
 * extension. The reader uses it only when it still agrees with the float32 affine, i.e. when no
 * other tool has rewritten the geometry since. Other tools ignore the extension and read the
 * standard sform/qform, both written with code 1 (scanner).
 */
import { constants as bufferConstants } from 'node:buffer'
import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { createGunzip, gunzip, gzip } from 'node:zlib'
import { asVolumeReadError, VolumeReadError } from './errors'
import { extensionOf } from './files'
import { checkClaimedSize, saneGeometry } from './limits'
import {
  DATATYPE_BYTES,
  encodeNiftiHeader,
  NIFTI1_EXTENSIONS_START,
  NIFTI_ECODE_COMMENT,
  parseNiftiHeader,
  type NiftiExtension,
  type NiftiHeader
} from './niftiHeader'
import {
  flipLpsRas,
  fromAffine,
  fromQuaternion,
  toAffine,
  toQuaternion,
  type Geometry,
  type Vec3
} from './niftiGeometry'
import { datatypeOf, decodeVoxels, voxelBytes } from './niftiVoxels'
import { guessModality, guessUnit } from './units'
import { voxelCount, type SeriesMetadata, type ValueUnit, type Volume } from './volume'

// zlib on the libuv thread pool, so the Electron main process stays responsive meanwhile.
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)
/**
 * Level 1: CT's int16 noise barely compresses further at the default level 6 (P002: 44.0 vs
 * 43.0 MB) while taking about a third longer (1.16 vs 1.5 s).
 */
const GZIP_LEVEL = 1
const NIFTI_UNITS_MM = 2
const PULMO_TAG = 'pulmo-volume'
const IDENTITY_TAG = 'pulmo-identity'
const UNITS: readonly ValueUnit[] = ['HU', 'grey', 'label', 'probability']
/** Bytes a .nii.gz may decompress to beyond what its header accounts for (padding some tools add). */
const GZIP_SLACK_BYTES = 2 ** 20

interface PulmoRecord extends Geometry {
  format: typeof PULMO_TAG
  modality: string
  unit: ValueUnit
}

/**
 * Who and what an exported volume shows, kept in its own comment extension so an export can be
 * traced (or, de-identified, carry only the pseudonym and shifted dates). Pulmo's stored volumes
 * never carry one.
 */
export interface NiftiIdentity extends SeriesMetadata {
  deidentified: boolean
  /** How it was de-identified, when it was. */
  method?: string
}

interface IdentityRecord extends NiftiIdentity {
  format: typeof IDENTITY_TAG
}

export interface WriteNiftiOptions {
  identity?: NiftiIdentity
}

export interface ReadNiftiOptions {
  /** Overrides the unit stored by Pulmo or guessed from the datatype. */
  unit?: ValueUnit
}

function pulmoRecord(extensions: NiftiExtension[]): PulmoRecord | undefined {
  for (const e of extensions) {
    if (e.code !== NIFTI_ECODE_COMMENT) continue
    try {
      const text = Buffer.from(e.data).toString('utf8').replace(/\0+$/, '')
      const r = JSON.parse(text) as Partial<PulmoRecord>
      const numeric = (v: unknown, n: number): boolean =>
        Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number')
      if (r.format === PULMO_TAG && numeric(r.spacing, 3) && numeric(r.origin, 3) && numeric(r.direction, 9)) {
        return r as PulmoRecord
      }
    } catch {
      // Someone else's comment: not ours to interpret.
    }
  }
  return undefined
}

/** The identity of an exported volume (its identity extension), as series metadata for a re-import. */
function identityMetadata(extensions: NiftiExtension[]): SeriesMetadata | undefined {
  for (const e of extensions) {
    if (e.code !== NIFTI_ECODE_COMMENT) continue
    let r: Partial<IdentityRecord>
    try {
      r = JSON.parse(Buffer.from(e.data).toString('utf8').replace(/\0+$/, '')) as Partial<IdentityRecord>
    } catch {
      continue
    }
    if (r?.format !== IDENTITY_TAG || typeof r.seriesInstanceUid !== 'string' || typeof r.studyInstanceUid !== 'string')
      continue
    const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)
    return {
      patientName: str(r.patientName) ?? '',
      patientId: str(r.patientId) ?? '',
      patientBirthDate: str(r.patientBirthDate),
      patientSex: str(r.patientSex),
      studyInstanceUid: r.studyInstanceUid,
      studyDate: str(r.studyDate),
      studyDescription: str(r.studyDescription),
      accessionNumber: str(r.accessionNumber),
      seriesInstanceUid: r.seriesInstanceUid,
      seriesNumber: typeof r.seriesNumber === 'number' ? r.seriesNumber : undefined,
      seriesDescription: str(r.seriesDescription),
      seriesDate: str(r.seriesDate),
      manufacturer: str(r.manufacturer)
    }
  }
  return undefined
}

/** Equal up to the float32 rounding of the header (with room for the qform's trigonometry). */
function agrees(a: Geometry, b: Geometry): boolean {
  const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x))
  return (
    [0, 1, 2].every((i) => close(a.spacing[i], b.spacing[i]) && close(a.origin[i], b.origin[i])) &&
    a.direction.every((x, i) => close(x, b.direction[i]))
  )
}

function usable(g: Geometry): boolean {
  return saneGeometry(g.spacing, g.origin, g.direction)
}

/**
 * The header's own geometry, LPS: sform, else qform, else voxel size alone. A form whose numbers
 * cannot place voxels (NaN, infinite, zero spacing: a damaged header) gives way to the next one.
 */
function headerGeometry(h: NiftiHeader): Geometry {
  const voxel = (i: number): number => {
    const x = Math.abs(h.pixdim[i])
    return Number.isFinite(x) && x > 0 ? x : 1
  }
  const spacing: Vec3 = [voxel(1), voxel(2), voxel(3)]
  const candidates: Geometry[] = []
  if (h.sformCode > 0) candidates.push(fromAffine(h.srow))
  if (h.qformCode > 0) {
    const qfac = h.pixdim[0] < 0 ? -1 : 1
    candidates.push({
      spacing,
      origin: [...h.qoffset],
      direction: fromQuaternion({ b: h.quatern[0], c: h.quatern[1], d: h.quatern[2], qfac })
    })
  }
  const ras = candidates.find(usable) ?? { spacing, origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }
  // Metres and micrometres to millimetres (the unit code sits in the low 3 bits).
  const scale = { 1: 1000, 3: 0.001 }[h.xyztUnits & 7] ?? 1
  const lps = flipLpsRas(ras)
  const scaled = {
    spacing: lps.spacing.map((x) => x * scale) as Vec3,
    origin: lps.origin.map((x) => x * scale) as Vec3,
    direction: lps.direction
  }
  return usable(scaled) ? scaled : lps
}

function dimensions(h: NiftiHeader, file: string): Vec3 {
  const n = h.dim[0]
  if (n < 1 || n > 7) throw new VolumeReadError(file, `invalid NIfTI header (dim[0] = ${n})`)
  const size = (i: number): number => (i <= n ? h.dim[i] : 1)
  for (let i = 1; i <= n; i++)
    if (h.dim[i] < 1) throw new VolumeReadError(file, `invalid NIfTI header (dim[${i}] = ${h.dim[i]})`)
  for (let i = 4; i <= n; i++) {
    if (h.dim[i] > 1)
      throw new VolumeReadError(
        file,
        `${n}-D NIfTI (dim[${i}] = ${h.dim[i]}) is not supported; Pulmo reads single 3-D volumes`
      )
  }
  const dims: Vec3 = [size(1), size(2), size(3)]
  checkClaimedSize(file, dims, 'volume size')
  return dims
}

const GZIP_ERROR = 'file is truncated or corrupt (gzip data does not decompress)'

/** The first `wanted` decompressed bytes (fewer if the data ends first), decompressing no further. */
function gunzipHead(compressed: Uint8Array, wanted: number, file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = createGunzip()
    const chunks: Buffer[] = []
    let got = 0
    let settled = false
    const settle = (error?: unknown): void => {
      if (settled) return
      settled = true
      stream.destroy()
      if (error && got < wanted) reject(asVolumeReadError(error, file, GZIP_ERROR))
      else resolve(Buffer.concat(chunks))
    }
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      got += chunk.length
      if (got >= wanted) settle()
    })
    stream.on('end', () => settle())
    stream.on('error', settle)
    stream.end(compressed)
  })
}

/**
 * Decompresses a .nii.gz no further than its header accounts for: a few kilobytes of gzip can
 * expand to gigabytes (a decompression bomb), so the header is read first, its claimed size
 * checked, and the whole decompressed only up to that size.
 */
async function gunzipNifti(compressed: Uint8Array, file: string): Promise<Uint8Array> {
  const head = await gunzipHead(compressed, NIFTI1_EXTENSIONS_START, file)
  const h = parseNiftiHeader(head, file)
  const count = dimensions(h, file).reduce((a, b) => a * b, 1)
  const expected = h.voxOffset + count * (DATATYPE_BYTES.get(h.datatype) ?? 8)
  const limit = Math.min(expected + GZIP_SLACK_BYTES, bufferConstants.MAX_LENGTH)
  try {
    return await gunzipAsync(compressed, { maxOutputLength: limit })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new VolumeReadError(
        file,
        `gzip data decompresses to more than the ${expected} bytes its NIfTI header describes (a damaged file or a decompression bomb)`
      )
    }
    throw asVolumeReadError(error, file, GZIP_ERROR)
  }
}

/** Reads a .nii or .nii.gz file (gzip is recognised by content, whatever the name says). */
export async function readNifti(path: string, options: ReadNiftiOptions = {}): Promise<Volume> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new VolumeReadError(path, 'cannot be read', { cause: error })
  }
  return decodeNifti(bytes, path, options)
}

/** A NIfTI file's bytes (gzipped or not) as a volume; `path` names it in errors. */
export async function decodeNifti(
  fileBytes: Uint8Array,
  path: string,
  options: ReadNiftiOptions = {}
): Promise<Volume> {
  const bytes = fileBytes[0] === 0x1f && fileBytes[1] === 0x8b ? await gunzipNifti(fileBytes, path) : fileBytes
  const h = parseNiftiHeader(bytes, path)
  const dims = dimensions(h, path)
  const data = decodeVoxels(h, bytes, dims[0] * dims[1] * dims[2], path)
  const record = pulmoRecord(h.extensions)
  let geometry = headerGeometry(h)
  if (record && agrees(record, geometry)) {
    geometry = { spacing: [...record.spacing], origin: [...record.origin], direction: [...record.direction] }
  }
  const unit = options.unit ?? (record && UNITS.includes(record.unit) ? record.unit : guessUnit(data))
  const metadata = identityMetadata(h.extensions)
  return {
    data,
    dimensions: dims,
    ...geometry,
    modality: record?.modality ?? guessModality(unit),
    unit,
    ...(metadata ? { metadata } : {})
  }
}

/** A volume as .nii bytes: the header with its extension, then the voxels (to concatenate). */
export function encodeNifti(volume: Volume, options: WriteNiftiOptions = {}): Uint8Array[] {
  const { dimensions: dims, data } = volume
  if (data.length !== voxelCount(volume))
    throw new Error(`volume has ${data.length} voxels, its dimensions ${dims.join('×')} need ${voxelCount(volume)}`)
  const geometry: Geometry = {
    spacing: [...volume.spacing],
    origin: [...volume.origin],
    direction: [...volume.direction]
  }
  const ras = flipLpsRas(geometry)
  const q = toQuaternion(ras.direction)
  const record: PulmoRecord = { format: PULMO_TAG, ...geometry, modality: volume.modality, unit: volume.unit }
  const header = encodeNiftiHeader({
    dim: [3, dims[0], dims[1], dims[2], 1, 1, 1, 1],
    datatype: datatypeOf(data),
    pixdim: [q.qfac, ...volume.spacing, 1, 1, 1, 1],
    sclSlope: 1,
    sclInter: 0,
    xyztUnits: NIFTI_UNITS_MM,
    descrip: `Pulmo ${volume.modality} ${volume.unit}`,
    qformCode: 1,
    sformCode: 1,
    quatern: [q.b, q.c, q.d],
    qoffset: [...ras.origin],
    srow: toAffine(ras),
    extensions: [record, ...(options.identity ? [identityRecord(options.identity)] : [])].map((r) => ({
      code: NIFTI_ECODE_COMMENT,
      data: new Uint8Array(Buffer.from(JSON.stringify(r), 'utf8'))
    }))
  })
  return [header, voxelBytes(data)]
}

/** The identity as written: only the known fields (never `sourceFiles`, whose paths may name the patient). */
function identityRecord(identity: NiftiIdentity): IdentityRecord {
  const { sourceFiles: _paths, ...fields } = identity
  return { format: IDENTITY_TAG, ...fields }
}

/** Writes .nii or .nii.gz (chosen by the name), little endian, voxels in the volume's own type. */
export async function writeNifti(path: string, volume: Volume, options: WriteNiftiOptions = {}): Promise<void> {
  const ext = extensionOf(path)
  if (ext !== '.nii' && ext !== '.nii.gz') throw new Error(`${path}: NIfTI files must be named .nii or .nii.gz`)
  const parts = encodeNifti(volume, options)
  const whole = Buffer.concat(parts)
  await writeFile(path, ext === '.nii.gz' ? await gzipAsync(whole, { level: GZIP_LEVEL }) : whole)
}
