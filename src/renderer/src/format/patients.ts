import type { StudySummary } from '../../../shared/api'

export interface PatientGroup {
  key: string
  patientName: string
  patientId: string
  /** newest first */
  studies: StudySummary[]
}

/** Who a study belongs to: the patient ID, else the name; a study with neither stands alone. */
export function patientKeyOf(study: StudySummary): string {
  return study.patientId.trim() || study.patientName.trim() || `study:${study.id}`
}

/**
 * A patient's studies together, newest first, the patients in the order of their newest study: a
 * list where every patient has one study keeps its order.
 */
export function groupByPatient(studies: readonly StudySummary[]): PatientGroup[] {
  const groups = new Map<string, PatientGroup>()
  for (const study of studies) {
    const key = patientKeyOf(study)
    let group = groups.get(key)
    if (!group) {
      group = { key, patientName: study.patientName, patientId: study.patientId, studies: [] }
      groups.set(key, group)
    }
    group.studies.push(study)
  }
  for (const group of groups.values()) {
    group.studies.sort((a, b) => b.studyDate.localeCompare(a.studyDate) || b.id - a.id)
  }
  return [...groups.values()]
}
