import { join } from 'node:path'
import { ApiError, type SeverityReportView } from '../../shared/api'
import {
  extentTrend,
  lobeSummary,
  lungsSummary,
  TREND_RULE,
  type ComparedStudy,
  type HistoryPoint,
  type LungExtent,
  type SeriesComparison
} from '../../shared/followUp'
import { lungVolumeWarning } from '../../shared/lungVolumeChange'
import { regionFinalScore } from '../../shared/severityScoring'
import type { ReportRow as StoredReportRow, SeriesRow } from '../db'
import { daysBetween, patientKey, PSEUDONYM_PREFIX, shiftDate, type PseudonymKeys } from '../privacy'
import type { SeverityReport } from '../scores/scores'
import { axialOrientation } from '../volume/volumeGeometry'
import { readNifti } from '../volume'
import type { ServiceContext } from './context'
import { pseudonymKeys } from './privacy'
import type { AutomaticReport, ReportService } from './reports'

type ReportRow = StoredReportRow<AutomaticReport>
import type { StudyService } from './studies'

const PSEUDONYM = new RegExp(`^${PSEUDONYM_PREFIX}[0-9A-Z]{10}$`)

/** Who a series belongs to: its patient key, and that key in the pseudonym's terms. */
interface PatientIdentity {
  key: string
  pseudonym: string
  /** the key is already a pseudonym (the series was imported from a de-identified export) */
  pseudonymised: boolean
  /** days to add to this series' dates to put them in the pseudonym's time frame */
  shiftDays: number
}

interface AnalysedSeries {
  series: SeriesRow
  report: ReportRow
  view: SeverityReportView
  studyDate: string
  /** the study date in the pseudonym's time frame ('' when unknown): comparable across identified and de-identified imports */
  frameDate: string
  identity: PatientIdentity
}

const delta = (before: number, after: number): { before: number; after: number; change: number } => ({ before, after, change: after - before })

/**
 * Follow-up comparisons: two analysed series of one patient, earlier → later. Volumes and
 * percentages are those each series' current report measured from the mask version it was scored
 * from (a radiologist corrects them by correcting the mask); CT-SS, lobar score and severity are the
 * reports' final scores, the radiologist's region scores included (the one rule of
 * src/shared/severityScoring.ts, through ReportService.view).
 */
export class ComparisonService {
  private readonly extents = new Map<string, LungExtent | null>()

  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly reports: ReportService
  ) {}

  private keys(): PseudonymKeys {
    return pseudonymKeys(this.ctx.store)
  }

  private identity(patient: { patientId: string; name: string }, keys: PseudonymKeys): PatientIdentity | null {
    const key = patientKey({ patientId: patient.patientId, patientName: patient.name })
    if (!key) return null
    if (PSEUDONYM.test(key)) return { key, pseudonym: key, pseudonymised: true, shiftDays: 0 }
    const p = keys.patient(key)
    return { key, pseudonym: p.pseudonym, pseudonymised: false, shiftDays: p.dateShiftDays }
  }

  private analysed(series: SeriesRow, keys: PseudonymKeys, reportId?: number): AnalysedSeries {
    // Unless a report is named: the newest signed report, the one the radiologist stands behind
    // (a draft amendment drafted since does not replace it); a draft only when nothing is signed.
    const report = reportId === undefined ? this.reportToCompare(series.id) : this.ctx.store.reports.get(reportId)
    if (report && report.seriesRef !== series.id) throw new ApiError('bad-input', `Report ${reportId} is not a report of series ${series.id}.`)
    if (!report) throw new ApiError('conflict', `Series ${series.id} has not been analysed; analyse it before comparing.`)
    const study = this.ctx.store.studies.study(series.studyRef)!
    const patient = this.ctx.store.studies.patient(study.patientRef)!
    const identity = this.identity(patient, keys)
    if (!identity) throw new ApiError('bad-input', `Series ${series.id} records no patient ID or name, so it cannot be matched to a patient.`)
    return {
      series,
      report,
      view: this.reports.view(report),
      studyDate: study.studyDate,
      frameDate: study.studyDate ? shiftDate(study.studyDate, identity.shiftDays) : '',
      identity
    }
  }

  /** The series' newest signed report, else its current draft. */
  private reportToCompare(seriesId: number): ReportRow | undefined {
    return (
      this.ctx.store.reports
        .forSeries(seriesId)
        .filter((r) => r.signedAt !== null)
        .at(-1) ?? this.ctx.store.reports.latestForSeries(seriesId)
    )
  }

  /** The lungs' apex and base slices, from the lung mask of the series' latest analysis. */
  private async lungExtent(series: SeriesRow): Promise<LungExtent | null> {
    const path = this.ctx.store.studies.lungMaskPath(series.id)
    if (!path) return null
    if (this.extents.has(path)) return this.extents.get(path)!
    const lungs = await readNifti(join(this.ctx.dataDir, path), { unit: 'label' })
    const sliceSize = series.columns * series.rows
    let first = -1
    let last = -1
    for (let k = 0; k < series.slices; k++) {
      const slice = lungs.data.subarray(k * sliceSize, (k + 1) * sliceSize)
      if (slice.some((v) => v !== 0)) {
        if (first < 0) first = k
        last = k
      }
    }
    const superiorLast = axialOrientation(series.direction).towardSuperior === 1
    const extent = first < 0 ? null : superiorLast ? { apexSlice: last, baseSlice: first } : { apexSlice: first, baseSlice: last }
    this.extents.set(path, extent)
    return extent
  }

  private async compared(a: AnalysedSeries): Promise<ComparedStudy> {
    const study = this.ctx.store.studies.study(a.series.studyRef)!
    return {
      seriesId: a.series.id,
      studyId: study.id,
      studyDate: a.studyDate,
      studyDescription: study.description,
      seriesDescription: a.series.description,
      reportId: a.report.id,
      signedBy: a.report.signedBy,
      signedAt: a.report.signedAt,
      maskVersion: a.view.maskVersion,
      slices: a.series.slices,
      lungExtent: await this.lungExtent(a.series)
    }
  }

  /** Every analysed series of the patient, oldest first (by the study date in the pseudonym's frame). */
  private patientSeries(pseudonym: string, keys: PseudonymKeys): AnalysedSeries[] {
    const found: AnalysedSeries[] = []
    for (const study of this.ctx.store.studies.studies()) {
      const identity = this.identity({ patientId: study.patientId, name: study.patientName }, keys)
      if (identity?.pseudonym !== pseudonym) continue
      for (const series of this.ctx.store.studies.seriesOfStudy(study.id)) {
        if (this.ctx.store.reports.latestForSeries(series.id)) found.push(this.analysed(series, keys))
      }
    }
    return found.sort((x, y) => x.frameDate.localeCompare(y.frameDate) || x.series.id - y.series.id)
  }

  async compare(seriesA: number, seriesB: number): Promise<SeriesComparison> {
    if (seriesA === seriesB) throw new ApiError('bad-input', `A comparison needs two different series; both are series ${seriesA}.`)
    const keys = this.keys()
    const a = this.analysed(this.studies.seriesRow(seriesA), keys)
    const b = this.analysed(this.studies.seriesRow(seriesB), keys)
    let samePatientBy: SeriesComparison['samePatientBy']
    if (a.identity.key === b.identity.key) samePatientBy = 'patient-id'
    else if (a.identity.pseudonym === b.identity.pseudonym) samePatientBy = 'pseudonym'
    else {
      throw new ApiError(
        'bad-input',
        `Series ${seriesA} (patient ${a.identity.key}) and series ${seriesB} (patient ${b.identity.key}) belong to different patients: a follow-up compares two studies of one patient.`
      )
    }
    // Earlier → later whatever the order given; undated studies keep the order given.
    const [before, after] = a.frameDate && b.frameDate && b.frameDate < a.frameDate ? [b, a] : [a, b]
    const comparison = await this.build(before, after, samePatientBy)
    this.ctx.store.audit.record(this.ctx.userName(), 'view', 'comparison', null, {
      before: before.series.id,
      after: after.series.id,
      beforeReport: before.report.id,
      afterReport: after.report.id
    })
    return comparison
  }

  /** The series (its current report, or `reportId`) compared with the patient's most recent earlier analysed study, or null. */
  async previous(seriesId: number, reportId?: number): Promise<SeriesComparison | null> {
    const keys = this.keys()
    const series = this.studies.seriesRow(seriesId)
    const patient = this.ctx.store.studies.patient(this.ctx.store.studies.study(series.studyRef)!.patientRef)!
    // A series that names no patient has no earlier study to follow.
    if (!this.identity(patient, keys)) return null
    const current = this.analysed(series, keys, reportId)
    if (!current.frameDate) return null
    const earlier = this.patientSeries(current.identity.pseudonym, keys).filter((s) => s.frameDate && s.frameDate < current.frameDate)
    const latestDate = earlier.at(-1)?.frameDate
    // On the same day, a study under the patient's own ID before a de-identified copy of it.
    const sameDay = earlier.filter((s) => s.frameDate === latestDate)
    const previous = sameDay.filter((s) => s.identity.key === current.identity.key).at(-1) ?? sameDay.at(-1)
    if (!previous) return null
    return this.build(previous, current, previous.identity.key === current.identity.key ? 'patient-id' : 'pseudonym')
  }

  private async build(before: AnalysedSeries, after: AnalysedSeries, samePatientBy: SeriesComparison['samePatientBy']): Promise<SeriesComparison> {
    const keys = this.keys()
    const [b, a] = [before.view, after.view]
    const autoBefore = before.report.automatic.severity
    const autoAfter = after.report.automatic.severity
    const lobeOf = (s: SeverityReport, id: string): SeverityReport['lobar']['lobes'][number] => {
      const lobe = s.lobar.lobes.find((l) => l.id === id)
      if (!lobe) throw new ApiError('internal', `The report has no lobe ${id}.`)
      return lobe
    }
    const lobes = b.lobes.map((lb) => {
      const la = a.lobes.find((l) => l.id === lb.id)
      if (!la) throw new ApiError('internal', `The later report has no lobe ${lb.id}.`)
      const [sb, sa] = [lobeOf(autoBefore, lb.id), lobeOf(autoAfter, lb.id)]
      return {
        id: lb.id,
        name: lb.name,
        ...delta(lb.percent, la.percent),
        trend: extentTrend({ infectedMl: lb.infectedVolumeMl, percent: lb.percent }, { infectedMl: la.infectedVolumeMl, percent: la.percent }),
        infectedVolumeMl: delta(lb.infectedVolumeMl, la.infectedVolumeMl),
        ggoVolumeMl: delta(sb.ggoVolumeMl, sa.ggoVolumeMl),
        consolidationVolumeMl: delta(sb.consolidationVolumeMl, sa.consolidationVolumeMl),
        score: delta(lb.finalScore, la.finalScore)
      }
    })
    const regions = b.regions.map((rb) => {
      const ra = a.regions.find((r) => r.id === rb.id)
      if (!ra) throw new ApiError('internal', `The later report has no region ${rb.id}.`)
      return {
        id: rb.id,
        name: rb.name,
        lobe: rb.lobe,
        ...delta(rb.percent, ra.percent),
        trend: extentTrend({ infectedMl: rb.infectedVolumeMl, percent: rb.percent }, { infectedMl: ra.infectedVolumeMl, percent: ra.percent }),
        score: delta(regionFinalScore(rb), regionFinalScore(ra))
      }
    })
    const shares = (f: (side: 'total' | 'left' | 'right') => number): { total: number; left: number; right: number } => ({
      total: f('total'),
      left: f('left'),
      right: f('right')
    })
    const interval = before.frameDate && after.frameDate ? daysBetween(before.frameDate, after.frameDate) : null
    const mlBefore = { total: b.infectedVolumeMl, right: autoBefore.lungs.right.infectedVolumeMl, left: autoBefore.lungs.left.infectedVolumeMl }
    const mlAfter = { total: a.infectedVolumeMl, right: autoAfter.lungs.right.infectedVolumeMl, left: autoAfter.lungs.left.infectedVolumeMl }
    const sideTrend = (side: 'total' | 'left' | 'right'): SeriesComparison['trend'] =>
      extentTrend({ infectedMl: mlBefore[side], percent: b.percentInfected[side] }, { infectedMl: mlAfter[side], percent: a.percentInfected[side] })
    const trend = sideTrend('total')
    const ctss = delta(b.ctss.final, a.ctss.final)
    const lobar = delta(b.lobarTotal, a.lobarTotal)
    const summary = [
      lungsSummary({ percentInfected: { before: b.percentInfected, after: a.percentInfected }, infectedVolumeMl: delta(b.infectedVolumeMl, a.infectedVolumeMl), trend, interval_days: interval, ctss, lobar, lobes }),
      ...lobes.map(lobeSummary)
    ]
    const history: HistoryPoint[] = this.patientSeries(after.identity.pseudonym, keys).map((s) => ({
      seriesId: s.series.id,
      studyDate: s.studyDate,
      percentInfected: s.view.percentInfected.total,
      ctss: s.view.ctss.final,
      lobar: s.view.lobarTotal
    }))
    return {
      before: await this.compared(before),
      after: await this.compared(after),
      samePatientBy,
      interval_days: interval,
      lungVolumeMl: delta(b.lungVolumeMl, a.lungVolumeMl),
      lungVolumeWarning: lungVolumeWarning(b.lungVolumeMl, a.lungVolumeMl),
      infectedVolumeMl: delta(b.infectedVolumeMl, a.infectedVolumeMl),
      ggoVolumeMl: delta(b.ggoVolumeMl, a.ggoVolumeMl),
      consolidationVolumeMl: delta(b.consolidationVolumeMl, a.consolidationVolumeMl),
      percentInfected: {
        before: b.percentInfected,
        after: a.percentInfected,
        change: shares((s) => a.percentInfected[s] - b.percentInfected[s]),
        trend: {
          total: trend,
          left: sideTrend('left'),
          right: sideTrend('right')
        }
      },
      infectedMlByLung: { before: mlBefore, after: mlAfter },
      lobes,
      regions,
      ctss,
      lobar,
      severity: { before: b.severity, after: a.severity },
      trend,
      rule: TREND_RULE,
      summary,
      history
    }
  }
}
