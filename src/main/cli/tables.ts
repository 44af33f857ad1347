/** The CLI's text tables and the documented JSON shape of `pulmo studies --json`. */
import type { AuditEntry, StudySummary } from '../../shared/api'

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n')
}

export function studyTable(studies: StudySummary[]): string {
  const rows = [['STUDY', 'PATIENT', 'PATIENT ID', 'DATE', 'DESCRIPTION', 'SERIES', 'MODALITY', 'SIZE', 'SPACING (mm)']]
  for (const s of studies) {
    for (const x of s.series) {
      rows.push([
        String(s.id),
        s.patientName,
        s.patientId,
        s.studyDate,
        s.description,
        String(x.id),
        x.modality,
        `${x.columns}×${x.rows}×${x.slices}`,
        x.spacing.map((v) => +v.toFixed(4)).join(' × ')
      ])
    }
  }
  return formatTable(rows)
}

export function auditTable(entries: AuditEntry[]): string {
  const rows = entries.map((e) => [
    e.at.slice(0, 19).replace('T', ' '),
    e.actor,
    e.action,
    e.entityId === null ? e.entity : `${e.entity} ${e.entityId}`,
    Object.entries(e.detail)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')
  ])
  return formatTable([['when (UTC)', 'who', 'action', 'what', 'detail'], ...rows])
}

/** The studies as `pulmo studies --json` prints them: a stable, documented shape. */
export function studiesJson(studies: StudySummary[]): unknown {
  return studies.map((s) => ({
    id: s.id,
    patientName: s.patientName,
    patientId: s.patientId,
    studyDate: s.studyDate,
    description: s.description,
    status: s.status,
    series: s.series.map((x) => ({
      id: x.id,
      description: x.description,
      modality: x.modality,
      rows: x.rows,
      columns: x.columns,
      slices: x.slices,
      spacing: x.spacing
    }))
  }))
}
