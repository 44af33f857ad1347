/**
 * Row schemas: each repository parses what SQLite returns (columns aliased to camelCase, JSON
 * columns as text) with these and hands out typed rows, so a row that does not hold what its table
 * promises is an error where it is read, not a wrong value further on. The JSON that the layers
 * above keep (a report's automatic part, a training run's configuration and progress) is parsed
 * with the schema its owner gives `openStore`.
 */
import { PatternOverride } from '../../../shared/ctPattern'
import { z } from 'zod'

/** A JSON column: text parsed, then checked against `schema`. */
export function jsonColumn<T extends z.ZodType>(schema: T) {
  return z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' })
      return z.NEVER
    }
  }).pipe(schema)
}

/** Parses one row with `schema`, naming the table in the error. */
export function parseRow<T extends z.ZodType>(schema: T, table: string, row: unknown): z.output<T> {
  const parsed = schema.safeParse(row)
  if (!parsed.success) throw new Error(`A ${table} row does not hold what the table promises: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

const id = z.number().int()
const ref = id.nullable()
const vec3 = z.tuple([z.number(), z.number(), z.number()])

export const PatientRow = z.object({ id, patientId: z.string(), name: z.string(), birthDate: z.string().nullable(), sex: z.string().nullable() })
export type PatientRow = z.infer<typeof PatientRow>

export const StudyRow = z.object({
  id,
  patientRef: id,
  studyInstanceUid: z.string(),
  studyDate: z.string(),
  description: z.string(),
  accessionNumber: z.string(),
  createdAt: z.string()
})
export type StudyRow = z.infer<typeof StudyRow>

export const SeriesRow = z.object({
  id,
  studyRef: id,
  seriesInstanceUid: z.string(),
  seriesNumber: z.number().int().nullable(),
  description: z.string(),
  modality: z.string(),
  unit: z.enum(['HU', 'grey']),
  columns: z.number().int(),
  rows: z.number().int(),
  slices: z.number().int(),
  spacing: jsonColumn(vec3),
  origin: jsonColumn(vec3),
  direction: jsonColumn(z.array(z.number())),
  valueMin: z.number(),
  valueMax: z.number(),
  voxelPath: z.string(),
  checksum: z.string(),
  importedAt: z.string(),
  /** DICOM InstanceNumber of each slice k; null when the series has none (not DICOM, or imported before they were kept). */
  instanceNumbers: jsonColumn(z.array(z.number())).nullable()
})
export type SeriesRow = z.output<typeof SeriesRow>

export const MaskRow = z.object({
  id,
  seriesRef: id,
  version: z.number().int(),
  parentRef: ref,
  source: z.enum(['model', 'annotator', 'import']),
  modelRef: ref,
  author: z.string(),
  createdAt: z.string(),
  labelSet: jsonColumn(z.array(z.string())),
  path: z.string(),
  checksum: z.string(),
  trainingSlices: jsonColumn(z.array(z.number().int())),
  /** the version this one restored, when it is a revert */
  revertedTo: z.number().int().nullable()
})
export type MaskRow = z.output<typeof MaskRow>

export const ModelRow = z.object({
  id,
  name: z.string(),
  version: z.string(),
  kind: z.string(),
  path: z.string(),
  card: jsonColumn(z.record(z.string(), z.unknown())),
  active: z.union([z.literal(0), z.literal(1)]).transform((a) => a === 1),
  createdAt: z.string()
})
export type ModelRow = z.output<typeof ModelRow>

/** A radiologist's score of one CT-SS region (shared/severityScoring's RegionEdit). */
export const RegionEditRecord = z.object({ regionId: z.string(), score: z.number(), by: z.string(), at: z.string() })

export function reportRow<A extends z.ZodType>(automatic: A) {
  return z.object({
    id,
    seriesRef: id,
    maskRef: ref,
    automatic: jsonColumn(automatic),
    edits: jsonColumn(z.array(RegionEditRecord)),
    /** the radiologist's CT pattern category, replacing the automatic one */
    patternOverride: jsonColumn(PatternOverride).nullable(),
    findings: z.string(),
    impression: z.string(),
    signedBy: z.string().nullable(),
    signedAt: z.string().nullable(),
    /** The PDF the report was signed as (relative to the data folder) and its SHA-256. */
    signedPdfPath: z.string().nullable(),
    signedPdfSha256: z.string().nullable(),
    /** the signed report this one amends */
    amendsRef: ref,
    createdAt: z.string(),
    updatedAt: z.string()
  })
}
export type ReportRow<A = unknown> = Omit<z.output<ReturnType<typeof reportRow>>, 'automatic'> & { automatic: A }

export const TRAINING_STATUSES = ['queued', 'running', 'paused', 'cancelled', 'failed', 'finished'] as const

export function trainingRunRow<C extends z.ZodType, M extends z.ZodType>(config: C, metrics: M) {
  return z.object({
    id,
    modelRef: ref,
    config: jsonColumn(config),
    status: z.enum(TRAINING_STATUSES),
    checkpointPath: z.string().nullable(),
    metrics: jsonColumn(metrics),
    startedAt: z.string(),
    finishedAt: z.string().nullable()
  })
}
export type TrainingRunRow<C = unknown, M = unknown> = Omit<z.output<ReturnType<typeof trainingRunRow>>, 'config' | 'metrics'> & {
  config: C
  metrics: M
}

export const AuditRow = z.object({
  id,
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entity: z.string(),
  entityId: ref,
  detail: jsonColumn(z.record(z.string(), z.unknown()))
})
export type AuditRow = z.output<typeof AuditRow>

export const nowIso = (): string => new Date().toISOString()
