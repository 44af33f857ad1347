import type { Db } from '../database'
import { AuditRow, nowIso, parseRow } from './rows'

/** Who viewed, edited, signed and exported what. Append only. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  record(actor: string, action: string, entity: string, entityId: number | null, detail: Record<string, unknown> = {}): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(nowIso(), actor, action, entity, entityId, JSON.stringify(detail))
  }

  /** Entries oldest first; with `limit`, only the latest `limit` of them. */
  list(entity?: string, entityId?: number, limit?: number): AuditRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT id, at, actor, action, entity, entity_id AS entityId, detail FROM audit_log
           WHERE (@entity IS NULL OR entity = @entity) AND (@entityId IS NULL OR entity_id = @entityId)
           ORDER BY id DESC LIMIT @limit
         ) ORDER BY id`
      )
      .all({ entity: entity ?? null, entityId: entityId ?? null, limit: limit ?? -1 })
    return rows.map((r) => parseRow(AuditRow, 'audit_log', r))
  }
}
