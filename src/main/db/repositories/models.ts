import type { Db } from '../database'
import { ModelRow, nowIso, parseRow } from './rows'

const columns = 'id, name, version, kind, path, card, active, created_at AS createdAt'
const fromRaw = (r: unknown): ModelRow => parseRow(ModelRow, 'models', r)

/** Registered segmentation models; one per kind is active. */
export class ModelRepository {
  constructor(private readonly db: Db) {}

  register(m: Omit<ModelRow, 'id' | 'createdAt' | 'active'>): ModelRow {
    const existing = this.db
      .prepare(`SELECT ${columns} FROM models WHERE name = ? AND version = ?`)
      .get(m.name, m.version)
    if (existing) return fromRaw(existing)
    const id = Number(
      this.db
        .prepare('INSERT INTO models (name, version, kind, path, card, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(m.name, m.version, m.kind, m.path, JSON.stringify(m.card), nowIso()).lastInsertRowid
    )
    return this.get(id) as ModelRow
  }

  get(id: number): ModelRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM models WHERE id = ?`).get(id)
    return r === undefined ? undefined : fromRaw(r)
  }

  list(): ModelRow[] {
    return this.db.prepare(`SELECT ${columns} FROM models ORDER BY id`).all().map(fromRaw)
  }

  active(kind: string): ModelRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM models WHERE kind = ? AND active = 1`).get(kind)
    return r === undefined ? undefined : fromRaw(r)
  }

  activate(id: number): void {
    const model = this.get(id)
    if (!model) throw new Error(`No model ${id}`)
    this.db.transaction(() => {
      this.db.prepare('UPDATE models SET active = 0 WHERE kind = ?').run(model.kind)
      this.db.prepare('UPDATE models SET active = 1 WHERE id = ?').run(id)
    })()
  }
}
