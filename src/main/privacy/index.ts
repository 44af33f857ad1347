/** De-identification of what leaves the workstation: DICOM, NIfTI identity, report header. */
export { daysBetween, shiftDate, shiftDateTime } from './dates'
export { deidentifyDataset, deidentifyDicom, deidentifyDicomBytes, pseudonymOfDataset } from './deidentify'
export { METHOD_TEXT as DEIDENTIFICATION_METHOD } from './dicomProfile'
export { patientKey, PseudonymKeys, PSEUDONYM_PREFIX, type PatientPseudonym } from './pseudonyms'
export { deidentifySeriesMetadata, pseudonymOfSeries } from './seriesIdentity'
