/**
 * The CT-SS after the radiologist's corrections: each region's final score is its last edit's, or
 * the automatic one. The automatic report itself is never changed.
 */
import type { RegionId } from '../severity/regionRules'
import type { SeverityReport } from '../severity/scores'
import { CTSS_SEVERE_THRESHOLD } from '../severity/scoringRules'
import type { RegionScoreEdit } from './reportInput'

export interface FinalRegionScore {
  id: RegionId
  automatic: number
  final: number
  /** the edit that set the final score, when it differs from the automatic one or was confirmed */
  edit?: RegionScoreEdit
}

export interface FinalCtss {
  regions: FinalRegionScore[]
  automaticTotal: number
  total: number
  severe: boolean
  edited: boolean
}

export function finalCtss(report: SeverityReport, edits: readonly RegionScoreEdit[]): FinalCtss {
  const known = new Set(report.ctss.regions.map((r) => r.id))
  for (const edit of edits) {
    if (!known.has(edit.regionId)) throw new Error(`edit of unknown region ${edit.regionId}`)
    if (![0, 1, 2].includes(edit.score))
      throw new Error(`region ${edit.regionId}: a CT-SS score is 0, 1 or 2, got ${edit.score}`)
  }
  // Edits apply in time order, so the latest correction of a region wins.
  const ordered = [...edits].sort((a, b) => a.at.localeCompare(b.at))
  const regions = report.ctss.regions.map((r): FinalRegionScore => {
    const edit = ordered.filter((e) => e.regionId === r.id).at(-1)
    return { id: r.id, automatic: r.score, final: edit?.score ?? r.score, ...(edit ? { edit } : {}) }
  })
  const total = regions.reduce((sum, r) => sum + r.final, 0)
  return {
    regions,
    automaticTotal: report.ctss.total,
    total,
    severe: total > CTSS_SEVERE_THRESHOLD,
    edited: regions.some((r) => r.edit !== undefined)
  }
}
