import type { Db } from '../database'
import { nowIso, type ModelRow } from './rows'

type RawModel = Omit<ModelRow, 'card' | 'active'> & { card: string; active: number }
const columns = 'id, name, version, kind, path, card, active, created_at AS createdAt'
const fromRaw = (r: RawModel): ModelRow => ({ ...r, card: JSON.parse(r.card), active: r.active === 1 })

/** Registered segmentation models; one per kind is active. */
export class ModelRepository {
  constructor(private readonly db: Db) {}

  register(m: Omit<ModelRow, 'id' | 'createdAt' | 'active'>): ModelRow {
    const existing = this.db
      .prepare(`SELECT ${columns} FROM models WHERE name = ? AND version = ?`)
      .get(m.name, m.version) as RawModel | undefined
    if (existing) return fromRaw(existing)
    const id = Number(
      this.db
        .prepare('INSERT INTO models (name, version, kind, path, card, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(m.name, m.version, m.kind, m.path, JSON.stringify(m.card), nowIso()).lastInsertRowid
    )
    return this.get(id) as ModelRow
  }

  get(id: number): ModelRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM models WHERE id = ?`).get(id) as RawModel | undefined
    return r && fromRaw(r)
  }

  list(): ModelRow[] {
    return (this.db.prepare(`SELECT ${columns} FROM models ORDER BY id`).all() as RawModel[]).map(fromRaw)
  }

  active(kind: string): ModelRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM models WHERE kind = ? AND active = 1`).get(kind) as
      | RawModel
      | undefined
    return r && fromRaw(r)
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
