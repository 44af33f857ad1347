/** What the services hand out: studies and series, masks, reports, models and training runs, the audit log. */
import { z } from 'zod'
import { id, vec3 } from './primitives'

export const SeriesSummary = z.object({
  id,
  studyId: id,
  seriesInstanceUid: z.string(),
  description: z.string(),
  modality: z.string(),
  unit: z.enum(['HU', 'grey']),
  rows: z.number().int(),
  columns: z.number().int(),
  slices: z.number().int(),
  spacing: vec3,
  importedAt: z.string()
})
export type SeriesSummary = z.infer<typeof SeriesSummary>

export const StudyStatus = z.object({
  analysed: z.boolean(),
  corrected: z.boolean(),
  reported: z.boolean()
})
export type StudyStatus = z.infer<typeof StudyStatus>

export const StudySummary = z.object({
  id,
  patientName: z.string(),
  patientId: z.string(),
  studyInstanceUid: z.string(),
  studyDate: z.string(),
  description: z.string(),
  status: StudyStatus,
  series: z.array(SeriesSummary)
})
export type StudySummary = z.infer<typeof StudySummary>

export const ImportResult = z.object({
  studies: z.array(StudySummary),
  created: z.array(id),
  existing: z.array(id)
})
export type ImportResult = z.infer<typeof ImportResult>

export const VolumeHeader = z.object({
  seriesId: id,
  dimensions: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  spacing: vec3,
  origin: vec3,
  direction: z.array(z.number()).length(9),
  unit: z.enum(['HU', 'grey']),
  valueRange: z.tuple([z.number(), z.number()]),
  /** Voxel type of the `series.voxels` payload (little endian). */
  voxelType: z.enum(['int16', 'uint8']),
  /** DICOM InstanceNumber of each slice k, or null: slices are then numbered from the head (sliceNumbering.ts). */
  instanceNumbers: z.array(z.number().int()).nullable()
})
export type VolumeHeader = z.infer<typeof VolumeHeader>

export const Settings = z.object({
  userName: z.string().min(1).max(200),
  backend: z.enum(['auto', 'tensorflow', 'native', 'wasm', 'cpu']),
  dataDir: z.string()
})
export type Settings = z.infer<typeof Settings>

export const SystemInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['ipc', 'websocket']),
  platform: z.string()
})
export type SystemInfo = z.infer<typeof SystemInfo>

export const MaskVersion = z.object({
  id,
  seriesId: id,
  version: z.number().int().positive(),
  parentVersion: z.number().int().nullable(),
  source: z.enum(['model', 'annotator', 'import']),
  author: z.string(),
  createdAt: z.string(),
  /** Label values in order: 1 ground-glass, 2 consolidation. */
  labelSet: z.array(z.string()),
  /** Slices (0-based) where a person's labels differ from the model's: training data for retraining. */
  trainingSlices: z.array(z.number().int().nonnegative()),
  /** The version this one restored (a revert), else null. */
  revertedTo: z.number().int().positive().nullable()
})
export type MaskVersion = z.infer<typeof MaskVersion>

export const RegionScore = z.object({
  id: z.string(),
  name: z.string(),
  lung: z.enum(['right', 'left']),
  lungVolumeMl: z.number(),
  infectedVolumeMl: z.number(),
  percent: z.number(),
  score: z.number().int(),
  /** The lobe the region belongs to (RUL, RML, RLL, LUL, LLL). */
  lobe: z.string(),
  /** The radiologist's score when it differs from the automatic one. */
  edited: z.object({ score: z.number().int(), by: z.string(), at: z.string() }).nullable()
})
export type RegionScore = z.infer<typeof RegionScore>

export const LobeScore = z.object({
  id: z.string(),
  name: z.string(),
  lungVolumeMl: z.number(),
  infectedVolumeMl: z.number(),
  percent: z.number(),
  /** the automatic score, from the mask */
  score: z.number().int(),
  /** after the radiologist's region scores (see src/shared/severityScoring.ts) */
  finalScore: z.number().int()
})

export const ReportMask = z.object({
  version: z.number().int().positive(),
  source: z.enum(['model', 'annotator', 'import']),
  author: z.string(),
  createdAt: z.string(),
  revertedTo: z.number().int().positive().nullable()
})

export const ScoringOptions = z.object({
  noiseFloorPercent: z.number(),
  infectionPresentPercent: z.number(),
  severityCutoffs: z.object({ mildMaxLobarTotal: z.number(), moderateMaxLobarTotal: z.number() })
})

/** A signed report another one amends. */
export const AmendedReportRef = z.object({ reportId: id, signedBy: z.string(), signedAt: z.string() })

const SeverityClassName = z.enum(['none', 'mild', 'moderate', 'severe'])

export const SeverityReportView = z.object({
  id,
  seriesId: id,
  /** The mask version the figures were computed from. */
  maskVersion: z.number().int().nullable(),
  mask: ReportMask.nullable(),
  model: z.object({ name: z.string(), version: z.string() }),
  lungVolumeMl: z.number(),
  infectedVolumeMl: z.number(),
  ggoVolumeMl: z.number(),
  consolidationVolumeMl: z.number(),
  percentInfected: z.object({ total: z.number(), left: z.number(), right: z.number() }),
  regions: z.array(RegionScore),
  lobes: z.array(LobeScore),
  ctss: z.object({ automatic: z.number().int(), final: z.number().int(), severe: z.boolean() }),
  /** Final lobar total (after the radiologist's region scores); `automatic.lobarTotal` is the mask's. */
  lobarTotal: z.number().int(),
  /** Final severity class. */
  severity: SeverityClassName,
  infectionPresent: z.boolean(),
  automatic: z.object({ lobarTotal: z.number().int(), severity: SeverityClassName, infectionPresent: z.boolean() }),
  scoring: ScoringOptions,
  /** What the reader must know: the scan covers the lungs only in part, a few slices only. */
  warnings: z.array(z.string()),
  /** The signed report this draft (or signed amendment) supersedes. */
  amends: AmendedReportRef.nullable(),
  /** The report that supersedes this one, when there is one. */
  amendedBy: id.nullable(),
  findings: z.string(),
  impression: z.string(),
  signedBy: z.string().nullable(),
  signedAt: z.string().nullable(),
  /** A signed report's stored PDF (its SHA-256), viewable with reports.signedPdf. */
  signedPdfSha256: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string()
})
export type SeverityReportView = z.infer<typeof SeverityReportView>

/** A report in the series' history: drafts, signed reports and amendments, oldest first. */
export const ReportRecord = z.object({
  id,
  seriesId: id,
  maskVersion: z.number().int().nullable(),
  ctss: z.number().int(),
  lobarTotal: z.number().int(),
  severity: SeverityClassName,
  signedBy: z.string().nullable(),
  signedAt: z.string().nullable(),
  hasSignedPdf: z.boolean(),
  amends: id.nullable(),
  amendedBy: id.nullable(),
  createdAt: z.string()
})
export type ReportRecord = z.infer<typeof ReportRecord>

/**
 * An edited slice as run-length pairs [value, count, value, count, …] over its nx·ny voxels
 * (x fastest): masks are mostly background, so a slice is a few hundred numbers.
 */
export const SliceEdit = z.object({
  k: z.number().int().nonnegative(),
  runs: z.array(z.number().int().nonnegative()).max(2 * 4096 * 4096)
})
export type SliceEdit = z.infer<typeof SliceEdit>

export const ModelSummary = z.object({
  id,
  name: z.string(),
  version: z.string(),
  kind: z.string(),
  active: z.boolean(),
  createdAt: z.string(),
  /** From the model card: validation Dice and friends, parameters, training data. */
  metrics: z.record(z.string(), z.number()),
  /** What it was trained on, in words (never a file path). */
  trainingData: z.string(),
  /** How many slices it was trained on (without held-out ones), when the card says. */
  trainingSlices: z.number().int().nullable()
})
export type ModelSummary = z.infer<typeof ModelSummary>

export const TrainingStep = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  losses: z.record(z.string(), z.number()),
  learningRate: z.number(),
  stepMs: z.number()
})
export type TrainingStep = z.infer<typeof TrainingStep>

export const TrainingRun = z.object({
  id,
  status: z.enum(['queued', 'running', 'paused', 'cancelled', 'failed', 'finished']),
  baseModel: z.string(),
  epochs: z.number().int(),
  slices: z.number().int(),
  backend: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  globalStep: z.number().int(),
  totalSteps: z.number().int(),
  etaSeconds: z.number().nullable(),
  /** Validation Dice per evaluation (Inf-Net protocol), in order. */
  validationDice: z.array(z.object({ epoch: z.number().int(), dice: z.number() })),
  /** Slices held out for validation after the last epoch (one fold of 5); 0 when too few to hold any out. */
  validationSlices: z.number().int().nonnegative(),
  history: z.array(TrainingStep),
  modelId: z.number().int().nullable(),
  message: z.string()
})
export type TrainingRun = z.infer<typeof TrainingRun>

export const ExportFormat = z.enum(['nifti', 'dicom'])
export type ExportFormat = z.infer<typeof ExportFormat>

export const AuditEntry = z.object({
  id,
  at: z.string(),
  /** The user name of the settings (the operating-system user unless configured). */
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: z.number().int().nullable(),
  detail: z.record(z.string(), z.json())
})
export type AuditEntry = z.infer<typeof AuditEntry>
