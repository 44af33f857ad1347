/**
 * The attributes the de-identification acts on, after DICOM PS3.15 Annex E (Basic Application
 * Confidentiality Profile) with the Retain Longitudinal Temporal Information with Modified Dates
 * and Retain Patient Characteristics options. Rules that hold for whole classes of attributes
 * (every date is shifted, every non-registry UID remapped, private and overlay/curve groups
 * removed) live in deidentify.ts; this table names the attributes handled one by one.
 */
import dcmjs from 'dcmjs'

/** Replaced by the patient's pseudonym (action D). */
export const PSEUDONYM_KEYWORDS = ['PatientName', 'PatientID'] as const

/** Kept, but emptied (action Z: required by the IODs, so they stay present). */
export const EMPTIED_KEYWORDS = ['PatientBirthDate', 'AccessionNumber', 'ReferringPhysicianName', 'StudyID', 'ContentCreatorName'] as const

/** Removed (action X), including whole sequences whose items identify people, places or orders. */
export const REMOVED_KEYWORDS = [
  // patient
  'OtherPatientIDs',
  'OtherPatientNames',
  'OtherPatientIDsSequence',
  'IssuerOfPatientID',
  'IssuerOfPatientIDQualifiersSequence',
  'PatientBirthName',
  'PatientBirthTime',
  'PatientMotherBirthName',
  'PatientAddress',
  'PatientTelephoneNumbers',
  'PatientTelecomInformation',
  'PatientInsurancePlanCodeSequence',
  'PatientReligiousPreference',
  'PatientComments',
  'PatientState',
  'MedicalRecordLocator',
  'MilitaryRank',
  'BranchOfService',
  'Occupation',
  'CountryOfResidence',
  'RegionOfResidence',
  'EthnicGroup',
  'MedicalAlerts',
  'Allergies',
  'LastMenstrualDate',
  'SpecialNeeds',
  'AdditionalPatientHistory',
  'AdmittingDiagnosesDescription',
  'AdmittingDiagnosesCodeSequence',
  'ReferencedPatientSequence',
  'ReferencedPatientPhotoSequence',
  'ResponsiblePerson',
  'ResponsibleOrganization',
  'CurrentPatientLocation',
  'AdmissionID',
  'IssuerOfAdmissionIDSequence',
  'ServiceEpisodeID',
  'ServiceEpisodeDescription',
  'VisitComments',
  // people and places
  'InstitutionName',
  'InstitutionAddress',
  'InstitutionCodeSequence',
  'InstitutionalDepartmentName',
  'InstitutionalDepartmentTypeCodeSequence',
  'ReferringPhysicianAddress',
  'ReferringPhysicianTelephoneNumbers',
  'ReferringPhysicianIdentificationSequence',
  'ConsultingPhysicianName',
  'ConsultingPhysicianIdentificationSequence',
  'PhysiciansOfRecord',
  'PhysiciansOfRecordIdentificationSequence',
  'PerformingPhysicianName',
  'PerformingPhysicianIdentificationSequence',
  'NameOfPhysiciansReadingStudy',
  'PhysiciansReadingStudyIdentificationSequence',
  'OperatorsName',
  'OperatorIdentificationSequence',
  'RequestingPhysician',
  'RequestingService',
  'ScheduledPerformingPhysicianName',
  'StationName',
  'DeviceSerialNumber',
  'DetectorID',
  'PlateID',
  'GantryID',
  'DeviceUID',
  // orders, procedures and free text
  'StudyDescription',
  'SeriesDescription',
  'ProtocolName',
  'ImageComments',
  'StudyComments',
  'AcquisitionComments',
  'DerivationDescription',
  'FrameComments',
  'RequestAttributesSequence',
  'RequestedProcedureDescription',
  'RequestedProcedureID',
  'ReasonForTheRequestedProcedure',
  'ScheduledProcedureStepDescription',
  'ScheduledProcedureStepID',
  'PerformedProcedureStepDescription',
  'PerformedProcedureStepID',
  'PerformedProcedureStepStartDate',
  'PerformedProcedureStepStartTime',
  'ReferencedStudySequence',
  'ReferencedPerformedProcedureStepSequence',
  'ReasonForStudy',
  'ContentSequence',
  'TextString',
  'TextComments',
  'OriginalAttributesSequence',
  'ModifiedAttributesSequence',
  'DigitalSignaturesSequence',
  'DigitalSignatureUID',
  'StorageMediaFileSetID',
  'StorageMediaFileSetUID'
] as const

/**
 * UIDs under the DICOM registry root name SOP classes, transfer syntaxes and coding schemes, not
 * instances: they are kept. Every other UID is an instance UID, which may embed a device serial
 * number or a timestamp, and is remapped.
 */
export const REGISTRY_UID_ROOT = '1.2.840.10008.'

/** CID 7050 codes for what was done (DeidentificationMethodCodeSequence). */
export const METHOD_CODES = [
  { code: '113100', meaning: 'Basic Application Confidentiality Profile' },
  { code: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option' },
  { code: '113108', meaning: 'Retain Patient Characteristics Option' }
] as const

/** Human-readable method (LO, at most 64 characters). */
export const METHOD_TEXT = 'Pulmo: PS3.15 basic profile, dates shifted, UIDs remapped'

function tagOf(keyword: string): string {
  // Retired attributes still turn up in old files; dcmjs names them RETIRED_<keyword>.
  const { nameMap } = dcmjs.data.DicomMetaDictionary
  const entry = nameMap[keyword] ?? nameMap[`RETIRED_${keyword}`]
  if (!entry) throw new Error(`unknown DICOM keyword ${keyword}`)
  return entry.tag.replace(/[(),]/g, '').toUpperCase()
}

const tags = (keywords: readonly string[]): Set<string> => new Set(keywords.map(tagOf))

export const PSEUDONYM_TAGS = tags(PSEUDONYM_KEYWORDS)
export const EMPTIED_TAGS = tags(EMPTIED_KEYWORDS)
export const REMOVED_TAGS = tags(REMOVED_KEYWORDS)
export const TAG = {
  PatientIdentityRemoved: tagOf('PatientIdentityRemoved'),
  DeidentificationMethod: tagOf('DeidentificationMethod'),
  DeidentificationMethodCodeSequence: tagOf('DeidentificationMethodCodeSequence'),
  LongitudinalTemporalInformationModified: tagOf('LongitudinalTemporalInformationModified'),
  CodeValue: tagOf('CodeValue'),
  CodingSchemeDesignator: tagOf('CodingSchemeDesignator'),
  CodeMeaning: tagOf('CodeMeaning'),
  PatientName: tagOf('PatientName'),
  PatientID: tagOf('PatientID'),
  SOPInstanceUID: tagOf('SOPInstanceUID'),
  MediaStorageSOPInstanceUID: tagOf('MediaStorageSOPInstanceUID'),
  ImplementationClassUID: tagOf('ImplementationClassUID'),
  ImplementationVersionName: tagOf('ImplementationVersionName'),
  SourceApplicationEntityTitle: tagOf('SourceApplicationEntityTitle'),
  SendingApplicationEntityTitle: tagOf('SendingApplicationEntityTitle'),
  ReceivingApplicationEntityTitle: tagOf('ReceivingApplicationEntityTitle'),
  PrivateInformationCreatorUID: tagOf('PrivateInformationCreatorUID'),
  PrivateInformation: tagOf('PrivateInformation')
} as const
