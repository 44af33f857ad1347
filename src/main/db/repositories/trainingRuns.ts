import type { Db } from '../database'
import { nowIso, type TrainingRunRow } from './rows'

type RawRun = Omit<TrainingRunRow, 'config' | 'metrics'> & { config: string; metrics: string }
const columns = `id, model_ref AS modelRef, config, status, checkpoint_path AS checkpointPath, metrics,
  started_at AS startedAt, finished_at AS finishedAt`
const fromRaw = (r: RawRun): TrainingRunRow => ({ ...r, config: JSON.parse(r.config), metrics: JSON.parse(r.metrics) })

export class TrainingRunRepository {
  constructor(private readonly db: Db) {}

  create(config: Record<string, unknown>, modelRef: number | null): TrainingRunRow {
    const id = Number(
      this.db
        .prepare('INSERT INTO training_runs (model_ref, config, status, started_at) VALUES (?, ?, ?, ?)')
        .run(modelRef, JSON.stringify(config), 'queued', nowIso()).lastInsertRowid
    )
    return this.get(id) as TrainingRunRow
  }

  get(id: number): TrainingRunRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM training_runs WHERE id = ?`).get(id) as RawRun | undefined
    return r && fromRaw(r)
  }

  list(): TrainingRunRow[] {
    return (this.db.prepare(`SELECT ${columns} FROM training_runs ORDER BY id DESC`).all() as RawRun[]).map(fromRaw)
  }

  update(
    id: number,
    change: Partial<Pick<TrainingRunRow, 'status' | 'checkpointPath' | 'metrics' | 'modelRef'>>
  ): TrainingRunRow {
    const current = this.get(id)
    if (!current) throw new Error(`No training run ${id}`)
    const next = { ...current, ...change }
    const ended = ['cancelled', 'failed', 'finished'].includes(next.status)
    this.db
      .prepare(
        'UPDATE training_runs SET status = ?, checkpoint_path = ?, metrics = ?, model_ref = ?, finished_at = ? WHERE id = ?'
      )
      .run(next.status, next.checkpointPath, JSON.stringify(next.metrics), next.modelRef, ended ? nowIso() : null, id)
    return this.get(id) as TrainingRunRow
  }
}
