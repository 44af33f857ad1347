/**
 * The same de-identification as the DICOM profile, for the identity an export carries outside
 * DICOM (the NIfTI identity extension, the PDF report header): pseudonym for name and ID, dates
 * shifted by the patient's offset, UIDs remapped, free text and other identifiers left out.
 */
import type { SeriesMetadata } from '../volume/volume'
import { shiftDate } from './dates'
import { patientKey, type PatientPseudonym, type PseudonymKeys } from './pseudonyms'

/** The pseudonym and date shift of the patient a series belongs to. */
export function pseudonymOfSeries(metadata: Pick<SeriesMetadata, 'patientId' | 'patientName' | 'studyInstanceUid'>, keys: PseudonymKeys): PatientPseudonym {
  return keys.patient(patientKey(metadata, metadata.studyInstanceUid))
}

const shifted = (date: string | undefined, days: number): string | undefined => (date ? shiftDate(date, days) || undefined : undefined)

export function deidentifySeriesMetadata(metadata: SeriesMetadata, keys: PseudonymKeys): SeriesMetadata {
  const patient = pseudonymOfSeries(metadata, keys)
  return {
    patientName: patient.pseudonym,
    patientId: patient.pseudonym,
    patientSex: metadata.patientSex,
    studyInstanceUid: keys.uid(metadata.studyInstanceUid),
    studyDate: shifted(metadata.studyDate, patient.dateShiftDays),
    seriesInstanceUid: keys.uid(metadata.seriesInstanceUid),
    seriesNumber: metadata.seriesNumber,
    seriesDate: shifted(metadata.seriesDate, patient.dateShiftDays),
    manufacturer: metadata.manufacturer
  }
}
