import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lobeSummary, type SeriesComparison } from '../../src/shared/followUp'
import { PulmoService } from '../../src/main/services'
import { addGroundGlassInLobe } from '../helpers/lobeEdit'
import { lungmaskSlices, projectRoot, tempDir } from '../helpers/paths'
import { retagSeries } from '../helpers/retag'
import { analyseSeries } from '../helpers/analyse'

async function analyse(service: PulmoService, seriesId: number): Promise<void> {
  const result = await analyseSeries(service, seriesId)
  expect(result.status, result.message).toBe('finished')
}

function expectStableEverywhere(c: SeriesComparison): void {
  expect(c.trend).toBe('stable')
  expect(c.percentInfected.trend).toEqual({ total: 'stable', left: 'stable', right: 'stable' })
  expect(c.percentInfected.change).toEqual({ total: 0, left: 0, right: 0 })
  expect(c.lobes.map((l) => [l.id, l.trend, l.change])).toEqual(['RUL', 'RML', 'RLL', 'LUL', 'LLL'].map((id) => [id, 'stable', 0]))
  expect(c.regions.every((r) => r.trend === 'stable' && r.change === 0 && r.score.change === 0)).toBe(true)
  expect(c.ctss.change).toBe(0)
  expect(c.lobar.change).toBe(0)
  expect(c.infectedVolumeMl.change).toBe(0)
  expect(c.lungVolumeMl.change).toBe(0)
  expect(c.summary.slice(1).every((line) => line.endsWith(', stable'))).toBe(true)
}

/**
 * Follow-up comparisons on the real lungmask slices, analysed with the bundled models (the figures
 * are checked against voxel counts): a copy re-tagged with dcmjs as a later study of the
 * same patient, a copy as another patient, and a known change painted into one lobe.
 */
describe('follow-up: two studies of one patient compared', () => {
  const dir = tempDir('pulmo-follow-up-')
  const dataDir = join(dir.path, 'data')
  let service: PulmoService
  let first: number
  let later: number
  let other: number
  let voxelMl: number

  beforeAll(async () => {
    // the bundled models, so the lungs carry infection to compare
    service = new PulmoService({ dataDir, transport: 'websocket' })
    await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
    const patient = { patientId: 'LM-0042', patientName: 'Lung^Mask' }
    const a = retagSeries(lungmaskSlices, join(dir.path, 'first'), { ...patient, studyDate: '20200301' })
    const b = retagSeries(lungmaskSlices, join(dir.path, 'later'), { ...patient, studyDate: '20200315' })
    const c = retagSeries(lungmaskSlices, join(dir.path, 'other'), { patientId: 'LM-0077', patientName: 'Other^Person', studyDate: '20200320' })
    ;[first, later, other] = [
      (await service.invoke('studies.import', { paths: [a] })).created[0],
      (await service.invoke('studies.import', { paths: [b] })).created[0],
      (await service.invoke('studies.import', { paths: [c] })).created[0]
    ]
    const header = await service.invoke('series.header', { seriesId: later })
    voxelMl = (header.spacing[0] * header.spacing[1] * header.spacing[2]) / 1000
    for (const id of [first, later, other]) await analyse(service, id)
  }, 600_000)
  afterAll(async () => {
    await service?.shutdown()
    dir.remove()
  })

  it('a copy re-tagged as a later study of the same patient (new UIDs) reads stable everywhere, earlier → later', async () => {
    const c = await service.invoke('comparison.compare', { seriesA: later, seriesB: first })
    expect(c.before).toMatchObject({ seriesId: first, studyDate: '2020-03-01', slices: 2 })
    expect(c.after).toMatchObject({ seriesId: later, studyDate: '2020-03-15' })
    expect(c.samePatientBy).toBe('patient-id')
    expect(c.interval_days).toBe(14)
    expect(c.before.lungExtent).toEqual(c.after.lungExtent)
    expectStableEverywhere(c)
    expect(c.infectedVolumeMl.before).toBeGreaterThan(0)
    expect(c.summary[0]).toContain('stable over 14 days')
    expect(c.history.map((h) => h.seriesId)).toEqual([first, later])
  }, 120_000)

  it('the same scan analysed a second time still reads stable', async () => {
    await analyse(service, later)
    const masks = await service.invoke('masks.list', { seriesId: later })
    expect(masks.map((m) => m.source)).toEqual(['model', 'model'])
    expectStableEverywhere(await service.invoke('comparison.compare', { seriesA: first, seriesB: later }))
  }, 300_000)

  it('refuses series of different patients with a clear message', async () => {
    await expect(service.invoke('comparison.compare', { seriesA: first, seriesB: other })).rejects.toMatchObject({
      code: 'bad-input',
      message: `Series ${first} (patient LM-0042) and series ${other} (patient LM-0077) belong to different patients: a follow-up compares two studies of one patient.`
    })
  })

  it('the later report finds the earlier study to compare with', { timeout: 120_000 }, async () => {
    const previous = await service.invoke('comparison.previous', { seriesId: later })
    expect(previous?.before.seriesId).toBe(first)
    expect(previous?.before.reportId).toBe((await service.invoke('reports.get', { seriesId: first }))!.id)
    await expect(service.invoke('comparison.previous', { seriesId: first })).resolves.toBeNull()
    await expect(service.invoke('comparison.previous', { seriesId: other })).resolves.toBeNull()
    // a series that names no patient (the lungmask slices as published) has nothing to follow, and is refused for a comparison
    const anonymous = (await service.invoke('studies.import', { paths: [lungmaskSlices] })).created[0]
    await analyse(service, anonymous)
    await expect(service.invoke('comparison.previous', { seriesId: anonymous })).resolves.toBeNull()
    await expect(service.invoke('comparison.compare', { seriesA: anonymous, seriesB: first })).rejects.toMatchObject({
      code: 'bad-input',
      message: `Series ${anonymous} records no patient ID or name, so it cannot be matched to a patient.`
    })
  })

  it('a known volume painted into one lobe of the later study is exactly the change reported there', async () => {
    const base = (await service.invoke('masks.list', { seriesId: later })).at(-1)!.version
    // RLL: ground glass on 4000 of its voxels the model left clear, through the mask-version API
    const { added, lobeVoxels: rllVoxels } = await addGroundGlassInLobe(service, later, 'RLL', 4000)
    expect(added).toBe(4000)
    const c = await service.invoke('comparison.compare', { seriesA: first, seriesB: later })
    expect(c.after.maskVersion).toBe(base + 1)
    const addedMl = added * voxelMl
    expect(addedMl).toBeCloseTo(1.5625, 12) // 4000 voxels of 0.625 × 0.625 × 1 mm
    const lobe = c.lobes.find((l) => l.id === 'RLL')!
    expect(lobe.infectedVolumeMl.change).toBeCloseTo(addedMl, 9)
    expect(lobe.ggoVolumeMl.change).toBeCloseTo(addedMl, 9)
    expect(lobe.consolidationVolumeMl.change).toBe(0)
    expect(lobe.change).toBeCloseTo((100 * added) / rllVoxels, 9)
    expect(lobe.trend).toBe('worse')
    expect(c.summary).toContain(lobeSummary(lobe))
    expect(lobeSummary(lobe)).toMatch(/^RLL .* → .*, worse$/)
    for (const l of c.lobes.filter((x) => x.id !== 'RLL')) {
      expect([l.id, l.infectedVolumeMl.change, l.trend]).toEqual([l.id, 0, 'stable'])
    }
    expect(c.infectedVolumeMl.change).toBeCloseTo(addedMl, 9)
    expect(c.percentInfected.change.left).toBe(0)
  }, 120_000)

  it('the radiologist’s region scores count in the comparison as in the report', async () => {
    const report = (await service.invoke('reports.get', { seriesId: later }))!
    const edited = await service.invoke('reports.update', { reportId: report.id, regionScores: [{ regionId: 'L1', score: 2 }] })
    const c = await service.invoke('comparison.compare', { seriesA: first, seriesB: later })
    const before = (await service.invoke('reports.get', { seriesId: first }))!
    expect(c.ctss).toEqual({ before: before.ctss.final, after: edited.ctss.final, change: edited.ctss.final - before.ctss.final })
    expect(c.lobar.after).toBe(edited.lobarTotal)
    expect(c.regions.find((r) => r.id === 'L1')!.score.after).toBe(2)
    expect(c.lobes.find((l) => l.id === 'LUL')!.score.after).toBe(edited.lobes.find((l) => l.id === 'LUL')!.finalScore)
  })

  it('a de-identified export imported again is the same patient by its pseudonym, its dates in the pseudonym’s frame', async () => {
    const out = join(dir.path, 'deidentified')
    await service.invoke('series.export', { seriesId: first, path: out, format: 'dicom' })
    const copy = (await service.invoke('studies.import', { paths: [out] })).created[0]
    const study = (await service.invoke('studies.list', {})).find((s) => s.series.some((x) => x.id === copy))!
    expect(study.patientId).toMatch(/^PULMO-[0-9A-Z]{10}$/)
    expect(study.studyDate).not.toBe('2020-03-01')
    await analyse(service, copy)
    const c = await service.invoke('comparison.compare', { seriesA: copy, seriesB: later })
    expect(c.samePatientBy).toBe('pseudonym')
    expect(c.before.seriesId).toBe(copy)
    expect(c.interval_days).toBe(14)
    await expect(service.invoke('comparison.compare', { seriesA: copy, seriesB: other })).rejects.toMatchObject({ code: 'bad-input' })
  }, 300_000)

  it('the follow-up report (PDF) carries the comparison and names the earlier report it compares with', async () => {
    const earlier = (await service.invoke('reports.get', { seriesId: first }))!
    const signed = await service.invoke('reports.sign', { reportId: earlier.id })
    const current = (await service.invoke('reports.get', { seriesId: later }))!
    const identified = join(dir.path, 'follow-up.pdf')
    await service.invoke('reports.pdf', { reportId: current.id, path: identified, identified: true })
    const text = execFileSync('pdftotext', ['-layout', identified, '-'], { encoding: 'utf8' })
    const flowing = text.replace(/\s+/g, ' ')
    expect(text).toContain('Follow-up: change since the previous study')
    // the de-identified copy of the first study (same day in the pseudonym's frame) gives way to the study under the patient's own ID
    expect(flowing).toContain(`Compared with report ${earlier.id} of the study of 2020-03-01 (series ${first}, mask version 1, signed by Dr Lee at ${signed.signedAt!.slice(0, 16).replace('T', ' ')} UTC; 14 days`)
    const rll = (await service.invoke('comparison.previous', { seriesId: later }))!.lobes.find((l) => l.id === 'RLL')!
    expect(text).toMatch(new RegExp(`RLL right lower lobe +[\\d.]+ % +[\\d.]+ % +\\+${rll.change.toFixed(2)} pts +worse`))
    expect(flowing).toContain(lobeSummary(rll))
    // de-identified: the earlier study's date moves with the patient's offset; the interval stays
    const shared = join(dir.path, 'follow-up-deidentified.pdf')
    await service.invoke('reports.pdf', { reportId: current.id, path: shared })
    const sharedText = execFileSync('pdftotext', ['-layout', shared, '-'], { encoding: 'utf8' })
    expect(sharedText.replace(/\s+/g, ' ')).toMatch(new RegExp(`Compared with report ${earlier.id} of the study of \\d{4}-\\d{2}-\\d{2} \\(series`))
    expect(sharedText).not.toContain('2020-03-01')
    expect(sharedText.replace(/\s+/g, ' ')).toContain('14 days earlier')
    // the earlier study has no previous one: no follow-up section
    const firstPdf = join(dir.path, 'first.pdf')
    await service.invoke('reports.pdf', { reportId: earlier.id, path: firstPdf, identified: true })
    expect(execFileSync('pdftotext', ['-layout', firstPdf, '-'], { encoding: 'utf8' })).not.toContain('Follow-up')
  }, 120_000)

  it('pulmo compare prints the comparison, and --json the documented shape', async () => {
    await service.shutdown()
    const bin = join(projectRoot, 'bin/pulmo.js')
    const json = JSON.parse(execFileSync('node', [bin, 'compare', String(first), String(later), '--json', '--data-dir', dataDir], { encoding: 'utf8' }))
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['interval_days', 'percentInfected', 'lobes', 'ctss', 'lobar', 'trend']))
    expect(json.interval_days).toBe(14)
    expect(Object.keys(json.percentInfected.before)).toEqual(['total', 'left', 'right'])
    expect(json.lobes.map((l: { id: string }) => l.id)).toEqual(['RUL', 'RML', 'RLL', 'LUL', 'LLL'])
    expect(Object.keys(json.lobes[0])).toEqual(expect.arrayContaining(['id', 'before', 'after', 'change', 'trend']))
    expect(json.lobes.find((l: { id: string }) => l.id === 'RLL').trend).toBe('worse')
    const text = execFileSync('node', [bin, 'compare', String(first), String(later), '--data-dir', dataDir], { encoding: 'utf8' })
    expect(text).toContain('2020-03-01 → 2020-03-15 (14 days)')
    expect(text).toMatch(/RLL [\d.]+ % → [\d.]+ % \([\d.]+ → [\d.]+ mL\), worse/)
    let refused = ''
    try {
      execFileSync('node', [bin, 'compare', String(first), String(other), '--data-dir', dataDir], { encoding: 'utf8', stdio: 'pipe' })
    } catch (e) {
      refused = String((e as { stderr: string }).stderr)
    }
    expect(refused).toContain('belong to different patients')
    service = new PulmoService({ dataDir, transport: 'websocket' })
  }, 120_000)
})
