import { z } from 'zod'
import { openDatabase, type Db } from './database'
import { AuditRepository } from './repositories/audit'
import { MaskRepository } from './repositories/masks'
import { ModelRepository } from './repositories/models'
import { ReportRepository } from './repositories/reports'
import { SeriesSourceRepository } from './repositories/seriesSources'
import { SettingsRepository } from './repositories/settings'
import { StudyRepository } from './repositories/studies'
import { TrainingRunRepository } from './repositories/trainingRuns'

export type { Db } from './database'
export * from './repositories/rows'
export { MaskConflictError } from './repositories/masks'
export type { SeriesSource } from './repositories/seriesSources'

/**
 * The schemas of the JSON the layers above keep in the database: a report's automatic part, a
 * training run's configuration and progress. Without them those read back as unknown.
 */
export interface StoredJsonSchemas<Automatic, RunConfig, RunMetrics> {
  reportAutomatic: z.ZodType<Automatic>
  trainingRunConfig: z.ZodType<RunConfig>
  trainingRunMetrics: z.ZodType<RunMetrics>
}

/** The database and one repository per table group. */
export interface Store<Automatic = unknown, RunConfig = unknown, RunMetrics = unknown> {
  /** The connection, for tests and migrations; services go through the repositories. */
  db: Db
  studies: StudyRepository
  masks: MaskRepository
  reports: ReportRepository<Automatic>
  models: ModelRepository
  trainingRuns: TrainingRunRepository<RunConfig, RunMetrics>
  audit: AuditRepository
  settings: SettingsRepository
  seriesSources: SeriesSourceRepository
  /** Runs `work` in one transaction: all of its writes or none. */
  transaction<T>(work: () => T): T
  close(): void
}

const untyped = { reportAutomatic: z.unknown(), trainingRunConfig: z.unknown(), trainingRunMetrics: z.unknown() }

export function openStore<Automatic = unknown, RunConfig = unknown, RunMetrics = unknown>(
  file: string,
  json: StoredJsonSchemas<Automatic, RunConfig, RunMetrics> = untyped as StoredJsonSchemas<Automatic, RunConfig, RunMetrics>
): Store<Automatic, RunConfig, RunMetrics> {
  const db = openDatabase(file)
  return {
    db,
    studies: new StudyRepository(db),
    masks: new MaskRepository(db),
    reports: new ReportRepository(db, json.reportAutomatic),
    models: new ModelRepository(db),
    trainingRuns: new TrainingRunRepository(db, json.trainingRunConfig, json.trainingRunMetrics),
    audit: new AuditRepository(db),
    settings: new SettingsRepository(db),
    seriesSources: new SeriesSourceRepository(db),
    transaction: (work) => db.transaction(work)(),
    close: () => db.close()
  }
}
