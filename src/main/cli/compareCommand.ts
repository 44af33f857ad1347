/**
 * `pulmo compare SERIES_A SERIES_B [--json]`: how a patient's lungs changed between two analysed
 * series, through the service (the reports' final scores, the radiologist's region scores included).
 */
import type { SeriesComparison } from '../../shared/followUp'
import { formatSharePercent } from '../../shared/followUp'
import type { PulmoService } from '../services'
import type { CommandIo } from './research'

const signed = (x: number, digits: number): string => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(digits)}`

function studyLine(label: string, s: SeriesComparison['before']): string {
  const report = s.signedBy ? `report ${s.reportId}, signed by ${s.signedBy} on ${s.signedAt?.slice(0, 10)}` : `report ${s.reportId} (not signed)`
  return `${label} series ${s.seriesId}, study of ${s.studyDate || 'unknown date'}, ${report}, mask version ${s.maskVersion ?? '—'}`
}

/** The comparison as text: the studies, the interval, the table per lung and lobe, the scores, the rule. */
export function comparisonText(c: SeriesComparison): string {
  const interval = c.interval_days === null ? 'interval unknown' : `${c.interval_days} days`
  const rows: string[][] = [['', 'before', 'after', 'change', 'trend']]
  const pct = (x: number): string => formatSharePercent(x)
  for (const side of ['total', 'right', 'left'] as const) {
    rows.push([`${side === 'total' ? 'both lungs' : `${side} lung`} % infected`, pct(c.percentInfected.before[side]), pct(c.percentInfected.after[side]), signed(c.percentInfected.change[side], 2), c.percentInfected.trend[side]])
  }
  for (const l of c.lobes) rows.push([`${l.id} % infected`, pct(l.before), pct(l.after), signed(l.change, 2), l.trend])
  const ml = (name: string, x: { before: number; after: number; change: number }): string[] => [name, x.before.toFixed(1), x.after.toFixed(1), signed(x.change, 1), '']
  rows.push(ml('lung volume mL', c.lungVolumeMl), ml('infected mL', c.infectedVolumeMl), ml('ground glass mL', c.ggoVolumeMl), ml('consolidation mL', c.consolidationVolumeMl))
  rows.push(['CT-SS (of 40)', String(c.ctss.before), String(c.ctss.after), signed(c.ctss.change, 0), ''])
  rows.push(['lobar score (of 25)', String(c.lobar.before), String(c.lobar.after), signed(c.lobar.change, 0), ''])
  rows.push(['severity', c.severity.before, c.severity.after, '', ''])
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const table = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd())
  return [
    `${c.before.studyDate || '?'} → ${c.after.studyDate || '?'} (${interval}); the same patient by ${c.samePatientBy === 'patient-id' ? 'patient ID' : 'pseudonym'}`,
    studyLine('earlier:', c.before),
    studyLine('later:  ', c.after),
    ...(c.lungVolumeWarning ? [`warning: ${c.lungVolumeWarning}`] : []),
    '',
    ...table,
    '',
    ...c.summary,
    '',
    `Rule: ${c.rule}`
  ].join('\n')
}

export async function compareCommand(service: PulmoService, seriesA: number, seriesB: number, json: boolean, io: CommandIo): Promise<void> {
  const comparison = await service.invoke('comparison.compare', { seriesA, seriesB })
  io.print(json ? JSON.stringify(comparison, null, 2) : comparisonText(comparison))
}
