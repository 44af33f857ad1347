import type { Db } from '../database'
import { z } from 'zod'
import { nowIso, parseRow, PatientRow, SeriesRow, StudyRow } from './rows'

const StudyListRow = StudyRow.extend({ patientName: z.string(), patientId: z.string() })

const seriesColumns = `id, study_ref AS studyRef, series_instance_uid AS seriesInstanceUid, series_number AS seriesNumber,
  description, modality, unit, columns, rows, slices, spacing, origin, direction, value_min AS valueMin,
  value_max AS valueMax, voxel_path AS voxelPath, checksum, imported_at AS importedAt, instance_numbers AS instanceNumbers`
const seriesOf = (row: unknown): SeriesRow => parseRow(SeriesRow, 'series', row)

const studyColumns = `id, patient_ref AS patientRef, study_instance_uid AS studyInstanceUid, study_date AS studyDate,
  description, accession_number AS accessionNumber, created_at AS createdAt`

/** Patients, studies and series: the imported images and who they belong to. */
export class StudyRepository {
  constructor(private readonly db: Db) {}

  findOrCreatePatient(p: Omit<PatientRow, 'id'>): number {
    const found = this.db
      .prepare('SELECT id FROM patients WHERE patient_id = ? AND name = ?')
      .get(p.patientId, p.name) as { id: number } | undefined
    if (found) return found.id
    return Number(
      this.db
        .prepare('INSERT INTO patients (patient_id, name, birth_date, sex) VALUES (?, ?, ?, ?)')
        .run(p.patientId, p.name, p.birthDate, p.sex).lastInsertRowid
    )
  }

  findOrCreateStudy(s: Omit<StudyRow, 'id' | 'createdAt'>): number {
    const found = this.db
      .prepare('SELECT id FROM studies WHERE study_instance_uid = ?')
      .get(s.studyInstanceUid) as { id: number } | undefined
    if (found) return found.id
    return Number(
      this.db
        .prepare(
          `INSERT INTO studies (patient_ref, study_instance_uid, study_date, description, accession_number, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`
        )
        .run(s.patientRef, s.studyInstanceUid, s.studyDate, s.description, s.accessionNumber, nowIso()).lastInsertRowid
    )
  }

  insertSeries(s: Omit<SeriesRow, 'id' | 'importedAt' | 'instanceNumbers'> & { instanceNumbers?: number[] | null }): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO series (study_ref, series_instance_uid, series_number, description, modality, unit, columns, rows,
             slices, spacing, origin, direction, value_min, value_max, voxel_path, checksum, imported_at, instance_numbers)
           VALUES (@studyRef, @seriesInstanceUid, @seriesNumber, @description, @modality, @unit, @columns, @rows,
             @slices, @spacing, @origin, @direction, @valueMin, @valueMax, @voxelPath, @checksum, @importedAt, @instanceNumbers)`
        )
        .run({
          ...s,
          spacing: JSON.stringify(s.spacing),
          origin: JSON.stringify(s.origin),
          direction: JSON.stringify(s.direction),
          importedAt: nowIso(),
          instanceNumbers: s.instanceNumbers ? JSON.stringify(s.instanceNumbers) : null
        }).lastInsertRowid
    )
  }

  seriesByUid(uid: string): SeriesRow | undefined {
    const r = this.db.prepare(`SELECT ${seriesColumns} FROM series WHERE series_instance_uid = ?`).get(uid)
    return r === undefined ? undefined : seriesOf(r)
  }

  series(id: number): SeriesRow | undefined {
    const r = this.db.prepare(`SELECT ${seriesColumns} FROM series WHERE id = ?`).get(id)
    return r === undefined ? undefined : seriesOf(r)
  }

  seriesOfStudy(studyId: number): SeriesRow[] {
    return this.db.prepare(`SELECT ${seriesColumns} FROM series WHERE study_ref = ? ORDER BY series_number, id`).all(studyId).map(seriesOf)
  }

  lungMaskPath(seriesId: number): string | null {
    const r = this.db.prepare('SELECT lung_mask_path AS p FROM series WHERE id = ?').get(seriesId) as { p: string | null } | undefined
    return r?.p ?? null
  }

  setLungMaskPath(seriesId: number, path: string): void {
    this.db.prepare('UPDATE series SET lung_mask_path = ? WHERE id = ?').run(path, seriesId)
  }

  allLungMaskPaths(): string[] {
    return (this.db.prepare('SELECT lung_mask_path AS p FROM series WHERE lung_mask_path IS NOT NULL').all() as { p: string }[]).map((r) => r.p)
  }

  allSeriesPaths(): string[] {
    return (this.db.prepare('SELECT voxel_path AS p FROM series').all() as { p: string }[]).map((r) => r.p)
  }

  study(id: number): StudyRow | undefined {
    const r = this.db.prepare(`SELECT ${studyColumns} FROM studies WHERE id = ?`).get(id)
    return r === undefined ? undefined : parseRow(StudyRow, 'studies', r)
  }

  patient(id: number): PatientRow | undefined {
    const r = this.db.prepare('SELECT id, patient_id AS patientId, name, birth_date AS birthDate, sex FROM patients WHERE id = ?').get(id)
    return r === undefined ? undefined : parseRow(PatientRow, 'patients', r)
  }

  /** Studies newest first; `query` matches patient name or id, study date or description. */
  studies(query?: string): Array<StudyRow & { patientName: string; patientId: string }> {
    const like = `%${(query ?? '').replace(/[%_\\]/g, (c) => '\\' + c)}%`
    return this.db
      .prepare(
        `SELECT s.id, s.patient_ref AS patientRef, s.study_instance_uid AS studyInstanceUid, s.study_date AS studyDate,
           s.description, s.accession_number AS accessionNumber, s.created_at AS createdAt,
           p.name AS patientName, p.patient_id AS patientId
         FROM studies s JOIN patients p ON p.id = s.patient_ref
         WHERE p.name LIKE @like ESCAPE '\\' OR p.patient_id LIKE @like ESCAPE '\\'
           OR s.study_date LIKE @like ESCAPE '\\' OR s.description LIKE @like ESCAPE '\\'
         ORDER BY s.study_date DESC, s.id DESC`
      )
      .all({ like })
      .map((r) => parseRow(StudyListRow, 'studies', r))
  }

  /** Deletes a study (series, masks and reports cascade) and a patient left without studies. */
  deleteStudy(id: number): boolean {
    const study = this.study(id)
    if (!study) return false
    this.db.prepare('DELETE FROM studies WHERE id = ?').run(id)
    this.db
      .prepare('DELETE FROM patients WHERE id = ? AND NOT EXISTS (SELECT 1 FROM studies WHERE patient_ref = ?)')
      .run(study.patientRef, study.patientRef)
    return true
  }
}
