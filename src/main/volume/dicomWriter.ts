/**
 * A CT volume as a DICOM series (CT Image Storage, one file per slice, explicit VR little endian,
 * signed 16-bit HU with slope 1 and intercept 0), built with dcmjs. The data sets are returned
 * before writing so a caller can de-identify them first; instance UIDs are derived from the series
 * UID, so exporting the same series twice gives the same files.
 */
import { createHash } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import dcmjs, { type DicomDict, type NaturalDataset } from 'dcmjs'
import type { SeriesMetadata, Volume } from './volume'

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
/** Identifies files Pulmo wrote (ImplementationClassUID), under the UUID-derived root. */
export const PULMO_IMPLEMENTATION_UID = '2.25.207367128146207404498419326346315095577'
export const PULMO_IMPLEMENTATION_VERSION = 'PULMO_0_1'

function derivedUid(...parts: Array<string | number>): string {
  const digest = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32)
  return '2.25.' + BigInt('0x' + digest).toString()
}

/** DS values hold at most 16 characters. */
function decimal(x: number): string {
  for (let digits = 12; digits > 1; digits--) {
    const s = String(Number(x.toPrecision(digits)))
    if (s.length <= 16) return s
  }
  return String(Math.round(x))
}

/** ISO "YYYY-MM-DD" (as Pulmo stores dates) to DA "YYYYMMDD"; anything else is left out. */
function da(date: string | undefined): string {
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date.replace(/-/g, '') : ''
}

function int16(data: Volume['data'], from: number, count: number): Int16Array {
  const out = new Int16Array(count)
  for (let i = 0; i < count; i++) {
    const v = Math.round(data[from + i])
    out[i] = v < -32768 ? -32768 : v > 32767 ? 32767 : v
  }
  return out
}

/** One Part 10 object per axial slice, in slice order, identified by `metadata`. */
export function buildCtSeries(volume: Volume, metadata: SeriesMetadata): DicomDict[] {
  if (volume.unit !== 'HU') throw new Error('only CT volumes in Hounsfield units can be written as DICOM CT images')
  const [nx, ny, nz] = volume.dimensions
  const [sx, sy, sz] = volume.spacing
  const d = volume.direction
  const row = [d[0], d[3], d[6]]
  const column = [d[1], d[4], d[7]]
  const normal = [d[2], d[5], d[8]]
  const frameOfReference = derivedUid(metadata.seriesInstanceUid, 'frame-of-reference')
  const studyDate = da(metadata.studyDate)
  const seriesDate = da(metadata.seriesDate) || studyDate
  const out: DicomDict[] = []
  for (let k = 0; k < nz; k++) {
    const sopInstanceUid = derivedUid(metadata.seriesInstanceUid, 'instance', k)
    const position = [0, 1, 2].map((a) => volume.origin[a] + normal[a] * sz * k)
    const pixels = int16(volume.data, k * nx * ny, nx * ny)
    const [min, max] = pixels.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [32767, -32768])
    const ds: NaturalDataset = {
      _vrMap: { PixelData: 'OW', SmallestImagePixelValue: 'SS', LargestImagePixelValue: 'SS' },
      SpecificCharacterSet: 'ISO_IR 192',
      ImageType: ['DERIVED', 'SECONDARY', 'AXIAL'],
      SOPClassUID: CT_IMAGE_STORAGE,
      SOPInstanceUID: sopInstanceUid,
      StudyDate: studyDate,
      SeriesDate: seriesDate,
      ContentDate: seriesDate,
      StudyTime: '',
      AccessionNumber: metadata.accessionNumber ?? '',
      Modality: 'CT',
      Manufacturer: metadata.manufacturer ?? '',
      ReferringPhysicianName: '',
      StudyDescription: metadata.studyDescription ?? '',
      SeriesDescription: metadata.seriesDescription ?? '',
      PatientName: metadata.patientName ? [{ Alphabetic: metadata.patientName }] : '',
      PatientID: metadata.patientId,
      PatientBirthDate: da(metadata.patientBirthDate),
      PatientSex: metadata.patientSex ?? '',
      SliceThickness: decimal(sz),
      StudyInstanceUID: metadata.studyInstanceUid,
      SeriesInstanceUID: metadata.seriesInstanceUid,
      StudyID: '',
      SeriesNumber: metadata.seriesNumber === undefined ? '' : String(metadata.seriesNumber),
      InstanceNumber: String(k + 1),
      ImagePositionPatient: position.map(decimal),
      ImageOrientationPatient: [...row, ...column].map(decimal),
      FrameOfReferenceUID: frameOfReference,
      PositionReferenceIndicator: '',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: ny,
      Columns: nx,
      // DICOM orders spacing (between rows, between columns): y first.
      PixelSpacing: [decimal(sy), decimal(sx)],
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      SmallestImagePixelValue: min,
      LargestImagePixelValue: max,
      WindowCenter: ['-600', '40'],
      WindowWidth: ['1500', '400'],
      RescaleIntercept: '0',
      RescaleSlope: '1',
      RescaleType: 'HU',
      PixelData: [pixels.buffer]
    }
    const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: sopInstanceUid,
      TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
      ImplementationClassUID: PULMO_IMPLEMENTATION_UID,
      ImplementationVersionName: PULMO_IMPLEMENTATION_VERSION
    })
    const dict = new dcmjs.data.DicomDict(meta)
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds)
    out.push(dict)
  }
  return out
}

/**
 * Writes the objects as IM0001.dcm, IM0002.dcm, … into `folder`, which must not exist yet: the
 * files go to a temporary folder beside it that is renamed at the end, so an interrupted export
 * never leaves half a series.
 */
export async function writeDicomFolder(folder: string, objects: DicomDict[]): Promise<string[]> {
  const temporary = `${folder}.partial-${process.pid}-${Date.now()}`
  await mkdir(temporary, { recursive: true })
  try {
    const width = Math.max(4, String(objects.length).length)
    const names = objects.map((_, k) => `IM${String(k + 1).padStart(width, '0')}.dcm`)
    for (const [k, object] of objects.entries())
      await writeFile(join(temporary, names[k]), new Uint8Array(object.write()))
    await rename(temporary, folder)
    return names.map((n) => join(folder, n))
  } catch (e) {
    await rm(temporary, { recursive: true, force: true })
    throw e
  }
}
