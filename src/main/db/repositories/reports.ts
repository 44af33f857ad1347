import type { Db } from '../database'
import { nowIso, type ReportRow } from './rows'

type RawReport = Omit<ReportRow, 'automatic' | 'edits'> & { automatic: string; edits: string }
const columns = `id, series_ref AS seriesRef, mask_ref AS maskRef, automatic, edits, findings, impression,
  signed_by AS signedBy, signed_at AS signedAt, signed_pdf_path AS signedPdfPath, signed_pdf_sha256 AS signedPdfSha256,
  amends_ref AS amendsRef, created_at AS createdAt, updated_at AS updatedAt`
const fromRaw = (r: RawReport): ReportRow => ({ ...r, automatic: JSON.parse(r.automatic), edits: JSON.parse(r.edits) })

/**
 * Severity reports. Automatic values and the radiologist's edits are stored apart so that what the
 * model proposed is never lost; a signed report is frozen.
 */
export class ReportRepository {
  constructor(private readonly db: Db) {}

  /** A new draft; an amendment names the signed report it supersedes and may start from its text and edits. */
  create(
    seriesRef: number,
    maskRef: number | null,
    automatic: unknown,
    amendment?: { amendsRef: number; edits: unknown[]; findings: string; impression: string }
  ): ReportRow {
    const at = nowIso()
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO severity_reports (series_ref, mask_ref, automatic, edits, findings, impression, amends_ref, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          seriesRef,
          maskRef,
          JSON.stringify(automatic),
          JSON.stringify(amendment?.edits ?? []),
          amendment?.findings ?? '',
          amendment?.impression ?? '',
          amendment?.amendsRef ?? null,
          at,
          at
        ).lastInsertRowid
    )
    return this.get(id) as ReportRow
  }

  /** Every report of a series, oldest first. */
  forSeries(seriesRef: number): ReportRow[] {
    return (this.db.prepare(`SELECT ${columns} FROM severity_reports WHERE series_ref = ? ORDER BY id`).all(seriesRef) as RawReport[]).map(fromRaw)
  }

  /** The report that amends `id`, if any. */
  amendmentOf(id: number): ReportRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM severity_reports WHERE amends_ref = ? ORDER BY id DESC LIMIT 1`).get(id) as RawReport | undefined
    return r && fromRaw(r)
  }

  /** Rescoring an unsigned draft from another mask version: its edits and text stay. A signed report is refused. */
  replaceAutomatic(id: number, maskRef: number | null, automatic: unknown): ReportRow {
    const result = this.db
      .prepare('UPDATE severity_reports SET mask_ref = ?, automatic = ?, updated_at = ? WHERE id = ? AND signed_at IS NULL')
      .run(maskRef, JSON.stringify(automatic), nowIso(), id)
    if (result.changes !== 1) throw new Error(`Report ${id} does not exist or is signed; a signed report is never changed.`)
    return this.get(id) as ReportRow
  }

  get(id: number): ReportRow | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM severity_reports WHERE id = ?`).get(id) as RawReport | undefined
    return r && fromRaw(r)
  }

  signedPdfPaths(): string[] {
    return this.db.prepare('SELECT signed_pdf_path FROM severity_reports WHERE signed_pdf_path IS NOT NULL').pluck().all() as string[]
  }

  latestForSeries(seriesRef: number): ReportRow | undefined {
    const r = this.db
      .prepare(`SELECT ${columns} FROM severity_reports WHERE series_ref = ? ORDER BY id DESC LIMIT 1`)
      .get(seriesRef) as RawReport | undefined
    return r && fromRaw(r)
  }

  update(id: number, change: { edits?: unknown[]; findings?: string; impression?: string }): ReportRow {
    const current = this.get(id)
    if (!current) throw new Error(`No report ${id}`)
    if (current.signedAt) throw new Error(`Report ${id} was signed by ${current.signedBy}; it can no longer change.`)
    this.db
      .prepare('UPDATE severity_reports SET edits = ?, findings = ?, impression = ?, updated_at = ? WHERE id = ?')
      .run(
        JSON.stringify(change.edits ?? current.edits),
        change.findings ?? current.findings,
        change.impression ?? current.impression,
        nowIso(),
        id
      )
    return this.get(id) as ReportRow
  }

  /** Signs a report once; `pdf` is the signed document already stored in the data folder. */
  sign(id: number, by: string, at: string = nowIso(), pdf?: { path: string; sha256: string }): ReportRow {
    const result = this.db
      .prepare(
        `UPDATE severity_reports SET signed_by = ?, signed_at = ?, signed_pdf_path = ?, signed_pdf_sha256 = ?, updated_at = ?
         WHERE id = ? AND signed_at IS NULL`
      )
      .run(by, at, pdf?.path ?? null, pdf?.sha256 ?? null, at, id)
    if (result.changes !== 1) throw new Error(`Report ${id} does not exist or is already signed.`)
    return this.get(id) as ReportRow
  }
}
