/**
 * The published shape of the scores (`pulmo score --json`, summary.json): stable keys for scripts,
 * volumes in mL and percentages rounded to what a CT measures meaningfully.
 */
import type { LobeId, RegionId } from '../regions/regionRules'
import type { SeverityReport } from './scores'
import type { SeverityClass } from './scoringRules'

export interface SeveritySummary {
  lungVolumeMl: number
  infectedVolumeMl: number
  ggoVolumeMl: number
  consolidationVolumeMl: number
  percentInfected: { total: number; left: number; right: number }
  ctss: {
    total: number
    severe: boolean
    regions: Array<{
      id: RegionId
      name: string
      lung: string
      lobe: LobeId
      lungVolumeMl: number
      infectedVolumeMl: number
      percent: number
      score: number
    }>
  }
  lobar: {
    total: number
    lobes: Array<{
      id: LobeId
      name: string
      lungVolumeMl: number
      infectedVolumeMl: number
      percent: number
      score: number
    }>
  }
  severity: SeverityClass
  infectionPresent: boolean
  /** the whole-lung infected percentage above which infectionPresent is true */
  infectionPresentPercent: number
  infectionOutsideLungsMl: number
  dice?: number
}

const ml = (x: number): number => Math.round(x * 100) / 100
const pct = (x: number): number => Math.round(x * 1000) / 1000

export function severitySummary(report: SeverityReport): SeveritySummary {
  return {
    lungVolumeMl: ml(report.lungVolumeMl),
    infectedVolumeMl: ml(report.infectedVolumeMl),
    ggoVolumeMl: ml(report.ggoVolumeMl),
    consolidationVolumeMl: ml(report.consolidationVolumeMl),
    percentInfected: {
      total: pct(report.percentInfected.total),
      left: pct(report.percentInfected.left),
      right: pct(report.percentInfected.right)
    },
    ctss: {
      total: report.ctss.total,
      severe: report.ctss.severe,
      regions: report.ctss.regions.map((r) => ({
        id: r.id,
        name: r.name,
        lung: r.lung,
        lobe: r.lobe,
        lungVolumeMl: ml(r.lungVolumeMl),
        infectedVolumeMl: ml(r.infectedVolumeMl),
        percent: pct(r.percent),
        score: r.score
      }))
    },
    lobar: {
      total: report.lobar.total,
      lobes: report.lobar.lobes.map((l) => ({
        id: l.id,
        name: l.name,
        lungVolumeMl: ml(l.lungVolumeMl),
        infectedVolumeMl: ml(l.infectedVolumeMl),
        percent: pct(l.percent),
        score: l.score
      }))
    },
    severity: report.severity,
    infectionPresent: report.infectionPresent,
    infectionPresentPercent: report.options.infectionPresentPercent,
    infectionOutsideLungsMl: ml(report.infectionOutsideLungsMl),
    ...(report.dice !== undefined ? { dice: report.dice } : {})
  }
}
