/**
 * What a severity report PDF is made of. The automatic values (SeverityReport) and the
 * radiologist's edits stay apart, as in the database, so the PDF can show both.
 */
import type { SeriesComparison } from '../../shared/followUp'
import type { RegionEdit } from '../../shared/severityScoring'
import type { CtPattern, FinalPattern } from '../../shared/ctPattern'
import type { SliceNumberSource } from '../../shared/sliceNumbering'
import type { SeverityReport } from '../scores/scores'

export interface PatientInfo {
  name: string
  id: string
  /** ISO YYYY-MM-DD when known */
  birthDate?: string
  sex?: string
}

export interface StudyInfo {
  date?: string
  description?: string
  accessionNumber?: string
}

export interface SeriesInfo {
  number?: number
  description?: string
  /** voxel grid, for the header line */
  dimensions?: [number, number, number]
  spacing?: [number, number, number]
}


/** An axial image with the infection overlay, ready for the page. */
export interface KeyImage {
  /** 0-based index of the slice in the series */
  sliceIndex: number
  /** what the caption says: the image number people read (DICOM InstanceNumber, else counted from the head) */
  sliceNumber: number
  /** where that number comes from (src/shared/sliceNumbering.ts) */
  numbering: SliceNumberSource
  /** PNG bytes (RGB) */
  png: Buffer
  widthPx: number
  heightPx: number
  /** physical width / height of the image, to draw it undistorted */
  aspect: number
  /** infected volume in this slice, mL */
  infectedMl: number
}

export interface ModelInfo {
  name: string
  version: string
}

export interface ReportInput {
  patient: PatientInfo
  study: StudyInfo
  series: SeriesInfo
  severity: SeverityReport
  /** the CT pattern category: Pulmo's proposal and what the report states (the radiologist's override when given) */
  pattern?: { proposed: CtPattern; final: FinalPattern }
  edits: RegionEdit[]
  keyImages: KeyImage[]
  model: ModelInfo
  /** the multi-class model, when one typed the infection (else the density rule did) */
  multiclassModel?: ModelInfo
  findings: string
  impression: string
  signedBy?: string
  /** ISO date-time */
  signedAt?: string
  /** when the report was produced; default now */
  generatedAt?: Date
  /** the patient's identity was replaced by a pseudonym and every date shifted by the same offset */
  deidentified?: boolean
  /** the mask version the figures and key images were computed from */
  maskVersion?: MaskVersionInfo
  /** what the reader must know about the input: a scan covering the lungs only in part, … */
  warnings?: string[]
  /** the report's number in the workstation */
  reportId?: number
  /** the signed report this one amends */
  amends?: AmendedReport
  /** a follow-up: this study compared with the patient's previous analysed study (its report named) */
  followUp?: SeriesComparison
}

export interface MaskVersionInfo {
  version: number
  /** 'model', 'annotator' (corrected by a person) or 'import' */
  source: string
  author: string
  /** ISO date-time */
  createdAt: string
}

export interface AmendedReport {
  reportId: number
  signedBy: string
  /** ISO date-time */
  signedAt: string
}

