/**
 * What the services keep as JSON in the database, as schemas: the repositories parse those columns
 * with them (see openStore), so the services read typed rows and never cast. Loose objects: a key
 * an older or newer Pulmo wrote survives being read and written back.
 */
import { z } from 'zod'
import { TrainingStep } from '../../shared/api'
import { CtPattern } from '../../shared/ctPattern'
import type { Store } from '../db'
import type { SeverityReport } from '../scores/scores'
import { SupervisedConfig } from '../training/supervisedConfig'
import type { TrainJob } from '../compute/computeProtocol'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const numbers = (v: Record<string, unknown>, keys: string[]): boolean => keys.every((k) => typeof v[k] === 'number')

/** The scores as computeSeverity made them: checked for the figures every reader uses. */
const StoredSeverity = z.custom<SeverityReport>(
  (v) =>
    isRecord(v) &&
    numbers(v, ['lungVolumeMl', 'infectedVolumeMl', 'ggoVolumeMl', 'consolidationVolumeMl']) &&
    isRecord(v.ctss) &&
    Array.isArray(v.ctss.regions) &&
    isRecord(v.lobar) &&
    Array.isArray(v.lobar.lobes) &&
    typeof v.severity === 'string' &&
    isRecord(v.options),
  'not the severity scores of an analysis'
)

const ModelName = z.object({ name: z.string(), version: z.string() })

/** What the database keeps as a report's automatic part. */
export const AutomaticReport = z.looseObject({
  severity: StoredSeverity,
  model: ModelName,
  /** the multi-class model that typed the infection; without one, the density rule did */
  multiclassModel: ModelName.optional(),
  maskVersion: z.number().int().nullable(),
  /** the CT pattern category proposed from the mask version; absent in reports made before Pulmo proposed one */
  pattern: CtPattern.optional(),
  /** from the chest-CT check: partial coverage, a few slices only */
  warnings: z.array(z.string()).optional()
})
export type AutomaticReport = z.infer<typeof AutomaticReport>

/** What a run keeps in the database besides its status. */
export const RunConfig = z.looseObject({
  job: z.custom<TrainJob['config']>((v) => SupervisedConfig.safeParse(v).success, "not a training job's configuration"),
  baseModel: z.string(),
  slices: z.number().int(),
  backend: z.string(),
  /** The training data in words, for the model list (the job's data is a folder path). Absent in older runs. */
  dataDescription: z.string().optional()
})
export type RunConfig = z.infer<typeof RunConfig>

/** A run's progress as last stored (a queued run has none yet). */
export const RunMetrics = z.looseObject({
  globalStep: z.number(),
  totalSteps: z.number(),
  etaSeconds: z.number().nullable(),
  validationDice: z.array(z.object({ epoch: z.number(), dice: z.number() })),
  history: z.array(TrainingStep),
  message: z.string(),
  /** the backend the compute process trains with (the setting may say 'auto') */
  backend: z.string().optional()
})
export type RunMetrics = z.infer<typeof RunMetrics>

export const STORED_JSON = {
  reportAutomatic: AutomaticReport,
  trainingRunConfig: RunConfig,
  trainingRunMetrics: RunMetrics.partial()
}

/** The store as the services open it: its JSON columns typed by the schemas above. */
export type PulmoStore = Store<AutomaticReport, RunConfig, Partial<RunMetrics>>
