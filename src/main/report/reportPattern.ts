/** The report's CT pattern section: the category the report states, who gave it, the evidence and the rules. */
import { CO_RADS_LABEL, PATTERN_RULE, RSNA_LABEL } from '../../shared/ctPattern'
import type { ReportInput } from './reportInput'
import type { PageFlow } from './reportPage'

/** "RSNA: typical appearance · CO-RADS 5 (very high)", the line the report is signed with. */
export function patternLine(p: NonNullable<ReportInput['pattern']>['final']): string {
  return `RSNA: ${RSNA_LABEL[p.rsna]} · CO-RADS ${p.coRads} (${CO_RADS_LABEL[p.coRads]})`
}

export function drawPattern(page: PageFlow, input: ReportInput): void {
  const p = input.pattern
  if (!p) return
  page.heading('CT pattern', 12 * 6)
  const by = p.final.source === 'radiologist' ? 'set by the radiologist' : 'proposed by Pulmo, for the radiologist to confirm'
  page.paragraph(`${patternLine(p.final)} — ${by}.`, 10, true)
  if (p.final.source === 'radiologist') page.paragraph(`Radiologist: ${p.final.evidence}.`, 9)
  page.paragraph(`Evidence measured on the segmentation: ${p.proposed.evidence}.`, 9)
  page.paragraph(`Rules that matched: RSNA — ${p.proposed.reasons.rsna}; CO-RADS — ${p.proposed.reasons.coRads}.`, 8.5)
  page.paragraph(PATTERN_RULE, 8)
}
