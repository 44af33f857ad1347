import { z } from 'zod'
import type { Db } from '../database'
import type { PatternOverride } from '../../../shared/ctPattern'
import { nowIso, parseRow, reportRow, type RegionEditRecord, type ReportRow } from './rows'

type RegionEdit = z.infer<typeof RegionEditRecord>
const columns = `id, series_ref AS seriesRef, mask_ref AS maskRef, automatic, edits, pattern_override AS patternOverride, findings, impression,
  signed_by AS signedBy, signed_at AS signedAt, signed_pdf_path AS signedPdfPath, signed_pdf_sha256 AS signedPdfSha256,
  amends_ref AS amendsRef, created_at AS createdAt, updated_at AS updatedAt`

/**
 * Severity reports. Automatic values and the radiologist's edits are stored apart so that what the
 * model proposed is never lost; a signed report is frozen.
 */
export class ReportRepository<Automatic = unknown> {
  private readonly rowSchema

  constructor(
    private readonly db: Db,
    /** the schema of the automatic part, given by the layer that computes it */
    automatic: z.ZodType<Automatic>
  ) {
    this.rowSchema = reportRow(automatic)
  }

  private fromRaw(r: unknown): ReportRow<Automatic> {
    // The automatic part was parsed by the owner's schema: its output is the owner's type.
    return parseRow(this.rowSchema, 'severity_reports', r) as ReportRow<Automatic>
  }

  /** A new draft; an amendment names the signed report it supersedes and may start from its text and edits. */
  create(
    seriesRef: number,
    maskRef: number | null,
    automatic: Automatic,
    amendment?: { amendsRef: number; edits: RegionEdit[]; findings: string; impression: string; patternOverride?: PatternOverride | null }
  ): ReportRow<Automatic> {
    const at = nowIso()
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO severity_reports (series_ref, mask_ref, automatic, edits, pattern_override, findings, impression, amends_ref, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          seriesRef,
          maskRef,
          JSON.stringify(automatic),
          JSON.stringify(amendment?.edits ?? []),
          amendment?.patternOverride ? JSON.stringify(amendment.patternOverride) : null,
          amendment?.findings ?? '',
          amendment?.impression ?? '',
          amendment?.amendsRef ?? null,
          at,
          at
        ).lastInsertRowid
    )
    return this.get(id) as ReportRow<Automatic>
  }

  /** Every report of a series, oldest first. */
  forSeries(seriesRef: number): ReportRow<Automatic>[] {
    return (this.db.prepare(`SELECT ${columns} FROM severity_reports WHERE series_ref = ? ORDER BY id`).all(seriesRef)).map((r) => this.fromRaw(r))
  }

  /** The report that amends `id`, if any. */
  amendmentOf(id: number): ReportRow<Automatic> | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM severity_reports WHERE amends_ref = ? ORDER BY id DESC LIMIT 1`).get(id)
    return r === undefined ? undefined : this.fromRaw(r)
  }

  /** Rescoring an unsigned draft from another mask version: its edits and text stay. A signed report is refused. */
  replaceAutomatic(id: number, maskRef: number | null, automatic: Automatic): ReportRow<Automatic> {
    const result = this.db
      .prepare('UPDATE severity_reports SET mask_ref = ?, automatic = ?, updated_at = ? WHERE id = ? AND signed_at IS NULL')
      .run(maskRef, JSON.stringify(automatic), nowIso(), id)
    if (result.changes !== 1) throw new Error(`Report ${id} does not exist or is signed; a signed report is never changed.`)
    return this.get(id) as ReportRow<Automatic>
  }

  get(id: number): ReportRow<Automatic> | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM severity_reports WHERE id = ?`).get(id)
    return r === undefined ? undefined : this.fromRaw(r)
  }

  signedPdfPaths(): string[] {
    return this.db.prepare('SELECT signed_pdf_path FROM severity_reports WHERE signed_pdf_path IS NOT NULL').pluck().all().map((p) => z.string().parse(p))
  }

  latestForSeries(seriesRef: number): ReportRow<Automatic> | undefined {
    const r = this.db
      .prepare(`SELECT ${columns} FROM severity_reports WHERE series_ref = ? ORDER BY id DESC LIMIT 1`)
      .get(seriesRef)
    return r === undefined ? undefined : this.fromRaw(r)
  }

  /** `patternOverride`: the radiologist's category; null takes it back to Pulmo's proposal; undefined leaves it. */
  update(id: number, change: { edits?: RegionEdit[]; findings?: string; impression?: string; patternOverride?: PatternOverride | null }): ReportRow<Automatic> {
    const current = this.get(id)
    if (!current) throw new Error(`No report ${id}`)
    if (current.signedAt) throw new Error(`Report ${id} was signed by ${current.signedBy}; it can no longer change.`)
    this.db
      .prepare('UPDATE severity_reports SET edits = ?, pattern_override = ?, findings = ?, impression = ?, updated_at = ? WHERE id = ?')
      .run(
        JSON.stringify(change.edits ?? current.edits),
        change.patternOverride === undefined ? (current.patternOverride ? JSON.stringify(current.patternOverride) : null) : change.patternOverride ? JSON.stringify(change.patternOverride) : null,
        change.findings ?? current.findings,
        change.impression ?? current.impression,
        nowIso(),
        id
      )
    return this.get(id) as ReportRow<Automatic>
  }

  /** Signs a report once; `pdf` is the signed document already stored in the data folder. */
  sign(id: number, by: string, at: string = nowIso(), pdf?: { path: string; sha256: string }): ReportRow<Automatic> {
    const result = this.db
      .prepare(
        `UPDATE severity_reports SET signed_by = ?, signed_at = ?, signed_pdf_path = ?, signed_pdf_sha256 = ?, updated_at = ?
         WHERE id = ? AND signed_at IS NULL`
      )
      .run(by, at, pdf?.path ?? null, pdf?.sha256 ?? null, at, id)
    if (result.changes !== 1) throw new Error(`Report ${id} does not exist or is already signed.`)
    return this.get(id) as ReportRow<Automatic>
  }
}
