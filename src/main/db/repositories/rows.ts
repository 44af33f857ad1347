/** Row shapes as the repositories return them (camelCase, JSON columns parsed). */
export interface PatientRow {
  id: number
  patientId: string
  name: string
  birthDate: string | null
  sex: string | null
}

export interface StudyRow {
  id: number
  patientRef: number
  studyInstanceUid: string
  studyDate: string
  description: string
  accessionNumber: string
  createdAt: string
}

export interface SeriesRow {
  id: number
  studyRef: number
  seriesInstanceUid: string
  seriesNumber: number | null
  description: string
  modality: string
  unit: 'HU' | 'grey'
  columns: number
  rows: number
  slices: number
  spacing: [number, number, number]
  origin: [number, number, number]
  direction: number[]
  valueMin: number
  valueMax: number
  voxelPath: string
  checksum: string
  importedAt: string
  /** DICOM InstanceNumber of each slice k; null when the series has none (not DICOM, or imported before they were kept). */
  instanceNumbers: number[] | null
}

export interface MaskRow {
  id: number
  seriesRef: number
  version: number
  parentRef: number | null
  source: 'model' | 'annotator' | 'import'
  modelRef: number | null
  author: string
  createdAt: string
  labelSet: string[]
  path: string
  checksum: string
  trainingSlices: number[]
  /** the version this one restored, when it is a revert */
  revertedTo: number | null
}

export interface ModelRow {
  id: number
  name: string
  version: string
  kind: string
  path: string
  card: Record<string, unknown>
  active: boolean
  createdAt: string
}

export interface ReportRow {
  id: number
  seriesRef: number
  maskRef: number | null
  automatic: unknown
  edits: unknown[]
  findings: string
  impression: string
  signedBy: string | null
  signedAt: string | null
  /** The PDF the report was signed as (relative to the data folder) and its SHA-256. */
  signedPdfPath: string | null
  signedPdfSha256: string | null
  /** the signed report this one amends */
  amendsRef: number | null
  createdAt: string
  updatedAt: string
}

export interface TrainingRunRow {
  id: number
  modelRef: number | null
  config: Record<string, unknown>
  status: 'queued' | 'running' | 'paused' | 'cancelled' | 'failed' | 'finished'
  checkpointPath: string | null
  metrics: Record<string, unknown>
  startedAt: string
  finishedAt: string | null
}

export interface AuditRow {
  id: number
  at: string
  actor: string
  action: string
  entity: string
  entityId: number | null
  detail: Record<string, unknown>
}

export const nowIso = (): string => new Date().toISOString()
