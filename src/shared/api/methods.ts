/** Every method of the contract: its parameters and its result, and the types derived from them. */
import { CoRads, RsnaCategory } from '../ctPattern'
import { z } from 'zod'
import { SeriesComparison } from '../followUp'
import { id } from './primitives'
import { AuditEntry, StudySummary, ImportResult, VolumeHeader, Settings, SystemInfo, MaskVersion, SeverityReportView, ReportRecord, SliceEdit, ModelSummary, TrainingRun, ExportFormat } from './records'
import { PacsAuthKind, PacsServer, PacsStudy, PacsPushResult } from './pacs'

/**
 * Exports leave the workstation de-identified unless `identified` is true: the patient's name and
 * ID become a pseudonym that is the same in every export of that patient, dates move by the same
 * per-patient offset, UIDs are remapped, other identifiers are removed (DICOM PS3.15 basic profile).
 */
const identified = z.boolean().optional()

/** Raw bytes: the only non-JSON result type; transports carry it as a binary message. */
export const Binary = z.instanceof(Uint8Array)

const empty = z.object({}).strict()

/**
 * After Analyze on a corrected series: 'corrected' keeps the radiologist's mask as the working base
 * (a copy of it follows the model's new version, which stays in the list); 'model' makes the
 * model's new segmentation the base. The corrected slices stay training data either way.
 */
export const AnalysisMaskBase = z.enum(['corrected', 'model'])
export type AnalysisMaskBase = z.infer<typeof AnalysisMaskBase>
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
  /**
   * Segments and scores the series in the compute process; progress and the end arrive as events.
   * When the series' working mask is a person's correction, `maskBase` says what the report is
   * scored from and later edits start from (see AnalysisMaskBase; the correction by default).
   */
  'analysis.start': {
    params: z.object({ seriesId: id, taskId: z.string().max(100).optional(), maskBase: AnalysisMaskBase.optional() }).strict(),
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
   * The anatomical lobes of the latest analysis (fissures fitted to the CT): uint8 per voxel,
   * 0 outside the lungs, 1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL.
   */
  'masks.lobes': { params: seriesRef, result: Binary },
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
        impression: z.string().max(20000).optional(),
        /** the radiologist's CT pattern category in place of Pulmo's proposal; null returns to the proposal */
        pattern: z.object({ rsna: RsnaCategory, coRads: CoRads, note: z.string().max(2000).default('') }).strict().nullable().optional()
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

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(api, name)
}
