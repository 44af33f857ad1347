/**
 * One DICOM file read into the fields the series assembly needs. The header is parsed by dcmjs;
 * the structural walk (dicomStructure) vouches that the file is complete and says where its pixels
 * are, so nothing here trusts a length the file merely claims.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs'
import { asVolumeReadError, VolumeReadError } from './errors'
import { inspectDicomLayout, type PixelDataLocation } from './dicomStructure'
import { valueText } from './dicomValue'

export type Vec3 = [number, number, number]

export interface DicomSlice {
  file: string
  /** The whole file; pixel offsets in `pixelData` address it. */
  bytes: Uint8Array
  transferSyntax: string
  pixelData: PixelDataLocation
  seriesInstanceUid: string
  modality: string
  rows: number
  columns: number
  bitsAllocated: number
  bitsStored: number
  /** 1 when stored values are two's complement signed. */
  pixelRepresentation: number
  samplesPerPixel: number
  numberOfFrames: number
  rescaleSlope: number
  rescaleIntercept: number
  position?: Vec3
  /** Row direction then column direction, 6 numbers (ImageOrientationPatient). */
  orientation?: number[]
  /** [between rows (y), between columns (x)] in mm, the DICOM order. */
  pixelSpacing?: [number, number]
  sliceThickness?: number
  spacingBetweenSlices?: number
  instanceNumber?: number
  dataset: NaturalDataset
}

const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10'
// Files that carry no modality but whose SOP class can only be CT (e.g. some anonymiser outputs).
const CT_SOP_CLASSES = new Set([
  '1.2.840.10008.5.1.4.1.1.2',
  '1.2.840.10008.5.1.4.1.1.2.1',
  '1.2.840.10008.5.1.4.1.1.2.2'
])

// dcmjs reports recoverable oddities through its logger; the import reports its own errors.
dcmjs.log.setLevel('error')

export function text(ds: NaturalDataset, key: string): string | undefined {
  const v = ds[key]
  return valueText(Array.isArray(v) ? v[0] : v) || undefined
}

export function numbers(ds: NaturalDataset, key: string): number[] | undefined {
  const v = ds[key]
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]
  const out = list.map((x) => (typeof x === 'number' ? x : typeof x === 'string' ? Number(x) : NaN))
  return out.length > 0 && out.every(Number.isFinite) ? out : undefined
}

export function number(ds: NaturalDataset, key: string): number | undefined {
  return numbers(ds, key)?.[0]
}

/**
 * Secondary Capture Image Storage and its multi-frame variants (1.2.840.10008.5.1.4.1.1.7[.n]): a
 * screenshot or a scanned film kept as DICOM, whatever its Modality tag says (a workstation's
 * capture of a CT screen is often tagged CT). Its pixels are not HU on a patient grid.
 */
const SECONDARY_CAPTURE = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.\d+)?$/

function modalityOf(ds: NaturalDataset): string {
  if (SECONDARY_CAPTURE.test(text(ds, 'SOPClassUID') ?? '')) return 'SC'
  const modality = text(ds, 'Modality')
  if (modality) return modality.toUpperCase()
  return CT_SOP_CLASSES.has(text(ds, 'SOPClassUID') ?? '') ? 'CT' : ''
}

function parseHeader(bytes: Uint8Array, file: string): { meta: NaturalDataset; ds: NaturalDataset } {
  // dcmjs wants an ArrayBuffer of exactly the file; a pooled Buffer may sit inside a larger one.
  const exact =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  try {
    const message = dcmjs.data.DicomMessage.readFile(exact, { noCopy: true })
    return {
      meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.meta),
      ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
    }
  } catch (error) {
    throw asVolumeReadError(error, file, 'cannot parse the DICOM header')
  }
}

/**
 * Reads one file. Returns undefined for DICOM objects that are not images (DICOMDIR, structured
 * reports, presentation states: no Rows/Columns and no pixels) so a folder scan can pass over them.
 */
export function parseDicomFile(file: string, bytes: Uint8Array): DicomSlice | undefined {
  const layout = inspectDicomLayout(bytes, file)
  const { meta, ds } = parseHeader(bytes, file)
  if (text(meta, 'MediaStorageSOPClassUID') === DICOMDIR_SOP_CLASS) return undefined
  const rows = number(ds, 'Rows')
  const columns = number(ds, 'Columns')
  if (rows === undefined && columns === undefined && !layout.pixelData) return undefined
  if (!layout.pixelData || layout.pixelData.length === 0)
    throw new VolumeReadError(file, 'missing pixel data (no PixelData element)')
  if (!rows || !columns) throw new VolumeReadError(file, 'missing image size (Rows/Columns)')

  const position = numbers(ds, 'ImagePositionPatient')
  const orientation = numbers(ds, 'ImageOrientationPatient')
  const spacing = numbers(ds, 'PixelSpacing') ?? numbers(ds, 'ImagerPixelSpacing')
  const bitsAllocated = number(ds, 'BitsAllocated') ?? 16
  return {
    file,
    bytes,
    transferSyntax: layout.transferSyntax,
    pixelData: layout.pixelData,
    seriesInstanceUid: text(ds, 'SeriesInstanceUID') ?? '',
    modality: modalityOf(ds),
    rows,
    columns,
    bitsAllocated,
    bitsStored: number(ds, 'BitsStored') ?? bitsAllocated,
    pixelRepresentation: number(ds, 'PixelRepresentation') ?? 0,
    samplesPerPixel: number(ds, 'SamplesPerPixel') ?? 1,
    numberOfFrames: number(ds, 'NumberOfFrames') ?? 1,
    rescaleSlope: number(ds, 'RescaleSlope') || 1,
    rescaleIntercept: number(ds, 'RescaleIntercept') ?? 0,
    position: position?.length === 3 ? [position[0], position[1], position[2]] : undefined,
    orientation: orientation?.length === 6 ? orientation : undefined,
    pixelSpacing: spacing && spacing.length >= 2 ? [spacing[0], spacing[1]] : undefined,
    sliceThickness: number(ds, 'SliceThickness'),
    spacingBetweenSlices: number(ds, 'SpacingBetweenSlices'),
    instanceNumber: number(ds, 'InstanceNumber'),
    dataset: ds
  }
}
