import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, type SeverityReportView } from '../../shared/api'
import { nowIso, type ReportRow } from '../db'
import { buildKeyImages, renderReportPdf, writeReportPdf, type RegionScoreEdit, type ReportInput } from '../report'
import type { SeverityReport } from '../severity/scores'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import { deidentifyReportInput, pseudonymKeys, storedSeriesMetadata } from './privacy'
import { removeUnreferenced, storeBytes } from './storedFiles'
import type { StudyService } from './studies'

/** Signed reports' PDFs, named by a random id, inside the data folder. */
const SIGNED_FOLDER = 'reports'

/** What the database keeps as a report's automatic part. */
export interface AutomaticReport {
  severity: SeverityReport
  model: { name: string; version: string }
  maskVersion: number | null
}

/** The last edit per region wins; edits back to the automatic score are kept in the history too. */
function latestEdits(edits: unknown[]): Map<string, RegionScoreEdit> {
  const out = new Map<string, RegionScoreEdit>()
  for (const e of edits as RegionScoreEdit[]) out.set(e.regionId, e)
  return out
}

/** Severity reports: automatic values, the radiologist's edits kept apart, sign-off, PDF. */
export class ReportService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly masks: MaskService
  ) {
    removeUnreferenced(ctx.dataDir, SIGNED_FOLDER, new Set(ctx.store.reports.signedPdfPaths()))
  }

  create(seriesId: number, maskId: number | null, automatic: AutomaticReport): SeverityReportView {
    const row = this.ctx.store.reports.create(seriesId, maskId, automatic)
    return this.view(row)
  }

  private row(reportId: number): ReportRow {
    const row = this.ctx.store.reports.get(reportId)
    if (!row) throw new ApiError('not-found', `There is no report ${reportId}.`)
    return row
  }

  view(row: ReportRow): SeverityReportView {
    const auto = row.automatic as AutomaticReport
    const s = auto.severity
    const edits = latestEdits(row.edits)
    const regions = s.ctss.regions.map((r) => {
      const e = edits.get(r.id)
      return {
        id: r.id,
        name: r.name,
        lung: r.lung,
        lungVolumeMl: r.lungVolumeMl,
        infectedVolumeMl: r.infectedVolumeMl,
        percent: r.percent,
        score: r.score,
        edited: e && e.score !== r.score ? { score: e.score, by: e.by, at: e.at } : null
      }
    })
    const final = regions.reduce((sum, r) => sum + (r.edited?.score ?? r.score), 0)
    return {
      id: row.id,
      seriesId: row.seriesRef,
      maskVersion: auto.maskVersion,
      model: auto.model,
      lungVolumeMl: s.lungVolumeMl,
      infectedVolumeMl: s.infectedVolumeMl,
      ggoVolumeMl: s.ggoVolumeMl,
      consolidationVolumeMl: s.consolidationVolumeMl,
      percentInfected: s.percentInfected,
      regions,
      lobes: s.lobar.lobes.map((l) => ({ id: l.id, name: l.name, lungVolumeMl: l.lungVolumeMl, infectedVolumeMl: l.infectedVolumeMl, percent: l.percent, score: l.score })),
      ctss: { automatic: s.ctss.total, final, severe: final > 19.5 },
      lobarTotal: s.lobar.total,
      severity: s.severity,
      infectionPresent: s.infectionPresent,
      findings: row.findings,
      impression: row.impression,
      signedBy: row.signedBy,
      signedAt: row.signedAt,
      updatedAt: row.updatedAt
    }
  }

  latest(seriesId: number): SeverityReportView | null {
    this.studies.seriesRow(seriesId)
    const row = this.ctx.store.reports.latestForSeries(seriesId)
    if (row) this.ctx.store.audit.record(this.ctx.userName(), 'view', 'report', row.id)
    return row ? this.view(row) : null
  }

  update(reportId: number, change: { regionScores?: Array<{ regionId: string; score: number }>; findings?: string; impression?: string }): SeverityReportView {
    const row = this.row(reportId)
    if (row.signedAt) throw new ApiError('conflict', `The report was signed by ${row.signedBy} on ${row.signedAt}; it can no longer change.`)
    const current = this.view(row)
    const by = this.ctx.userName()
    const at = new Date().toISOString()
    const edits = [...row.edits]
    for (const { regionId, score } of change.regionScores ?? []) {
      const region = current.regions.find((r) => r.id === regionId)
      if (!region) throw new ApiError('validation', `Unknown region ${regionId}.`)
      if ((region.edited?.score ?? region.score) !== score) edits.push({ regionId: regionId as RegionScoreEdit['regionId'], score, by, at })
    }
    const updated = this.ctx.store.reports.update(reportId, { edits, findings: change.findings, impression: change.impression })
    this.ctx.store.audit.record(by, 'edit', 'report', reportId, { regions: change.regionScores?.map((r) => r.regionId) ?? [] })
    return this.view(updated)
  }

  /**
   * Signs the report: the PDF as signed is stored first (temporary name, flushed, renamed), then the
   * sign-off, the PDF's path and SHA-256 and the audit entry commit in one transaction. A crash at
   * any point leaves either an unsigned report or a signed one whose PDF is complete.
   */
  async sign(reportId: number): Promise<SeverityReportView> {
    const row = this.row(reportId)
    if (row.signedAt) throw new ApiError('conflict', `The report was already signed by ${row.signedBy}.`)
    const by = this.ctx.userName()
    const at = nowIso()
    const bytes = await renderReportPdf(await this.input({ ...row, signedBy: by, signedAt: at }))
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const path = await storeBytes(this.ctx.dataDir, SIGNED_FOLDER, '.pdf', bytes)
    try {
      const signed = this.ctx.store.db.transaction(() => {
        const current = this.row(reportId)
        if (current.signedAt) throw new ApiError('conflict', `The report was already signed by ${current.signedBy}.`)
        const updated = this.ctx.store.reports.sign(reportId, by, at, { path, sha256 })
        this.ctx.store.audit.record(by, 'sign', 'report', reportId, { sha256 })
        return updated
      })()
      this.ctx.emit({ type: 'studies-changed' })
      return this.view(signed)
    } catch (e) {
      rmSync(join(this.ctx.dataDir, path), { force: true })
      throw e
    }
  }

  private async input(row: ReportRow): Promise<ReportInput> {
    const auto = row.automatic as AutomaticReport
    const series = this.studies.seriesRow(row.seriesRef)
    const study = this.ctx.store.studies.study(series.studyRef)!
    const patient = this.ctx.store.studies.patient(study.patientRef)!
    const volume = await this.studies.volume(row.seriesRef)
    const labels = await this.masks.labels(row.seriesRef, auto.maskVersion ?? undefined)
    return {
      patient: { name: patient.name, id: patient.patientId, birthDate: patient.birthDate ?? undefined, sex: patient.sex ?? undefined },
      study: { date: study.studyDate, description: study.description, accessionNumber: study.accessionNumber },
      series: { number: series.seriesNumber ?? undefined, description: series.description, dimensions: [series.columns, series.rows, series.slices], spacing: series.spacing },
      severity: auto.severity,
      edits: [...latestEdits(row.edits).values()],
      keyImages: buildKeyImages(volume, labels),
      model: auto.model,
      findings: row.findings,
      impression: row.impression,
      signedBy: row.signedBy ?? undefined,
      signedAt: row.signedAt ?? undefined
    }
  }

  /** The PDF for sharing: de-identified (pseudonym, shifted dates) unless `identified` is asked for. */
  async pdf(reportId: number, path?: string, options: { identified?: boolean } = {}): Promise<{ path: string } | Uint8Array<ArrayBuffer>> {
    const row = this.row(reportId)
    const deidentified = options.identified !== true
    const identity = storedSeriesMetadata(this.ctx.store, this.studies.seriesRow(row.seriesRef))
    const keys = pseudonymKeys(this.ctx.store)
    const input = deidentified ? deidentifyReportInput(await this.input(row), identity, keys) : await this.input(row)
    this.ctx.store.audit.record(this.ctx.userName(), 'export', 'report', reportId, {
      format: 'pdf',
      deidentified,
      path: path ?? 'download',
      ...(deidentified ? { pseudonym: input.patient.id } : {})
    })
    if (path) {
      await writeReportPdf(path, input)
      return { path }
    }
    const bytes = await renderReportPdf(input)
    return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }
}
