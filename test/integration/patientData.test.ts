import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shiftDate } from '../../src/main/privacy'
import { PulmoService } from '../../src/main/services'
import { pseudonymKeys } from '../../src/main/services/privacy'
import { segmentLungs } from '../../src/main/lungs/lungMask'
import { createChestPhantom, insertLesion, lesionLabelMap } from '../helpers/phantom'
import { partitionLungRegions } from '../../src/main/regions/regions'
import { computeSeverity } from '../../src/main/scores/scores'
import { checksum, readNifti, writeNifti } from '../../src/main/volume'
import { projectRoot, tempDir } from '../helpers/paths'
import { TEST_LESIONS } from '../helpers/phantomTruth'

/**
 * Patient data through the service, as the workstation and the CLI use it: exports (NIfTI, DICOM,
 * PDF) are de-identified unless asked otherwise, and every view, edit, sign-off and export is in
 * the audit log with who did it. The series is a chest phantom imported from a NIfTI file that
 * carries a patient identity, as an identified Pulmo export does.
 */
const dir = tempDir('pulmo-patient-data-')
const IDENTITY = {
  patientName: 'Doe^Jane',
  patientId: 'PX-4455',
  patientBirthDate: '1972-03-05',
  patientSex: 'F',
  studyInstanceUid: '1.2.826.0.1.3680043.8.498.77',
  studyDate: '2020-03-14',
  studyDescription: 'CT chest Doe',
  accessionNumber: 'ACC-4242',
  seriesInstanceUid: '1.2.826.0.1.3680043.8.498.77.1',
  seriesNumber: 3,
  seriesDescription: 'Lung 1.0'
}
/** What a de-identified export must not contain, in any form a reader or a parser would find. */
const IDENTIFIERS = ['Doe^Jane', 'Doe', 'PX-4455', 'ACC-4242', '2020-03-14', '20200314', '1972-03-05', '19720305', IDENTITY.studyInstanceUid]

let service: PulmoService
let seriesId: number
let reportId: number
let phantomChecksum: string
let pseudonym: string
let dateShift: number

const pdfText = (file: string): string => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
const found = (text: string, strings: string[]): string[] => strings.filter((s) => text.includes(s))
const niftiText = (file: string): string => gunzipSync(readFileSync(file)).toString('latin1')

beforeAll(async () => {
  const phantom = createChestPhantom({ dimensions: [96, 96, 20], spacing: [3.8, 3.8, 14] })
  const lesions = [insertLesion(phantom, TEST_LESIONS.consolidation), insertLesion(phantom, TEST_LESIONS.groundGlass)]
  const source = join(dir.path, 'phantom.nii.gz')
  await writeNifti(source, phantom.volume, { identity: { ...IDENTITY, deidentified: false } })
  phantomChecksum = checksum(phantom.volume)

  service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
  await service.invoke('settings.set', { userName: 'dr.lee' })
  const imported = await service.invoke('studies.import', { paths: [source] })
  seriesId = imported.created[0]
  expect(imported.studies[0]).toMatchObject({ patientName: 'Doe^Jane', patientId: 'PX-4455', studyDate: '2020-03-14' })

  const lungs = segmentLungs(phantom.volume)
  const severity = computeSeverity({
    geometry: phantom.volume,
    lungLabels: lungs.labels,
    regionLabels: partitionLungRegions(lungs.labels, phantom.volume),
    infectionLabels: lesionLabelMap(phantom, lesions)
  })
  reportId = service.store.reports.create(seriesId, null, { severity, model: { name: 'infnet-tiny', version: 'test' }, maskVersion: null }).id
  const patient = pseudonymKeys(service.store).patient('PX-4455')
  pseudonym = patient.pseudonym
  dateShift = patient.dateShiftDays
}, 120_000)

afterAll(() => {
  service?.close()
  dir.remove()
})

describe('exports are de-identified unless asked otherwise', () => {
  it('NIfTI: the pseudonym and shifted date by default, the identity with identified', async () => {
    const shared = join(dir.path, 'shared.nii.gz')
    expect(await service.invoke('series.export', { seriesId, path: shared })).toEqual({ path: shared, format: 'nifti', deidentified: true, files: 1 })
    expect(found(niftiText(shared), IDENTIFIERS)).toEqual([])
    const back = await readNifti(shared)
    expect(checksum(back)).toBe(phantomChecksum)
    expect(back.metadata).toMatchObject({ patientName: pseudonym, patientId: pseudonym, studyDate: shiftDate('2020-03-14', dateShift), seriesNumber: 3 })
    expect(back.metadata?.patientBirthDate).toBeUndefined()
    expect(back.metadata?.accessionNumber).toBeUndefined()

    const kept = join(dir.path, 'identified.nii.gz')
    expect(await service.invoke('series.export', { seriesId, path: kept, identified: true })).toMatchObject({ deidentified: false })
    expect(found(niftiText(kept), ['Doe^Jane', 'PX-4455', 'ACC-4242', '2020-03-14'])).toEqual(['Doe^Jane', 'PX-4455', 'ACC-4242', '2020-03-14'])
    expect((await readNifti(kept)).metadata).toMatchObject({ patientName: 'Doe^Jane', seriesInstanceUid: IDENTITY.seriesInstanceUid })
  })

  it('DICOM: one CT file per slice without the identity, which Pulmo imports back voxel for voxel', async () => {
    const folder = join(dir.path, 'dicom-shared')
    expect(await service.invoke('series.export', { seriesId, path: folder })).toEqual({ path: folder, format: 'dicom', deidentified: true, files: 20 })
    const names = readdirSync(folder).sort()
    expect(names).toHaveLength(20)
    expect(names[0]).toBe('IM0001.dcm')
    for (const name of names) {
      const text = readFileSync(join(folder, name)).toString('latin1')
      expect(found(text, IDENTIFIERS), name).toEqual([])
      expect(text).toContain(pseudonym)
    }
    const reimported = await service.invoke('studies.import', { paths: [folder] })
    expect(reimported.created).toHaveLength(1)
    const study = reimported.studies[0]
    expect(study).toMatchObject({ patientName: pseudonym, patientId: pseudonym, studyDate: shiftDate('2020-03-14', dateShift) })
    const copy = await service.studies.volume(reimported.created[0])
    expect(checksum(copy)).toBe(phantomChecksum)
    const original = await service.studies.volume(seriesId)
    copy.origin.forEach((x, a) => expect(x).toBeCloseTo(original.origin[a], 4))
    copy.spacing.forEach((x, a) => expect(x).toBeCloseTo(original.spacing[a], 6))

    // Identified, the DICOM keeps the series' own UIDs: importing it finds the series already there.
    const identified = join(dir.path, 'dicom-identified')
    await service.invoke('series.export', { seriesId, path: identified, format: 'dicom', identified: true })
    expect(found(readFileSync(join(identified, 'IM0001.dcm')).toString('latin1'), ['Doe^Jane', 'PX-4455', 'ACC-4242', '20200314'])).toHaveLength(4)
    expect(await service.invoke('studies.import', { paths: [identified] })).toMatchObject({ created: [], existing: [seriesId] })
  })

  it('PDF: the pseudonym, shifted dates and scrubbed findings by default; the identity with identified', async () => {
    await service.invoke('reports.update', { reportId, regionScores: [{ regionId: 'R3', score: 2 }], findings: 'Doe^Jane (PX-4455): consolidation, right lower lobe.' })
    await service.invoke('reports.sign', { reportId })
    const shared = join(dir.path, 'shared.pdf')
    await service.invoke('reports.pdf', { reportId, path: shared })
    const text = pdfText(shared)
    expect(found(text, IDENTIFIERS)).toEqual([])
    expect(text).toContain(pseudonym)
    expect(text).toContain(shiftDate('2020-03-14', dateShift))
    expect(text).toContain(`${pseudonym} (${pseudonym}): consolidation, right lower lobe.`)
    expect(text).toMatch(/De-identified/)
    expect(text).toMatch(/Signed by dr\.lee/)
    const bytes = await service.invoke('reports.pdf', { reportId })
    expect(bytes instanceof Uint8Array && found(Buffer.from(bytes).toString('latin1'), ['Doe^Jane', 'PX-4455'])).toEqual([])

    const kept = join(dir.path, 'identified.pdf')
    await service.invoke('reports.pdf', { reportId, path: kept, identified: true })
    const identified = pdfText(kept)
    expect(found(identified, ['Doe^Jane', 'PX-4455', 'ACC-4242', '2020-03-14', '1972-03-05'])).toHaveLength(5)
    expect(identified).not.toMatch(/De-identified/)
  })
})

describe('the audit log', () => {
  it('records who viewed, edited, signed and exported what', async () => {
    await service.invoke('series.voxels', { seriesId })
    const [nx, ny] = [96, 96]
    const mask = await service.invoke('masks.save', { seriesId, baseVersion: 0, slices: [{ k: 10, runs: [0, 100, 1, 50, 0, nx * ny - 150] }] })
    const entries = await service.invoke('audit.list', {})
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set(['dr.lee']))
    const of = (action: string, entity: string): typeof entries => entries.filter((e) => e.action === action && e.entity === entity)
    expect(of('import', 'series').map((e) => e.entityId)).toContain(seriesId)
    expect(of('view', 'series').at(-1)).toMatchObject({ entityId: seriesId })
    expect(of('edit', 'mask').at(-1)).toMatchObject({ entityId: mask.id, detail: { seriesId, version: 1 } })
    expect(of('edit', 'report')[0]).toMatchObject({ entityId: reportId, detail: { regions: ['R3'] } })
    expect(of('sign', 'report')).toHaveLength(1)
    expect(of('sign', 'report')[0].entityId).toBe(reportId)

    const exports = of('export', 'series').map((e) => e.detail)
    expect(exports).toEqual([
      { format: 'nifti', deidentified: true, path: join(dir.path, 'shared.nii.gz'), files: 1, pseudonym },
      { format: 'nifti', deidentified: false, path: join(dir.path, 'identified.nii.gz'), files: 1 },
      { format: 'dicom', deidentified: true, path: join(dir.path, 'dicom-shared'), files: 20, pseudonym },
      { format: 'dicom', deidentified: false, path: join(dir.path, 'dicom-identified'), files: 20 }
    ])
    expect(of('export', 'report').map((e) => e.detail)).toEqual([
      { format: 'pdf', deidentified: true, path: join(dir.path, 'shared.pdf'), maskVersion: null, pseudonym },
      { format: 'pdf', deidentified: true, path: 'download', maskVersion: null, pseudonym },
      { format: 'pdf', deidentified: false, path: join(dir.path, 'identified.pdf'), maskVersion: null }
    ])
    // Filters and the limit: the latest entries of one entity, oldest first.
    const reportLog = await service.invoke('audit.list', { entity: 'report', entityId: reportId, limit: 2 })
    expect(reportLog.map((e) => e.action)).toEqual(['export', 'export'])
    expect(reportLog[0].id).toBeLessThan(reportLog[1].id)
  })
})

const bin = join(projectRoot, 'bin/pulmo.js')
describe('pulmo export and pulmo audit (the built CLI)', () => {
  const pulmo = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args, '--data-dir', join(dir.path, 'data')], { encoding: 'utf8', timeout: 120_000 })

  it('exports de-identified by default and with the identity on --identified, and prints the log', () => {
    const shared = join(dir.path, 'cli.nii.gz')
    const run = pulmo('export', String(seriesId), '--out', shared)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain('de-identified')
    expect(found(niftiText(shared), IDENTIFIERS)).toEqual([])
    expect(niftiText(shared)).toContain(pseudonym)

    const kept = join(dir.path, 'cli-identified.nii.gz')
    expect(pulmo('export', String(seriesId), '--out', kept, '--identified').status).toBe(0)
    expect(found(niftiText(kept), ['Doe^Jane', 'PX-4455'])).toEqual(['Doe^Jane', 'PX-4455'])

    const folder = join(dir.path, 'cli-dicom')
    const dicom = pulmo('export', String(seriesId), '--out', folder, '--format', 'dicom')
    expect(dicom.status, dicom.stderr).toBe(0)
    expect(dicom.stdout).toContain('20 DICOM files')
    expect(pulmo('export', String(seriesId), '--out', folder, '--format', 'dicom').stderr).toMatch(/already exists/)

    const audit = pulmo('audit', '--json', '--entity', 'series', '--id', String(seriesId))
    expect(audit.status, audit.stderr).toBe(0)
    const cliExports = (JSON.parse(audit.stdout) as Array<{ action: string; detail: { path?: string; deidentified?: boolean } }>)
      .filter((e) => e.action === 'export')
      .slice(-3)
    expect(cliExports.map((e) => [e.detail.path, e.detail.deidentified])).toEqual([
      [shared, true],
      [kept, false],
      [folder, true]
    ])
    const table = pulmo('audit', '--entity', 'report')
    expect(table.stdout).toMatch(/when \(UTC\)\s+who\s+action\s+what\s+detail/)
    expect(table.stdout).toMatch(/dr\.lee\s+sign\s+report \d+/)
  })
})
