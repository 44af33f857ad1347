/**
 * The DICOM JSON model (PS3.18 F.2) as QIDO-RS and STOW-RS answer it: an array of objects keyed by
 * 8-hex-digit tags. Checked with zod, so a PACS answer that is not this shape is an error naming
 * what was wrong, and read through small accessors that never trust a value's type.
 */
import { z } from 'zod'
import { valueText } from '../volume/dicomValue'
import { PacsError } from './errors'

const Element = z.object({ vr: z.string(), Value: z.array(z.unknown()).optional() }).loose()
const Dataset = z.record(z.string().regex(/^[0-9A-Fa-f]{8}$/), Element)
export type DicomJsonDataset = z.infer<typeof Dataset>

export function parseDicomJsonArray(bytes: Uint8Array, what: string): DicomJsonDataset[] {
  if (bytes.length === 0) return []
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new PacsError('malformed', `The PACS answer to ${what} is not JSON.`)
  }
  const parsed = z.array(Dataset).safeParse(value)
  if (!parsed.success)
    throw new PacsError(
      'malformed',
      `The PACS answer to ${what} is not a DICOM JSON array: ${z.prettifyError(parsed.error).split('\n')[0]}`
    )
  return parsed.data
}

export function parseDicomJsonObject(bytes: Uint8Array, what: string): DicomJsonDataset {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new PacsError('malformed', `The PACS answer to ${what} is not JSON.`)
  }
  const parsed = Dataset.safeParse(value)
  if (!parsed.success) throw new PacsError('malformed', `The PACS answer to ${what} is not a DICOM JSON data set.`)
  return parsed.data
}

export function jsonText(ds: DicomJsonDataset, tag: string): string {
  return valueText(ds[tag]?.Value?.[0])
}

export function jsonTexts(ds: DicomJsonDataset, tag: string): string[] {
  return (ds[tag]?.Value ?? [])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter(Boolean)
}

export function jsonNumber(ds: DicomJsonDataset, tag: string): number | undefined {
  const v = ds[tag]?.Value?.[0]
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN
  return Number.isFinite(n) ? n : undefined
}

export function jsonItems(ds: DicomJsonDataset, tag: string): DicomJsonDataset[] {
  return (ds[tag]?.Value ?? []).filter((v): v is DicomJsonDataset => Dataset.safeParse(v).success) as DicomJsonDataset[]
}

/** The tags Pulmo reads. */
export const TAGS = {
  StudyDate: '00080020',
  AccessionNumber: '00080050',
  ModalitiesInStudy: '00080061',
  Modality: '00080060',
  Manufacturer: '00080070',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  ReferencedSOPInstanceUID: '00081155',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  FailureReason: '00081197',
  PatientName: '00100010',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209'
} as const
