/**
 * Patient, study and series identification of a series, from the header of its first slice.
 * These fields are what the import stores and shows, so empty DICOM values become absent
 * (undefined) or '' for the required ones, never "undefined" text.
 */
import type { NaturalDataset } from 'dcmjs'
import type { SeriesMetadata } from './volume'
import { number, text, type DicomSlice } from './dicomFile'

/** DICOM DA "YYYYMMDD" as ISO "YYYY-MM-DD"; anything else (partial or odd dates) kept verbatim. */
export function isoDate(da: string | undefined): string | undefined {
  if (!da) return undefined
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(da)
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da
}

export function seriesMetadata(slices: DicomSlice[]): SeriesMetadata {
  const ds: NaturalDataset = slices[0].dataset
  const seriesNumber = number(ds, 'SeriesNumber')
  return {
    patientName: text(ds, 'PatientName') ?? '',
    patientId: text(ds, 'PatientID') ?? '',
    patientBirthDate: isoDate(text(ds, 'PatientBirthDate')),
    patientSex: text(ds, 'PatientSex'),
    studyInstanceUid: text(ds, 'StudyInstanceUID') ?? '',
    studyDate: isoDate(text(ds, 'StudyDate')),
    studyDescription: text(ds, 'StudyDescription'),
    accessionNumber: text(ds, 'AccessionNumber'),
    seriesInstanceUid: slices[0].seriesInstanceUid,
    seriesNumber: seriesNumber === undefined ? undefined : Math.trunc(seriesNumber),
    seriesDescription: text(ds, 'SeriesDescription'),
    seriesDate: isoDate(text(ds, 'SeriesDate')),
    manufacturer: text(ds, 'Manufacturer'),
    sourceFiles: slices.map((s) => s.file),
    frameOfReferenceUid: text(ds, 'FrameOfReferenceUID'),
    // Only when every slice has its own instance UID can a derived object reference them.
    instances: slices.every((s) => text(s.dataset, 'SOPInstanceUID'))
      ? slices.map((s) => ({
          sopInstanceUid: text(s.dataset, 'SOPInstanceUID') as string,
          sopClassUid: text(s.dataset, 'SOPClassUID') ?? '1.2.840.10008.5.1.4.1.1.2',
          position: s.position ?? [0, 0, 0]
        }))
      : undefined
  }
}
