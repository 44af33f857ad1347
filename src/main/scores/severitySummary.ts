/**
 * The published shape of the scores (`pulmo score --json`, summary.json): stable keys for scripts,
 * volumes in mL and percentages rounded to what a CT measures meaningfully.
 */
import type { LobeId, RegionId } from '../regions/regionRules'
import type { SeverityReport } from './scores'
import type { SeverityClass } from '../../shared/severityScoring'

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

/** Volumes to 0.01 mL and percentages to 0.001 %: what a CT measures meaningfully. */
export const roundMl = (x: number): number => Math.round(x * 100) / 100
export const roundPercent = (x: number): number => Math.round(x * 1000) / 1000

type WholeLungFigures = Pick<SeveritySummary, 'lungVolumeMl' | 'infectedVolumeMl' | 'ggoVolumeMl' | 'consolidationVolumeMl' | 'percentInfected'>
type ExtentFigures = Pick<SeveritySummary['ctss']['regions'][number], 'lungVolumeMl' | 'infectedVolumeMl' | 'percent'>

/** The whole-lung volumes and percentages of a report (automatic or stored), rounded as published. */
export function wholeLungFigures(report: WholeLungFigures): WholeLungFigures {
  return {
    lungVolumeMl: roundMl(report.lungVolumeMl),
    infectedVolumeMl: roundMl(report.infectedVolumeMl),
    ggoVolumeMl: roundMl(report.ggoVolumeMl),
    consolidationVolumeMl: roundMl(report.consolidationVolumeMl),
    percentInfected: {
      total: roundPercent(report.percentInfected.total),
      left: roundPercent(report.percentInfected.left),
      right: roundPercent(report.percentInfected.right)
    }
  }
}

/** A region's or a lobe's lung volume, infected volume and percentage, rounded as published. */
export function extentFigures(part: ExtentFigures): ExtentFigures {
  return { lungVolumeMl: roundMl(part.lungVolumeMl), infectedVolumeMl: roundMl(part.infectedVolumeMl), percent: roundPercent(part.percent) }
}

export function severitySummary(report: SeverityReport): SeveritySummary {
  return {
    ...wholeLungFigures(report),
    ctss: {
      total: report.ctss.total,
      severe: report.ctss.severe,
      regions: report.ctss.regions.map((r) => ({ id: r.id, name: r.name, lung: r.lung, lobe: r.lobe, ...extentFigures(r), score: r.score }))
    },
    lobar: {
      total: report.lobar.total,
      lobes: report.lobar.lobes.map((l) => ({ id: l.id, name: l.name, ...extentFigures(l), score: l.score }))
    },
    severity: report.severity,
    infectionPresent: report.infectionPresent,
    infectionPresentPercent: report.options.infectionPresentPercent,
    infectionOutsideLungsMl: roundMl(report.infectionOutsideLungsMl),
    ...(report.dice !== undefined ? { dice: report.dice } : {})
  }
}
