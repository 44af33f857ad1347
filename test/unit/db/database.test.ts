import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openStore, MaskConflictError, type Store } from '../../../src/main/db'
import { schemaVersion } from '../../../src/main/db/database'
import { migrations } from '../../../src/main/db/migrations'
import { tempDir } from '../../helpers/paths'

describe('study database', () => {
  let dir: ReturnType<typeof tempDir>
  let store: Store

  beforeEach(() => {
    dir = tempDir()
    store = openStore(join(dir.path, 'pulmo.sqlite'))
  })
  afterEach(() => {
    store.close()
    dir.remove()
  })

  function seedSeries(uid = '1.2.3'): number {
    const patientRef = store.studies.findOrCreatePatient({ patientId: 'P002', name: 'Doe^Jane', birthDate: null, sex: 'F' })
    const studyRef = store.studies.findOrCreateStudy({
      patientRef,
      studyInstanceUid: 'study-1',
      studyDate: '20200401',
      description: 'CT chest',
      accessionNumber: ''
    })
    return store.studies.insertSeries({
      studyRef,
      seriesInstanceUid: uid,
      seriesNumber: 1,
      description: 'axial',
      modality: 'CT',
      unit: 'HU',
      columns: 512,
      rows: 512,
      slices: 133,
      spacing: [0.6035, 0.6035, 2],
      origin: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      valueMin: -1024,
      valueMax: 1470,
      voxelPath: 'series/x.nii.gz',
      checksum: 'abc'
    })
  }

  it('runs every migration once, in WAL mode with foreign keys on', () => {
    expect(schemaVersion(store.db)).toBe(migrations.length)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1)
    store.close()
    store = openStore(join(dir.path, 'pulmo.sqlite')) // reopening does not re-run migrations
    expect(schemaVersion(store.db)).toBe(migrations.length)
  })

  it('keeps one patient and one study for repeated lookups and reads series geometry back', () => {
    const id = seedSeries()
    const s = store.studies.series(id)!
    const again = store.studies.findOrCreatePatient({ patientId: 'P002', name: 'Doe^Jane', birthDate: null, sex: 'F' })
    expect(again).toBe(store.studies.study(s.studyRef)!.patientRef)
    expect(s.spacing).toEqual([0.6035, 0.6035, 2])
    expect(s.slices).toBe(133)
    expect(() => seedSeries()).toThrow(/UNIQUE/)
    expect(store.studies.studies('doe')).toHaveLength(1)
    expect(store.studies.studies('nobody')).toHaveLength(0)
    expect(store.studies.studies('100%')).toHaveLength(0) // LIKE wildcards in the query are literal
  })

  it('versions masks, refuses a save based on a stale version, and cascades on study delete', () => {
    const seriesRef = seedSeries()
    const base = { seriesRef, parentRef: null, source: 'model' as const, modelRef: null, author: 'pulmo', labelSet: ['ggo', 'consolidation'], path: 'm1', checksum: 'c1', trainingSlices: [] }
    const v1 = store.masks.add(base, 0)
    const v2 = store.masks.add({ ...base, parentRef: v1.id, source: 'annotator', author: 'dr.a', path: 'm2' }, 1)
    expect(v2.version).toBe(2)
    expect(v2.parentRef).toBe(v1.id)
    expect(() => store.masks.add({ ...base, author: 'dr.b' }, 1)).toThrow(MaskConflictError)
    expect(store.masks.versions(seriesRef).map((m) => m.author)).toEqual(['pulmo', 'dr.a'])

    const report = store.reports.create(seriesRef, v2.id, { ctss: 12 })
    store.reports.sign(report.id, 'dr.a')
    expect(() => store.reports.update(report.id, { findings: 'late edit' })).toThrow(/signed/)

    expect(store.studies.deleteStudy(store.studies.series(seriesRef)!.studyRef)).toBe(true)
    expect(store.masks.versions(seriesRef)).toHaveLength(0)
    expect(store.reports.get(report.id)).toBeUndefined()
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM patients').get()).toEqual({ n: 0 })
  })

  it('activates one model per kind and logs actions', () => {
    const a = store.models.register({ name: 'infnet-lite', version: '1', kind: 'infection', path: 'a', card: {} })
    const b = store.models.register({ name: 'infnet-lite', version: '2', kind: 'infection', path: 'b', card: {} })
    store.models.activate(a.id)
    store.models.activate(b.id)
    expect(store.models.active('infection')!.id).toBe(b.id)
    expect(store.models.list().filter((m) => m.active)).toHaveLength(1)
    store.audit.record('dr.a', 'export', 'series', 7, { path: '/tmp/x' })
    expect(store.audit.list('series', 7)).toMatchObject([{ actor: 'dr.a', action: 'export', detail: { path: '/tmp/x' } }])
  })
})
