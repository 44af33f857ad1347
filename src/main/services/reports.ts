import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, type ReportRecord, type SeverityReportView } from '../../shared/api'
import type { SeriesComparison } from '../../shared/followUp'
import { latestRegionEdits, regionEdited, regionFinalScore } from '../../shared/severityScoring'
import { finalPattern, PATTERN_RULE, type CoRads, type RsnaCategory } from '../../shared/ctPattern'
import { ctPatternOf } from '../pattern/ctPatternOf'
import { nowIso, type MaskRow, type ReportRow as StoredReportRow } from '../db'
import { buildKeyImages, renderReportPdf, reportFinalScores, writeReportPdf, type ReportInput } from '../report'
import { anatomicalRegions } from '../regions/regions'
import { scoreMask } from '../scores/scoreMask'
import type { SeverityReport } from '../scores/scores'
import { readNifti } from '../volume'
import type { SeriesMetadata } from '../volume/volume'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import { deidentifyReportInput, pseudonymKeys, storedSeriesMetadata } from './privacy'
import { removeUnreferenced, storeBytes } from './storedFiles'
import { companionPath } from './analysisFiles'
import type { StudyService } from './studies'
import type { AutomaticReport } from './records'

export type { AutomaticReport } from './records'
type ReportRow = StoredReportRow<AutomaticReport>

/** Signed reports' PDFs, named by a random id, inside the data folder. */
const SIGNED_FOLDER = 'reports'

/**
 * Severity reports: automatic values (from one mask version), the radiologist's edits kept apart,
 * sign-off, PDF. A signed report is a record: nothing changes it; re-analysis and rescoring after
 * it create an amendment that names it.
 */
export class ReportService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly masks: MaskService,
    /** the comparison a follow-up report carries: the series against the patient's previous study */
    private readonly followUp?: (seriesId: number, reportId: number) => Promise<SeriesComparison | null>
  ) {
    removeUnreferenced(ctx.dataDir, SIGNED_FOLDER, new Set(ctx.store.reports.signedPdfPaths()))
  }

  private row(reportId: number): ReportRow {
    const row = this.ctx.store.reports.get(reportId)
    if (!row) throw new ApiError('not-found', `There is no report ${reportId}.`)
    return row
  }

  private maskOf(row: ReportRow): MaskRow | undefined {
    return row.maskRef === null ? undefined : this.ctx.store.masks.get(row.maskRef)
  }

  view(row: ReportRow): SeverityReportView {
    const auto = row.automatic
    const s = auto.severity
    const scores = reportFinalScores(s, row.edits)
    const latest = latestRegionEdits(row.edits)
    const regions = s.ctss.regions.map((r) => {
      const e = latest.get(r.id)
      return {
        id: r.id,
        name: r.name,
        lung: r.lung,
        lobe: r.lobe,
        lungVolumeMl: r.lungVolumeMl,
        infectedVolumeMl: r.infectedVolumeMl,
        percent: r.percent,
        score: r.score,
        edited: regionEdited(e, r.score)
      }
    })
    const finalLobe = new Map(scores.lobes.map((l) => [l.id, l.final]))
    const mask = this.maskOf(row)
    const amended = row.amendsRef === null ? undefined : this.ctx.store.reports.get(row.amendsRef)
    return {
      id: row.id,
      seriesId: row.seriesRef,
      maskVersion: auto.maskVersion,
      mask: mask
        ? { version: mask.version, source: mask.source, author: mask.author, createdAt: mask.createdAt, revertedTo: mask.revertedTo }
        : null,
      model: auto.model,
      lungVolumeMl: s.lungVolumeMl,
      infectedVolumeMl: s.infectedVolumeMl,
      ggoVolumeMl: s.ggoVolumeMl,
      consolidationVolumeMl: s.consolidationVolumeMl,
      percentInfected: s.percentInfected,
      regions,
      lobes: s.lobar.lobes.map((l) => ({
        id: l.id,
        name: l.name,
        lungVolumeMl: l.lungVolumeMl,
        infectedVolumeMl: l.infectedVolumeMl,
        percent: l.percent,
        score: l.score,
        finalScore: finalLobe.get(l.id) ?? l.score
      })),
      ctss: { automatic: scores.ctss.automatic, final: scores.ctss.final, severe: scores.ctss.severe },
      lobarTotal: scores.lobar.final,
      severity: scores.severity.final,
      infectionPresent: scores.infectionPresent.final,
      automatic: { lobarTotal: scores.lobar.automatic, severity: scores.severity.automatic, infectionPresent: scores.infectionPresent.automatic },
      scoring: s.options,
      warnings: auto.warnings ?? [],
      pattern: {
        proposed: auto.pattern ?? null,
        override: row.patternOverride,
        final: auto.pattern ? finalPattern(auto.pattern, row.patternOverride) : null,
        rule: PATTERN_RULE
      },
      amends: amended?.signedAt ? { reportId: amended.id, signedBy: amended.signedBy ?? '', signedAt: amended.signedAt } : null,
      amendedBy: this.ctx.store.reports.amendmentOf(row.id)?.id ?? null,
      findings: row.findings,
      impression: row.impression,
      signedBy: row.signedBy,
      signedAt: row.signedAt,
      signedPdfSha256: row.signedPdfSha256,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt
    }
  }

  /** The series' current report (the newest), viewed. */
  latest(seriesId: number): SeverityReportView | null {
    this.studies.seriesRow(seriesId)
    const row = this.ctx.store.reports.latestForSeries(seriesId)
    if (row) this.ctx.store.audit.record(this.ctx.userName(), 'view', 'report', row.id)
    return row ? this.view(row) : null
  }

  get(reportId: number): SeverityReportView {
    const row = this.row(reportId)
    this.ctx.store.audit.record(this.ctx.userName(), 'view', 'report', row.id)
    return this.view(row)
  }

  list(seriesId: number): ReportRecord[] {
    this.studies.seriesRow(seriesId)
    return this.ctx.store.reports.forSeries(seriesId).map((row) => {
      const v = this.view(row)
      return {
        id: v.id,
        seriesId: v.seriesId,
        maskVersion: v.maskVersion,
        ctss: v.ctss.final,
        lobarTotal: v.lobarTotal,
        severity: v.severity,
        signedBy: v.signedBy,
        signedAt: v.signedAt,
        hasSignedPdf: row.signedPdfPath !== null,
        amends: row.amendsRef,
        amendedBy: v.amendedBy,
        createdAt: row.createdAt
      }
    })
  }

  /**
   * Puts a new automatic result (an analysis, or a rescoring from a mask version) into the series'
   * report: the unsigned current report takes it in place, its edits and text kept; after a signed
   * report, a new draft amends the signed one, starting from its text and region edits; without a
   * report, a new one. The signed report is never touched.
   */
  attach(seriesId: number, maskId: number | null, automatic: AutomaticReport, cause: 'analysis' | 'rescore'): SeverityReportView {
    const by = this.ctx.userName()
    const row = this.ctx.store.transaction(() => {
      const current = this.ctx.store.reports.latestForSeries(seriesId)
      const detail = { seriesId, maskVersion: automatic.maskVersion, cause }
      if (current && !current.signedAt) {
        const previous = current.automatic.maskVersion
        const updated = this.ctx.store.reports.replaceAutomatic(current.id, maskId, automatic)
        this.ctx.store.audit.record(by, 'rescore', 'report', current.id, { ...detail, fromMaskVersion: previous })
        return updated
      }
      if (current?.signedAt) {
        const created = this.ctx.store.reports.create(seriesId, maskId, automatic, {
          amendsRef: current.id,
          edits: current.edits,
          patternOverride: current.patternOverride,
          findings: current.findings,
          impression: current.impression
        })
        this.ctx.store.audit.record(by, 'amend', 'report', created.id, { ...detail, amends: current.id, amendsSignedBy: current.signedBy })
        return created
      }
      const created = this.ctx.store.reports.create(seriesId, maskId, automatic)
      this.ctx.store.audit.record(by, 'create', 'report', created.id, detail)
      return created
    })
    this.ctx.emit({ type: 'studies-changed' })
    return this.view(row)
  }

  /**
   * Rescores the series from a mask version without running the model: the lungs and regions of
   * the last analysis, the infection labels of that version. Needs an analysis (the lung mask).
   */
  async rescore(seriesId: number, maskVersion: number): Promise<SeverityReportView> {
    this.studies.seriesRow(seriesId)
    const mask = this.masks.versionRow(seriesId, maskVersion)
    if (!mask) throw new ApiError('not-found', `Series ${seriesId} has no mask version ${maskVersion}.`)
    const lungPath = this.ctx.store.studies.lungMaskPath(seriesId)
    const current = this.ctx.store.reports.latestForSeries(seriesId)
    if (!lungPath || !current) {
      throw new ApiError('conflict', `Series ${seriesId} has not been analysed: Analyze finds the lungs the scores are measured in.`)
    }
    const previous = current.automatic
    const { severity, pattern } = await this.scoresFromMask(seriesId, maskVersion, previous.severity.options)
    return this.attach(seriesId, mask.id, { ...previous, severity, pattern, maskVersion }, 'rescore')
  }

  /**
   * The severity and CT pattern measured from a mask version's labels inside the lungs and regions
   * of the last analysis, through the one scoreMask(); the geometry comes from the series row.
   */
  async scoresFromMask(
    seriesId: number,
    maskVersion: number,
    options: SeverityReport['options']
  ): Promise<{ severity: SeverityReport; pattern: AutomaticReport['pattern'] }> {
    const lungPath = this.ctx.store.studies.lungMaskPath(seriesId)
    if (!lungPath) throw new ApiError('conflict', `Series ${seriesId} has not been analysed: Analyze finds the lungs the scores are measured in.`)
    const [lungs, infection] = await Promise.all([readNifti(join(this.ctx.dataDir, lungPath), { unit: 'label' }), this.masks.labels(seriesId, maskVersion)])
    const lungLabels = lungs.data instanceof Uint8Array ? lungs.data : Uint8Array.from(lungs.data)
    const geometry = this.studies.geometry(seriesId)
    // The regions within the anatomical lobes of the same analysis; an analysis from before the
    // anatomical lobes has none stored, and they are found from the CT once now.
    const regionsFile = join(this.ctx.dataDir, companionPath(lungPath, 'regions'))
    const regionLabels = existsSync(regionsFile)
      ? Uint8Array.from((await readNifti(regionsFile, { unit: 'label' })).data)
      : anatomicalRegions(await this.studies.volume(seriesId), lungLabels).regionLabels
    const { report: severity } = scoreMask({ geometry, lungLabels, regionLabels, infectionLabels: infection }, options)
    const pattern = ctPatternOf({ geometry, lungLabels, regionLabels, infectionLabels: infection })
    return { severity, pattern }
  }

  update(
    reportId: number,
    change: {
      regionScores?: Array<{ regionId: string; score: number }>
      findings?: string
      impression?: string
      pattern?: { rsna: RsnaCategory; coRads: number; note?: string } | null
    }
  ): SeverityReportView {
    const row = this.row(reportId)
    if (row.signedAt) throw new ApiError('conflict', `The report was signed by ${row.signedBy} on ${row.signedAt}; it can no longer change.`)
    const current = this.view(row)
    const by = this.ctx.userName()
    const at = new Date().toISOString()
    const edits = [...row.edits]
    for (const { regionId, score } of change.regionScores ?? []) {
      const region = current.regions.find((r) => r.id === regionId)
      if (!region) throw new ApiError('validation', `Unknown region ${regionId}.`)
      if (regionFinalScore(region) !== score) edits.push({ regionId, score, by, at })
    }
    if (change.pattern && !row.automatic.pattern) {
      throw new ApiError('conflict', 'This report was made before Pulmo proposed a CT pattern category; rescore or analyse the series first.')
    }
    const patternOverride =
      change.pattern === undefined ? undefined : change.pattern === null ? null : { rsna: change.pattern.rsna, coRads: change.pattern.coRads as CoRads, note: change.pattern.note ?? '', by, at }
    const updated = this.ctx.store.reports.update(reportId, { edits, findings: change.findings, impression: change.impression, patternOverride })
    const proposed = row.automatic.pattern
    this.ctx.store.audit.record(by, 'edit', 'report', reportId, {
      regions: change.regionScores?.map((r) => r.regionId) ?? [],
      ...(patternOverride !== undefined
        ? { pattern: patternOverride ? { rsna: patternOverride.rsna, coRads: patternOverride.coRads, proposed: { rsna: proposed?.rsna, coRads: proposed?.coRads } } : 'proposal restored' }
        : {})
    })
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
      const signed = this.ctx.store.transaction(() => {
        const current = this.row(reportId)
        if (current.signedAt) throw new ApiError('conflict', `The report was already signed by ${current.signedBy}.`)
        const updated = this.ctx.store.reports.sign(reportId, by, at, { path, sha256 })
        const auto = current.automatic
        const pattern = auto.pattern ? finalPattern(auto.pattern, current.patternOverride) : null
        this.ctx.store.audit.record(by, 'sign', 'report', reportId, {
          sha256,
          maskVersion: auto.maskVersion,
          ...(pattern ? { pattern: { rsna: pattern.rsna, coRads: pattern.coRads, source: pattern.source } } : {}),
          ...(current.amendsRef !== null ? { amends: current.amendsRef } : {})
        })
        return updated
      })
      this.ctx.emit({ type: 'studies-changed' })
      return this.view(signed)
    } catch (e) {
      rmSync(join(this.ctx.dataDir, path), { force: true })
      throw e
    }
  }

  /** The PDF a report was signed as, byte for byte, after checking its SHA-256. */
  signedPdf(reportId: number): Uint8Array<ArrayBuffer> {
    const row = this.row(reportId)
    if (!row.signedAt || !row.signedPdfPath) throw new ApiError('not-found', `Report ${reportId} has no signed PDF (it is not signed).`)
    const bytes = readFileSync(join(this.ctx.dataDir, row.signedPdfPath))
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (sha256 !== row.signedPdfSha256) throw new ApiError('internal', `The signed PDF of report ${reportId} is damaged (SHA-256 differs).`)
    this.ctx.store.audit.record(this.ctx.userName(), 'view', 'report', reportId, { signedPdf: true, sha256 })
    return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }

  private async input(row: ReportRow): Promise<ReportInput> {
    const auto = row.automatic
    const series = this.studies.seriesRow(row.seriesRef)
    const study = this.ctx.store.studies.study(series.studyRef)!
    const patient = this.ctx.store.studies.patient(study.patientRef)!
    const volume = await this.studies.volume(row.seriesRef)
    // The key images show the mask version the figures come from, not whatever is newest.
    const labels = await this.masks.labels(row.seriesRef, auto.maskVersion ?? undefined)
    const mask = this.maskOf(row)
    const amended = row.amendsRef === null ? undefined : this.ctx.store.reports.get(row.amendsRef)
    const followUp = await this.followUp?.(row.seriesRef, row.id)
    return {
      patient: { name: patient.name, id: patient.patientId, birthDate: patient.birthDate ?? undefined, sex: patient.sex ?? undefined },
      study: { date: study.studyDate, description: study.description, accessionNumber: study.accessionNumber },
      series: { number: series.seriesNumber ?? undefined, description: series.description, dimensions: [series.columns, series.rows, series.slices], spacing: series.spacing },
      severity: auto.severity,
      ...(auto.pattern ? { pattern: { proposed: auto.pattern, final: finalPattern(auto.pattern, row.patternOverride) } } : {}),
      edits: [...latestRegionEdits(row.edits).values()],
      keyImages: buildKeyImages(volume, labels),
      model: auto.model,
      ...(auto.multiclassModel ? { multiclassModel: auto.multiclassModel } : {}),
      findings: row.findings,
      impression: row.impression,
      signedBy: row.signedBy ?? undefined,
      signedAt: row.signedAt ?? undefined,
      generatedAt: new Date(),
      reportId: row.id,
      warnings: auto.warnings ?? [],
      ...(mask ? { maskVersion: { version: mask.version, source: mask.source, author: mask.author, createdAt: mask.createdAt } } : {}),
      ...(amended?.signedAt ? { amends: { reportId: amended.id, signedBy: amended.signedBy ?? '', signedAt: amended.signedAt } } : {}),
      ...(followUp ? { followUp } : {})
    }
  }

  /**
   * The PDF of a report that is not stored (`pulmo report PATH`): de-identified with this
   * installation's pseudonym keys unless `identified`, written atomically, and audited as an export.
   */
  async exportUnstored(input: ReportInput, identity: SeriesMetadata, path: string, options: { identified: boolean; source: string }): Promise<void> {
    const deidentified = !options.identified
    const shared = deidentified ? deidentifyReportInput(input, identity, pseudonymKeys(this.ctx.store)) : input
    await writeReportPdf(path, shared)
    this.ctx.store.audit.record(this.ctx.userName(), 'export', 'series', null, {
      format: 'pdf',
      deidentified,
      path,
      source: options.source,
      ...(deidentified ? { pseudonym: shared.patient.id } : {})
    })
  }

  /** The PDF for sharing: de-identified (pseudonym, every date shifted) unless `identified` is asked for. */
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
      maskVersion: row.automatic.maskVersion,
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
