/**
 * What every result object Pulmo sends to a PACS shares: the source series it belongs to (patient,
 * study, frame of reference, the slices' instances), UIDs derived from what the object says (the
 * same result gives the same UID, so sending it twice replaces rather than duplicates), the
 * equipment module naming Pulmo, and Part 10 writing.
 */
import { createHash } from 'node:crypto'
import dcmjs, { type DicomDict, type NaturalDataset } from 'dcmjs'
import { PULMO_IMPLEMENTATION_UID, PULMO_IMPLEMENTATION_VERSION } from '../volume/dicomWriter'
import type { SourceInstance } from '../volume/volume'

dcmjs.log.setLevel('error')

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'
export const MANUFACTURER = 'Pulmo'
export const SOFTWARE_VERSION = '0.1.0'

/** The CT series a result was computed from, as stored at import. */
export interface SourceSeries {
  patient: { name: string; id: string; birthDate?: string; sex?: string }
  study: { studyInstanceUid: string; date?: string; description?: string; accessionNumber?: string }
  seriesInstanceUid: string
  frameOfReferenceUid: string | null
  /** One per slice, in Pulmo's slice order (k). */
  instances: SourceInstance[]
  /** [columns, rows, slices] */
  dimensions: [number, number, number]
  /** [x (between columns), y (between rows), z] mm */
  spacing: [number, number, number]
  /** Row-major 3×3 whose columns are the row direction, the column direction and the normal. */
  direction: number[]
}

export function derivedUid(...parts: Array<string | number>): string {
  const digest = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32)
  return '2.25.' + BigInt('0x' + digest).toString()
}

/** DS values hold at most 16 characters. */
export function decimal(x: number): string {
  for (let digits = 12; digits > 1; digits--) {
    const s = String(Number(x.toPrecision(digits)))
    if (s.length <= 16) return s
  }
  return String(Math.round(x))
}

/** ISO "YYYY-MM-DD" to DA; anything else is left out. */
export function da(date: string | undefined): string {
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date.replace(/-/g, '') : ''
}

/** An ISO timestamp as DICOM DA and TM (UTC). */
export function dateTime(iso: string): { date: string; time: string } {
  const d = new Date(iso)
  const t = Number.isNaN(d.getTime()) ? new Date(0) : d
  const p = (n: number, w = 2): string => String(n).padStart(w, '0')
  return {
    date: `${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}`,
    time: `${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}`
  }
}

export function code(value: string, scheme: string, meaning: string): NaturalDataset {
  return { CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning }
}

/** Patient, General Study and Patient Study modules, from the source series: the result lands in its study. */
export function patientAndStudy(source: SourceSeries): NaturalDataset {
  return {
    PatientName: source.patient.name ? [{ Alphabetic: source.patient.name }] : '',
    PatientID: source.patient.id,
    PatientBirthDate: da(source.patient.birthDate),
    PatientSex: source.patient.sex && ['M', 'F', 'O'].includes(source.patient.sex) ? source.patient.sex : '',
    StudyInstanceUID: source.study.studyInstanceUid,
    StudyDate: da(source.study.date),
    StudyTime: '',
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: source.study.accessionNumber ?? '',
    StudyDescription: source.study.description ?? ''
  }
}

/** General and Enhanced General Equipment: Pulmo made this. */
export function equipment(modelName: string): NaturalDataset {
  return {
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: modelName.slice(0, 64),
    DeviceSerialNumber: '1',
    SoftwareVersions: SOFTWARE_VERSION
  }
}

/** A Part 10 object of `sopClassUid` from a natural data set. */
export function partTen(ds: NaturalDataset): DicomDict {
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: PULMO_IMPLEMENTATION_UID,
    ImplementationVersionName: PULMO_IMPLEMENTATION_VERSION
  })
  const dict = new dcmjs.data.DicomDict(meta)
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({ SpecificCharacterSet: 'ISO_IR 192', ...ds })
  return dict
}

export function toBytes(dict: DicomDict): Uint8Array {
  return new Uint8Array(dict.write())
}

/** Reads Part 10 bytes into meta and natural data set. */
export function readPartTen(bytes: Uint8Array): { meta: NaturalDataset; ds: NaturalDataset } {
  const exact = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const message = dcmjs.data.DicomMessage.readFile(exact)
  return {
    meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.meta),
    ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
  }
}
