/**
 * The contract between the renderer (or any client) and the services. Every request, response and
 * event is a zod schema; the Electron IPC binding, the HTTP + WebSocket server and the CLI all
 * validate against these. This file imports nothing from Node or the DOM.
 */
import { z } from 'zod'
import { SeriesComparison } from './followUp'

const id = z.number().int().positive()
const vec3 = z.tuple([z.number(), z.number(), z.number()])

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
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
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

/**
 * Exports leave the workstation de-identified unless `identified` is true: the patient's name and
 * ID become a pseudonym that is the same in every export of that patient, dates move by the same
 * per-patient offset, UIDs are remapped, other identifiers are removed (DICOM PS3.15 basic profile).
 */
const identified = z.boolean().optional()

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

/** A PACS (DICOMweb server) as configured in the settings; its secret never leaves the workstation's database. */
export const PacsAuthKind = z.enum(['none', 'basic', 'bearer'])
export const PacsServer = z.object({
  id: z.string(),
  name: z.string(),
  /** The DICOMweb root, e.g. https://pacs.example.org/dicom-web */
  url: z.string(),
  authKind: PacsAuthKind,
  user: z.string(),
  /** Whether a password (basic) or token (bearer) is stored. */
  secretSet: z.boolean()
})
export type PacsServer = z.infer<typeof PacsServer>

export const PacsStudy = z.object({
  studyInstanceUid: z.string(),
  patientName: z.string(),
  patientId: z.string(),
  studyDate: z.string(),
  description: z.string(),
  modalities: z.array(z.string()),
  seriesCount: z.number().int().nullable()
})
export type PacsStudy = z.infer<typeof PacsStudy>

export const PacsPushResult = z.object({
  studyInstanceUid: z.string(),
  deidentified: z.boolean(),
  objects: z.array(
    z.object({
      kind: z.enum(['seg', 'sr', 'pdf']),
      sopInstanceUid: z.string(),
      status: z.enum(['stored', 'already-there', 'failed']),
      message: z.string()
    })
  )
})
export type PacsPushResult = z.infer<typeof PacsPushResult>

/** Raw bytes: the only non-JSON result type; transports carry it as a binary message. */
export const Binary = z.instanceof(Uint8Array)

const empty = z.object({}).strict()
const seriesRef = z.object({ seriesId: id }).strict()

/** Every method: its parameters and its result. */
export const api = {
  'system.info': { params: empty, result: SystemInfo },
  'settings.get': { params: empty, result: Settings },
  'settings.set': { params: Settings.omit({ dataDir: true }).partial().strict(), result: Settings },
  'studies.list': {
    params: z.object({ query: z.string().max(200).optional() }).strict(),
    result: z.array(StudySummary)
  },
  'studies.import': {
    params: z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
        /** Chosen by the client so it can tell this import's progress events from others'. */
        taskId: z.string().max(100).optional()
      })
      .strict(),
    result: ImportResult
  },
  'studies.delete': { params: z.object({ studyId: id }).strict(), result: z.object({ deleted: z.boolean() }) },
  'series.header': { params: seriesRef, result: VolumeHeader },
  'series.voxels': { params: seriesRef, result: Binary },
  /** NIfTI to a .nii/.nii.gz file, DICOM to a new folder (the format follows the name unless given). */
  'series.export': {
    params: z.object({ seriesId: id, path: z.string().min(1).max(4096), format: ExportFormat.optional(), identified }).strict(),
    result: z.object({ path: z.string(), format: ExportFormat, deidentified: z.boolean(), files: z.number().int() })
  },
  /** Segments and scores the series in the compute process; progress and the end arrive as events. */
  'analysis.start': {
    params: z.object({ seriesId: id, taskId: z.string().max(100).optional() }).strict(),
    result: z.object({ taskId: z.string() })
  },
  'analysis.cancel': { params: z.object({ taskId: z.string().max(100) }).strict(), result: z.object({ cancelled: z.boolean() }) },
  'masks.list': { params: seriesRef, result: z.array(MaskVersion) },
  /** Labels of a mask version (latest when omitted): uint8 per voxel, 0 none, 1 ground-glass, 2 consolidation. */
  'masks.voxels': {
    params: z.object({ seriesId: id, version: z.number().int().positive().optional() }).strict(),
    result: Binary
  },
  /** The lung mask of the latest analysis: uint8 per voxel, 0 outside, 1 right, 2 left lung. */
  'masks.lungs': { params: seriesRef, result: Binary },
  /**
   * Saves edited slices on top of `baseVersion` as a new version; refused if another version was
   * saved since. `revertTo` says the slices restore that version. The series' report is rescored
   * from the new version (an unsigned one in place; after a signed one, as an amendment).
   */
  'masks.save': {
    params: z
      .object({
        seriesId: id,
        baseVersion: z.number().int().nonnegative(),
        slices: z.array(SliceEdit).min(1).max(4096),
        revertTo: z.number().int().positive().optional()
      })
      .strict(),
    result: MaskVersion
  },
  /** The series' current report: the newest draft or signed report. */
  'reports.get': { params: seriesRef, result: SeverityReportView.nullable() },
  /** One report by id: a signed one stays viewable after it was amended. */
  'reports.view': { params: z.object({ reportId: id }).strict(), result: SeverityReportView },
  /** Every report of the series, oldest first: drafts, signed reports, amendments. */
  'reports.list': { params: seriesRef, result: z.array(ReportRecord) },
  /**
   * Recomputes volumes, percentages, CT-SS, lobar score and severity from a mask version without
   * running the model: the unsigned report is rescored in place (its edits and text kept); after a
   * signed report, an amendment is created.
   */
  'reports.rescore': {
    params: z.object({ seriesId: id, maskVersion: z.number().int().positive() }).strict(),
    result: SeverityReportView
  },
  /** The PDF a report was signed as, unchanged (checked against its SHA-256). */
  'reports.signedPdf': { params: z.object({ reportId: id }).strict(), result: Binary },
  'reports.update': {
    params: z
      .object({
        reportId: id,
        regionScores: z.array(z.object({ regionId: z.string().max(10), score: z.number().int().min(0).max(2) })).max(20).optional(),
        findings: z.string().max(20000).optional(),
        impression: z.string().max(20000).optional()
      })
      .strict(),
    result: SeverityReportView
  },
  'reports.sign': { params: z.object({ reportId: id }).strict(), result: SeverityReportView },
  /** The report as a PDF: written to `path` when given (Electron, CLI), else returned as bytes (browser download). */
  'reports.pdf': {
    params: z.object({ reportId: id, path: z.string().min(1).max(4096).optional(), identified }).strict(),
    result: z.union([z.object({ path: z.string() }), Binary])
  },
  /**
   * How the lungs changed between two analysed series of one patient (same patient ID, or the same
   * pseudonym), earlier → later whatever the order given; series of different patients are refused.
   */
  'comparison.compare': {
    params: z.object({ seriesA: id, seriesB: id }).strict(),
    result: SeriesComparison
  },
  /** The series (its current report, or `reportId`) compared with the patient's most recent earlier analysed study; null when there is none. */
  'comparison.previous': {
    params: z.object({ seriesId: id, /** this report of the series instead of its current one */ reportId: id.optional() }).strict(),
    result: SeriesComparison.nullable()
  },
  'models.list': { params: empty, result: z.array(ModelSummary) },
  /** Makes a model the one analyses use (and so rolls back to an earlier one). */
  'models.activate': { params: z.object({ modelId: id }).strict(), result: z.array(ModelSummary) },
  /**
   * Retrains the infection model on the corrected slices of the given series (and the bundled
   * training slices) in the compute process; progress arrives as 'training-progress' events.
   */
  'training.start': {
    params: z
      .object({
        baseModelId: id.optional(),
        seriesIds: z.array(id).max(1000),
        includeBundled: z.boolean(),
        epochs: z.number().int().min(1).max(1000),
        inputSize: z.number().int().multipleOf(32).min(64).max(512).optional()
      })
      .strict(),
    result: TrainingRun
  },
  /** Stops a run after its current step, with a checkpoint to resume from. */
  'training.pause': { params: z.object({ runId: id }).strict(), result: TrainingRun },
  'training.resume': { params: z.object({ runId: id }).strict(), result: TrainingRun },
  'training.cancel': { params: z.object({ runId: id }).strict(), result: TrainingRun },
  'training.list': { params: empty, result: z.array(TrainingRun) },
  'pacs.servers.list': { params: empty, result: z.array(PacsServer) },
  /** Adds (no id) or changes a PACS; `secret` (password or token) omitted keeps the stored one. */
  'pacs.servers.save': {
    params: z
      .object({
        id: z.string().max(100).optional(),
        name: z.string().min(1).max(200),
        url: z.string().min(1).max(2000),
        /** No authentication unless said. */
        authKind: PacsAuthKind.default('none'),
        user: z.string().max(200).optional(),
        secret: z.string().max(10000).optional()
      })
      .strict(),
    result: z.array(PacsServer)
  },
  'pacs.servers.delete': { params: z.object({ id: z.string().max(100) }).strict(), result: z.array(PacsServer) },
  /** QIDO-RS study search; `patient` matches the patient's name or ID. */
  'pacs.search': {
    params: z.object({ serverId: z.string().max(100), patient: z.string().max(200).optional() }).strict(),
    result: z.array(PacsStudy)
  },
  /** Imports a study's CT series from the PACS (progress as events under taskId); resumable and idempotent. */
  'pacs.pull': {
    params: z.object({ serverId: z.string().max(100), studyInstanceUid: z.string().max(64), taskId: z.string().max(100).optional() }).strict(),
    result: ImportResult
  },
  /** Sends the series' SEG, SR and (when signed) PDF to the PACS; sending again stores nothing twice. */
  'pacs.push': {
    params: z.object({ serverId: z.string().max(100), seriesId: id, deidentified: z.boolean().optional(), taskId: z.string().max(100).optional() }).strict(),
    result: PacsPushResult
  },
  /** Who viewed, edited, signed, exported, imported and deleted what: the latest entries, oldest first. */
  'audit.list': {
    params: z
      .object({
        entity: z.string().max(50).optional(),
        entityId: id.optional(),
        limit: z.number().int().min(1).max(10000).optional()
      })
      .strict(),
    result: z.array(AuditEntry)
  }
} as const

export type Api = typeof api
export type Method = keyof Api
export type Params<M extends Method> = z.input<Api[M]['params']>
export type Result<M extends Method> = z.output<Api[M]['result']>

export const ProgressEvent = z.object({
  type: z.literal('progress'),
  taskId: z.string(),
  label: z.string(),
  done: z.number(),
  total: z.number()
})
export type ProgressEvent = z.infer<typeof ProgressEvent>

export const StudiesChangedEvent = z.object({ type: z.literal('studies-changed') })

/** A long task (analysis, training) ended: finished, cancelled or failed, with a message a person can read. */
export const TaskEndedEvent = z.object({
  type: z.literal('task-ended'),
  taskId: z.string(),
  kind: z.enum(['import', 'analysis', 'training']),
  status: z.enum(['finished', 'cancelled', 'failed']),
  seriesId: z.number().int().optional(),
  message: z.string()
})
export type TaskEndedEvent = z.infer<typeof TaskEndedEvent>

export const TrainingProgressEvent = z.object({
  type: z.literal('training-progress'),
  runId: z.number().int(),
  step: TrainingStep,
  globalStep: z.number().int(),
  totalSteps: z.number().int(),
  etaSeconds: z.number(),
  backend: z.string(),
  validationDice: z.number().optional()
})
export type TrainingProgressEvent = z.infer<typeof TrainingProgressEvent>

export const ApiEvent = z.discriminatedUnion('type', [ProgressEvent, StudiesChangedEvent, TaskEndedEvent, TrainingProgressEvent])
export type ApiEvent = z.infer<typeof ApiEvent>

/** Errors cross every transport as { code, message }; codes let clients react without parsing text. */
export const ApiErrorShape = z.object({
  code: z.enum(['validation', 'not-found', 'bad-input', 'conflict', 'cancelled', 'internal', 'unauthorized', 'unavailable']),
  message: z.string()
})
export type ApiErrorShape = z.infer<typeof ApiErrorShape>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(api, name)
}

/** The typed client every transport implements and the renderer consumes. */
export interface PulmoClient {
  invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  onEvent(listener: (event: ApiEvent) => void): () => void
}
