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

/** The database and one repository per table group. */
export interface Store {
  db: Db
  studies: StudyRepository
  masks: MaskRepository
  reports: ReportRepository
  models: ModelRepository
  trainingRuns: TrainingRunRepository
  audit: AuditRepository
  settings: SettingsRepository
  seriesSources: SeriesSourceRepository
  close(): void
}

export function openStore(file: string): Store {
  const db = openDatabase(file)
  return {
    db,
    studies: new StudyRepository(db),
    masks: new MaskRepository(db),
    reports: new ReportRepository(db),
    models: new ModelRepository(db),
    trainingRuns: new TrainingRunRepository(db),
    audit: new AuditRepository(db),
    settings: new SettingsRepository(db),
    seriesSources: new SeriesSourceRepository(db),
    close: () => db.close()
  }
}
