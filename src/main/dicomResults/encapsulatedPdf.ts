/**
 * The signed PDF report as a DICOM Encapsulated PDF in the source study, so the PACS viewer shows
 * the document the radiologist signed, byte for byte.
 */
import type { DicomDict } from 'dcmjs'
import { code, dateTime, derivedUid, equipment, partTen, patientAndStudy, type SourceSeries } from './common'

export const ENCAPSULATED_PDF = '1.2.840.10008.5.1.4.1.1.104.1'
export const PDF_SERIES_NUMBER = 9103

export interface EncapsulatedPdfInput {
  source: SourceSeries
  pdf: Uint8Array
  title: string
  /** When the document was signed (ISO). */
  signedAt: string
  modelName: string
  resultKey: string
}

export function buildEncapsulatedPdf(input: EncapsulatedPdfInput): DicomDict {
  const { source } = input
  if (!(input.pdf[0] === 0x25 && input.pdf[1] === 0x50 && input.pdf[2] === 0x44 && input.pdf[3] === 0x46))
    throw new Error('the document is not a PDF')
  const at = dateTime(input.signedAt)
  // OB values have even length; the padding byte is outside EncapsulatedDocumentLength.
  const padded = new Uint8Array(input.pdf.length + (input.pdf.length % 2))
  padded.set(input.pdf)
  return partTen({
    _vrMap: { EncapsulatedDocument: 'OB' },
    SOPClassUID: ENCAPSULATED_PDF,
    SOPInstanceUID: derivedUid(input.resultKey, 'pdf'),
    ...patientAndStudy(source),
    Modality: 'DOC',
    SeriesInstanceUID: derivedUid(source.seriesInstanceUid, 'pulmo-pdf-series'),
    SeriesNumber: PDF_SERIES_NUMBER,
    SeriesDescription: 'Pulmo signed report',
    ...equipment(input.modelName),
    ConversionType: 'WSD',
    InstanceNumber: 1,
    ContentDate: at.date,
    ContentTime: at.time,
    AcquisitionDateTime: `${at.date}${at.time}`,
    BurnedInAnnotation: 'YES',
    DocumentTitle: input.title.slice(0, 64),
    ConceptNameCodeSequence: [code('18748-4', 'LN', 'Diagnostic imaging study')],
    MIMETypeOfEncapsulatedDocument: 'application/pdf',
    EncapsulatedDocumentLength: input.pdf.length,
    EncapsulatedDocument: [padded.buffer]
  })
}

/** The PDF bytes inside an Encapsulated PDF object. */
export function pdfOf(ds: { EncapsulatedDocument?: unknown; EncapsulatedDocumentLength?: unknown }): Uint8Array {
  const buffer = (ds.EncapsulatedDocument as ArrayBuffer[] | undefined)?.[0]
  if (!buffer) throw new Error('no encapsulated document')
  const bytes = new Uint8Array(buffer)
  const length = Number(ds.EncapsulatedDocumentLength)
  return Number.isFinite(length) && length > 0 && length <= bytes.length ? bytes.subarray(0, length) : bytes
}
