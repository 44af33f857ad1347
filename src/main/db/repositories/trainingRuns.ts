import type { z } from 'zod'
import type { Db } from '../database'
import { nowIso, parseRow, trainingRunRow, type TrainingRunRow } from './rows'

const columns = `id, model_ref AS modelRef, config, status, checkpoint_path AS checkpointPath, metrics,
  started_at AS startedAt, finished_at AS finishedAt`

/** Training runs; their configuration and progress are JSON of the training service, parsed with its schemas. */
export class TrainingRunRepository<Config = unknown, Metrics = unknown> {
  private readonly rowSchema

  constructor(
    private readonly db: Db,
    config: z.ZodType<Config>,
    metrics: z.ZodType<Metrics>
  ) {
    this.rowSchema = trainingRunRow(config, metrics)
  }

  private fromRaw(r: unknown): TrainingRunRow<Config, Metrics> {
    // config and metrics were parsed by the owner's schemas: their output is the owner's types.
    return parseRow(this.rowSchema, 'training_runs', r) as TrainingRunRow<Config, Metrics>
  }

  /**
   * A queued run without its configuration yet (its folder, named by the id, is prepared first);
   * `replaceConfig` gives it one. Returns the id: the row is not a run until it has its configuration.
   */
  create(modelRef: number | null): { id: number } {
    const id = Number(
      this.db
        .prepare('INSERT INTO training_runs (model_ref, config, status, started_at) VALUES (?, ?, ?, ?)')
        .run(modelRef, '{}', 'queued', nowIso()).lastInsertRowid
    )
    return { id }
  }

  get(id: number): TrainingRunRow<Config, Metrics> | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM training_runs WHERE id = ?`).get(id)
    return r === undefined ? undefined : this.fromRaw(r)
  }

  list(): TrainingRunRow<Config, Metrics>[] {
    return this.db.prepare(`SELECT ${columns} FROM training_runs ORDER BY id DESC`).all().map((r) => this.fromRaw(r))
  }

  update(
    id: number,
    change: Partial<Pick<TrainingRunRow<Config, Metrics>, 'status' | 'checkpointPath' | 'metrics' | 'modelRef'>>
  ): TrainingRunRow<Config, Metrics> {
    const current = this.get(id)
    if (!current) throw new Error(`No training run ${id}`)
    const next = { ...current, ...change }
    const ended = ['cancelled', 'failed', 'finished'].includes(next.status)
    this.db
      .prepare(
        'UPDATE training_runs SET status = ?, checkpoint_path = ?, metrics = ?, model_ref = ?, finished_at = ? WHERE id = ?'
      )
      .run(next.status, next.checkpointPath, JSON.stringify(next.metrics), next.modelRef, ended ? nowIso() : null, id)
    return this.get(id) as TrainingRunRow<Config, Metrics>
  }

  /** A run's configuration replaced and its model unlinked (a run restarted from scratch). */
  replaceConfig(id: number, config: Config): void {
    this.db.prepare('UPDATE training_runs SET config = ?, model_ref = NULL WHERE id = ?').run(JSON.stringify(config), id)
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM training_runs WHERE id = ?').run(id)
  }
}
