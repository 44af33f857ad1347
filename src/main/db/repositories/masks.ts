import { z } from 'zod'
import type { Db } from '../database'
import { MaskRow, nowIso, parseRow } from './rows'

const columns = `id, series_ref AS seriesRef, version, parent_ref AS parentRef, source, model_ref AS modelRef, author,
  created_at AS createdAt, label_set AS labelSet, path, checksum, training_slices AS trainingSlices, reverted_to AS revertedTo`

const fromRaw = (r: unknown): MaskRow => parseRow(MaskRow, 'masks', r)

export class MaskConflictError extends Error {}

/**
 * Mask versions of a series. Versions are never overwritten: a save names the version it started
 * from, and a save based on a stale version is refused (optimistic versioning).
 */
export class MaskRepository {
  constructor(private readonly db: Db) {}

  latest(seriesRef: number): MaskRow | undefined {
    const r = this.db
      .prepare(`SELECT ${columns} FROM masks WHERE series_ref = ? ORDER BY version DESC LIMIT 1`)
      .get(seriesRef)
    return r === undefined ? undefined : fromRaw(r)
  }

  get(id: number): MaskRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM masks WHERE id = ?`).get(id)
    return r === undefined ? undefined : fromRaw(r)
  }

  versions(seriesRef: number): MaskRow[] {
    return this.db.prepare(`SELECT ${columns} FROM masks WHERE series_ref = ? ORDER BY version`).all(seriesRef).map(fromRaw)
  }

  /** Every mask file the database names (relative to the data folder). */
  allPaths(): string[] {
    return this.db.prepare('SELECT path FROM masks').pluck().all().map((p) => z.string().parse(p))
  }

  /** Adds the next version; `expectedLatest` is the version the author started from (0 for none). */
  add(
    m: Omit<MaskRow, 'id' | 'version' | 'createdAt' | 'revertedTo'> & { revertedTo?: number | null },
    expectedLatest: number
  ): MaskRow {
    return this.db.transaction(() => {
      const latest = this.latest(m.seriesRef)?.version ?? 0
      if (latest !== expectedLatest) {
        throw new MaskConflictError(
          `Mask version ${latest} was saved since you opened version ${expectedLatest}; reload and reapply your edits.`
        )
      }
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO masks (series_ref, version, parent_ref, source, model_ref, author, created_at, label_set, path,
               checksum, training_slices, reverted_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
          )
          .run(
            m.seriesRef,
            latest + 1,
            m.parentRef,
            m.source,
            m.modelRef,
            m.author,
            nowIso(),
            JSON.stringify(m.labelSet),
            m.path,
            m.checksum,
            JSON.stringify(m.trainingSlices),
            m.revertedTo ?? null
          ).lastInsertRowid
      )
      return this.get(id) as MaskRow
    })()
  }
}
