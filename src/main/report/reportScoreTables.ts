/** The report's score tables: CT-SS by region and the lobar score, automatic beside the radiologist's. */
import { CTSS_MAX, LOBAR_MAX } from '../../shared/severityScoring'
import { CTSS_REGION_RULES } from '../regions/regionRules'
import type { FinalScores } from './finalScores'
import type { ReportInput } from './reportInput'
import { CONTENT_WIDTH, ml, percent, type PageFlow } from './reportPage'
import type { TableRow } from './reportTable'

export function drawRegionTable(page: PageFlow, input: ReportInput, scores: FinalScores): void {
  page.heading('CT severity score by region (Yang et al. 2020: 0 none, 1 < 50 %, 2 ≥ 50 %)', 60)
  const { ctss } = scores
  const byId = new Map(scores.regions.map((r) => [r.id, r]))
  const rows: TableRow[] = input.severity.ctss.regions.map((region) => {
    const final = byId.get(region.id)
    const edit = final?.edit
    const rule = CTSS_REGION_RULES.find((r) => r.id === region.id)
    return {
      cells: [
        `${region.id} ${region.name}`,
        rule?.lobe ?? region.lobe,
        ml(region.lungVolumeMl),
        ml(region.infectedVolumeMl),
        percent(region.percent),
        String(region.score),
        edit ? `${region.score} → ${edit.score} (${edit.by}, ${edit.at.slice(0, 10)})` : ''
      ]
    }
  })
  rows.push({
    cells: [
      'Total',
      '',
      ml(input.severity.lungVolumeMl),
      ml(input.severity.infectedVolumeMl),
      percent(input.severity.percentInfected.total),
      `${ctss.automatic} / ${CTSS_MAX}`,
      scores.edited ? `${ctss.automatic} → ${ctss.final} / ${CTSS_MAX}` : ''
    ],
    bold: true
  })
  page.table(
    [
      { header: 'Region', width: 118 },
      { header: 'Lobe', width: 36 },
      { header: 'Lung mL', width: 52, align: 'right' },
      { header: 'Infected mL', width: 60, align: 'right' },
      { header: '%', width: 44, align: 'right' },
      { header: 'Auto', width: 52, align: 'center' },
      { header: 'Radiologist', width: CONTENT_WIDTH - 362 }
    ],
    rows
  )
}

export function drawLobeTable(page: PageFlow, input: ReportInput, scores: FinalScores): void {
  page.heading('Lobar score (Pan et al. 2020: 0 none, 1 < 5 %, 2 5–25 %, 3 26–49 %, 4 50–75 %, 5 > 75 %)', 7 * 13)
  const s = input.severity
  const finalOf = new Map(scores.lobes.map((l) => [l.id, l]))
  const scoreText = (id: string, automatic: number): string => {
    const final = finalOf.get(id)?.final ?? automatic
    return final === automatic ? String(automatic) : `${automatic} → ${final}`
  }
  const rows: TableRow[] = s.lobar.lobes.map((lobe) => ({
    cells: [
      `${lobe.id} ${lobe.name}`,
      ml(lobe.lungVolumeMl),
      ml(lobe.infectedVolumeMl),
      ml(lobe.ggoVolumeMl),
      ml(lobe.consolidationVolumeMl),
      percent(lobe.percent),
      scoreText(lobe.id, lobe.score)
    ]
  }))
  rows.push({
    cells: [
      'Total',
      ml(s.lungVolumeMl),
      ml(s.infectedVolumeMl),
      ml(s.ggoVolumeMl),
      ml(s.consolidationVolumeMl),
      percent(s.percentInfected.total),
      scores.lobar.final === scores.lobar.automatic
        ? `${s.lobar.total} / ${LOBAR_MAX}`
        : `${scores.lobar.automatic} → ${scores.lobar.final} / ${LOBAR_MAX}`
    ],
    bold: true
  })
  page.table(
    [
      { header: 'Lobe', width: 124 },
      { header: 'Lung mL', width: 56, align: 'right' },
      { header: 'Infected mL', width: 62, align: 'right' },
      { header: 'Ground glass mL', width: 84, align: 'right' },
      { header: 'Consolidation mL', width: 88, align: 'right' },
      { header: '%', width: 40, align: 'right' },
      { header: 'Score', width: CONTENT_WIDTH - 454, align: 'center' }
    ],
    rows
  )
}
