/**
 * `pulmo score SERIES_ID` and `pulmo report SERIES_ID` for a series imported into the data folder:
 * through the service, like the workstation. The stored analysis, the mask version the report was
 * scored from, the radiologist's edits and sign-off are what is printed and exported; a series not
 * analysed yet is analysed by the service first (the same chest-CT check, models and storage as
 * Analyze in the workstation).
 */
import { resolve } from 'node:path'
import type { SeverityReportView, TaskEndedEvent } from '../../shared/api'
import { CTSS_MAX, CTSS_SEVERE_THRESHOLD, LOBAR_MAX, regionFinalScore } from '../../shared/severityScoring'
import type { PulmoService } from '../services'
import type { CommandIo } from './research'
import { extentFigures, wholeLungFigures } from '../scores/severitySummary'

/** True when INPUT names an imported series (a whole number that is not a path). */
export function isStoredSeriesInput(input: string, exists: (path: string) => boolean): boolean {
  return /^\d+$/.test(input) && !exists(input)
}

/** Runs Analyze through the service and waits for its end; a refusal or failure is an error with the service's message. */
export async function analyseThroughService(service: PulmoService, seriesId: number, io: CommandIo): Promise<void> {
  const taskId = `cli-${process.pid}-${Date.now()}`
  let lastLabel = ''
  const ended = new Promise<TaskEndedEvent>((resolveEnd) => {
    const stop = service.onEvent((e) => {
      if (e.type === 'progress' && e.taskId === taskId && e.label !== lastLabel) {
        lastLabel = e.label
        io.log(e.label)
      }
      if (e.type === 'task-ended' && e.taskId === taskId) {
        stop()
        resolveEnd(e)
      }
    })
  })
  await service.invoke('analysis.start', { seriesId, taskId })
  const end = await ended
  if (end.status !== 'finished') throw new Error(end.message)
  io.log(end.message)
}

async function currentReport(service: PulmoService, seriesId: number, io: CommandIo): Promise<SeverityReportView> {
  const existing = await service.invoke('reports.get', { seriesId })
  if (existing) return existing
  io.log(`Series ${seriesId} has not been analysed; analysing it now.`)
  await analyseThroughService(service, seriesId, io)
  const report = await service.invoke('reports.get', { seriesId })
  if (!report) throw new Error(`The analysis of series ${seriesId} left no report.`)
  return report
}

/** The report as `pulmo score --json` prints it: the keys of a path's scores, final values, and where they come from. */
export function storedScoresJson(view: SeverityReportView): Record<string, unknown> {
  return {
    seriesId: view.seriesId,
    reportId: view.id,
    maskVersion: view.maskVersion,
    mask: view.mask,
    ...wholeLungFigures(view),
    ctss: {
      total: view.ctss.final,
      automatic: view.ctss.automatic,
      severe: view.ctss.severe,
      regions: view.regions.map((r) => ({
        id: r.id,
        name: r.name,
        lung: r.lung,
        lobe: r.lobe,
        ...extentFigures(r),
        score: regionFinalScore(r),
        automaticScore: r.score,
        editedBy: r.edited?.by ?? null
      }))
    },
    lobar: {
      total: view.lobarTotal,
      automatic: view.automatic.lobarTotal,
      lobes: view.lobes.map((l) => ({
        id: l.id,
        name: l.name,
        ...extentFigures(l),
        score: l.finalScore,
        automaticScore: l.score
      }))
    },
    severity: view.severity,
    automaticSeverity: view.automatic.severity,
    infectionPresent: view.infectionPresent,
    infectionPresentPercent: view.scoring.infectionPresentPercent,
    // The category the report states (the radiologist's when overridden), the features it was proposed from.
    pattern: view.pattern.final && view.pattern.proposed
      ? {
          rsna: view.pattern.final.rsna,
          coRads: view.pattern.final.coRads,
          features: view.pattern.proposed.features,
          evidence: view.pattern.final.evidence,
          source: view.pattern.final.source,
          proposed: { rsna: view.pattern.proposed.rsna, coRads: view.pattern.proposed.coRads, evidence: view.pattern.proposed.evidence, reasons: view.pattern.proposed.reasons }
        }
      : null,
    warnings: view.warnings,
    model: view.model,
    signedBy: view.signedBy,
    signedAt: view.signedAt,
    amends: view.amends?.reportId ?? null
  }
}

export async function scoreStoredSeries(
  service: PulmoService,
  seriesId: number,
  json: boolean,
  io: CommandIo
): Promise<void> {
  const view = await currentReport(service, seriesId, io)
  if (json) {
    io.print(JSON.stringify(storedScoresJson(view), null, 2))
    return
  }
  const p = (x: number): string => `${x.toFixed(2)} %`
  const changed = (a: number | string, b: number | string): string =>
    String(a) === String(b) ? '' : ` (automatic ${a})`
  const mask = view.mask
    ? `mask version ${view.mask.version} (${view.mask.source === 'model' ? 'the model’s' : `corrected by ${view.mask.author}`})`
    : 'no mask version'
  io.print(
    [
      `Series ${seriesId}, report ${view.id}${view.signedBy ? ` signed by ${view.signedBy}` : ' (draft)'}: ${mask}`,
      ...view.warnings.map((w) => `Warning: ${w}`),
      `Lung volume       ${view.lungVolumeMl.toFixed(0)} mL`,
      `Infected          ${view.infectedVolumeMl.toFixed(1)} mL (ground glass ${view.ggoVolumeMl.toFixed(1)}, consolidation ${view.consolidationVolumeMl.toFixed(1)})`,
      `Percent infected  ${p(view.percentInfected.total)} (right ${p(view.percentInfected.right)}, left ${p(view.percentInfected.left)})`,
      `CT-SS             ${view.ctss.final} / ${CTSS_MAX}${view.ctss.severe ? ` (severe, > ${CTSS_SEVERE_THRESHOLD})` : ''}${changed(view.ctss.automatic, view.ctss.final)}`,
      `Lobar score       ${view.lobarTotal} / ${LOBAR_MAX}${changed(view.automatic.lobarTotal, view.lobarTotal)} (${view.lobes.map((l) => `${l.id} ${l.finalScore}`).join(', ')})`,
      `Severity          ${view.severity}${changed(view.automatic.severity, view.severity)}`,
      `Infection present ${view.infectionPresent ? 'yes' : 'no'} (threshold ${view.scoring.infectionPresentPercent} %)`,
      ...(view.pattern.final
        ? [`CT pattern        RSNA ${view.pattern.final.rsna}, CO-RADS ${view.pattern.final.coRads} (${view.pattern.final.source === 'radiologist' ? 'set by the radiologist' : 'proposed'}): ${view.pattern.final.evidence}`]
        : [])
    ].join('\n')
  )
}

/** The report's PDF through the service (de-identified unless `identified`), audited there. */
export async function reportStoredSeries(
  service: PulmoService,
  seriesId: number,
  pdf: string,
  identified: boolean,
  io: CommandIo
): Promise<void> {
  const view = await currentReport(service, seriesId, io)
  const path = resolve(pdf)
  await service.invoke('reports.pdf', { reportId: view.id, path, identified })
  io.print(
    `Wrote ${path} (report ${view.id}, mask version ${view.maskVersion ?? '—'}${view.signedBy ? `, signed by ${view.signedBy}` : ', unsigned draft'}; ` +
      `${identified ? 'with patient identity' : 'de-identified'})`
  )
}
