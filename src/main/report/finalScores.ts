/**
 * The final scores of a severity report (CT-SS, lobar score, severity class) after the
 * radiologist's region edits, computed by the one rule in src/shared/severityScoring.ts that the
 * services, the PDF, the CLI and the renderer share. The automatic report itself is never changed.
 */
import { finalScores, type AutomaticScores, type FinalScores, type RegionEdit } from '../../shared/severityScoring'
import type { SeverityReport } from '../scores/scores'

export type { FinalScores } from '../../shared/severityScoring'

/** The part of an automatic report the final scores are computed from. */
export function automaticScoresOf(report: SeverityReport): AutomaticScores {
  return {
    regions: report.ctss.regions.map((r) => ({
      id: r.id,
      lobe: r.lobe,
      lungVolumeMl: r.lungVolumeMl,
      percent: r.percent,
      score: r.score
    })),
    lobes: report.lobar.lobes.map((l) => ({
      id: l.id,
      lungVolumeMl: l.lungVolumeMl,
      percent: l.percent,
      score: l.score
    })),
    lungVolumeMl: report.lungVolumeMl,
    percentInfected: report.percentInfected.total,
    options: report.options
  }
}

export function reportFinalScores(report: SeverityReport, edits: readonly RegionEdit[]): FinalScores {
  return finalScores(automaticScoresOf(report), edits)
}
