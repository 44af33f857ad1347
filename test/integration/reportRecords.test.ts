import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SeverityReportView } from '../../src/shared/api'
import { automaticScoresOfView, finalScores } from '../../src/shared/severityScoring'
import { encodeRuns } from '../../src/shared/runLength'
import { PulmoService } from '../../src/main/services'
import { encodePng } from '../../src/main/volume/png'
import { copyMostInferiorSlices } from '../helpers/chestCt'
import { lungmaskSlices, p002, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'
import { analyseSeries } from '../helpers/analyse'


function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

/**
 * The chain from correction to signed record through the service, on the two real lungmask
 * slices with a tiny untrained model: the figures are checked against voxel counts.
 */
describe('rescoring from mask versions, signed reports as records, provenance', () => {
  const dir = tempDir('pulmo-records-')
  let service: PulmoService
  let seriesId: number
  let lungs: Uint8Array
  let voxelMl: number
  const sliceSize = 512 * 512
  let signed: SeverityReportView

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket', modelDir })
    await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
    seriesId = (await service.invoke('studies.import', { paths: [lungmaskSlices] })).created[0]
    const header = await service.invoke('series.header', { seriesId })
    voxelMl = (header.spacing[0] * header.spacing[1] * header.spacing[2]) / 1000
    const ended = await analyseSeries(service, seriesId)
    expect(ended.status, ended.message).toBe('finished')
    expect(ended.message).toContain('The series has 2 slices')
    lungs = new Uint8Array(await service.invoke('masks.lungs', { seriesId }))
  }, 300_000)
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('rescores the report from a saved corrected version: infected volume = the painted lung voxels', async () => {
    const first = (await service.invoke('reports.get', { seriesId }))!
    expect(first).toMatchObject({ maskVersion: 1, mask: { version: 1, source: 'model' } })
    expect(first.warnings).toEqual([
      'The series has 2 slices: volumes, percentages and scores describe these slices, not the whole lungs.'
    ])
    await service.invoke('reports.update', { reportId: first.id, findings: 'Kept through rescoring.' })

    // erase everything, then paint ground glass on 60 × 40 voxels of the right lung of slice 0
    const cleared = [0, 1].map((k) => ({ k, runs: [0, sliceSize] }))
    const v2 = await service.invoke('masks.save', { seriesId, baseVersion: 1, slices: cleared })
    let report = (await service.invoke('reports.get', { seriesId }))!
    expect(report).toMatchObject({
      id: first.id,
      maskVersion: 2,
      infectedVolumeMl: 0,
      severity: 'none',
      findings: 'Kept through rescoring.'
    })
    expect(report.ctss.final).toBe(0)

    const labels = new Uint8Array(sliceSize)
    let paintedInLung = 0
    let row = -1
    for (let y = 150; y < 400 && row < 0; y++) {
      if (lungs.subarray(y * 512, y * 512 + 512).filter((v) => v === 1).length > 120) row = y
    }
    expect(row).toBeGreaterThan(0)
    const firstX = lungs.subarray(row * 512, row * 512 + 512).findIndex((v) => v === 1)
    for (let y = row; y < row + 40; y++)
      for (let x = firstX + 10; x < firstX + 70; x++) {
        labels[y * 512 + x] = 1
        if (lungs[y * 512 + x] === 1) paintedInLung++
      }
    expect(paintedInLung).toBeGreaterThan(1500)
    const v3 = await service.invoke('masks.save', {
      seriesId,
      baseVersion: v2.version,
      slices: [{ k: 0, runs: encodeRuns(labels) }]
    })
    report = (await service.invoke('reports.get', { seriesId }))!
    expect(report.maskVersion).toBe(3)
    expect(report.mask).toMatchObject({ version: 3, source: 'annotator', author: 'Dr Lee', revertedTo: null })
    expect(report.infectedVolumeMl).toBeCloseTo(paintedInLung * voxelMl, 6)
    expect(report.ggoVolumeMl).toBeCloseTo(paintedInLung * voxelMl, 6)
    const lungVoxels = lungs.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)
    expect(report.percentInfected.total).toBeCloseTo((100 * paintedInLung) / lungVoxels, 6)
    expect(report.ctss.final).toBeGreaterThan(0)
    // training data: the slices that now differ from the model's version 1 (slice 1 only if the model marked something there)
    const model = await service.invoke('masks.voxels', { seriesId, version: 1 })
    const modelMarkedSlice1 = model.subarray(sliceSize).some((v) => v !== 0)
    expect(v3.trainingSlices).toEqual(modelMarkedSlice1 ? [0, 1] : [0])

    // choosing version 1 again rescores from it, without the model
    const back = await service.invoke('reports.rescore', { seriesId, maskVersion: 1 })
    expect(back).toMatchObject({
      id: first.id,
      maskVersion: 1,
      infectedVolumeMl: first.infectedVolumeMl,
      ctss: first.ctss
    })
    await service.invoke('reports.rescore', { seriesId, maskVersion: 3 })
    const audit = await service.invoke('audit.list', { entity: 'report', entityId: first.id })
    // the analysis's own result is the first rescore entry (version 1), then the saves and choices
    expect(audit.filter((e) => e.action === 'rescore').map((e) => e.detail.maskVersion)).toEqual([2, 3, 1, 3])
  }, 120_000)

  it('the radiologist’s region scores flow into the lobar score and the severity class', async () => {
    const current = (await service.invoke('reports.get', { seriesId }))!
    const regionScores = current.regions.map((r) => ({ regionId: r.id, score: 2 }))
    const edited = await service.invoke('reports.update', { reportId: current.id, regionScores })
    const expected = finalScores(
      automaticScoresOfView(edited),
      regionScores.map((r) => ({ ...r, by: 'Dr Lee', at: 'x' }))
    )
    expect(edited.ctss).toEqual({ automatic: current.ctss.automatic, final: 40, severe: true })
    expect(edited.lobarTotal).toBe(expected.lobar.final)
    expect(edited.lobarTotal).toBe(20)
    expect(edited.automatic.lobarTotal).toBe(current.lobarTotal)
    expect(edited.severity).toBe('severe')
    expect(edited.lobes.every((l) => l.finalScore === 4)).toBe(true)
    // back to the automatic scores for what follows
    const restored = await service.invoke('reports.update', {
      reportId: current.id,
      regionScores: current.regions.map((r) => ({ regionId: r.id, score: r.score }))
    })
    expect(restored.lobarTotal).toBe(current.lobarTotal)
    expect(restored.severity).toBe(current.severity)
  }, 60_000)

  it('signs; re-analysis leaves the signed report untouched and drafts an amendment naming it', async () => {
    const draft = (await service.invoke('reports.get', { seriesId }))!
    await service.invoke('reports.update', {
      reportId: draft.id,
      regionScores: [{ regionId: 'L3', score: 2 }],
      impression: 'Signed impression.'
    })
    signed = await service.invoke('reports.sign', { reportId: draft.id })
    const signedPdf = await service.invoke('reports.signedPdf', { reportId: signed.id })
    expect(createHash('sha256').update(signedPdf).digest('hex')).toBe(signed.signedPdfSha256)
    const signedFile = join(dir.path, 'signed.pdf')
    writeFileSync(signedFile, signedPdf)
    expect(pdfText(signedFile)).toContain('Mask version 3 (corrected by Dr Lee')
    // a signed report refuses rescoring in place: an amendment is drafted instead
    const amendedByRescore = await service.invoke('reports.rescore', { seriesId, maskVersion: 3 })
    expect(amendedByRescore.amends).toEqual({ reportId: signed.id, signedBy: 'Dr Lee', signedAt: signed.signedAt })

    // the model's new segmentation chosen as the base (the default keeps the correction: correctionsKept.test.ts)
    const ended = await analyseSeries(service, seriesId, 'model')
    expect(ended.status, ended.message).toBe('finished')
    const after = await service.invoke('reports.view', { reportId: signed.id })
    expect(after).toMatchObject({
      signedBy: 'Dr Lee',
      signedAt: signed.signedAt,
      signedPdfSha256: signed.signedPdfSha256,
      maskVersion: 3,
      impression: 'Signed impression.',
      amendedBy: amendedByRescore.id
    })
    expect(after.regions.find((r) => r.id === 'L3')!.edited?.score).toBe(2)
    const current = (await service.invoke('reports.get', { seriesId }))!
    expect(current.id).toBe(amendedByRescore.id)
    expect(current).toMatchObject({
      signedAt: null,
      maskVersion: 4,
      mask: { source: 'model' },
      impression: 'Signed impression.'
    })
    expect(current.amends?.reportId).toBe(signed.id)
    const list = await service.invoke('reports.list', { seriesId })
    expect(list.map((r) => [r.id, r.signedBy, r.hasSignedPdf, r.amends, r.amendedBy])).toEqual([
      [signed.id, 'Dr Lee', true, null, current.id],
      [current.id, null, false, signed.id, null]
    ])
    expect((await service.invoke('studies.list', {}))[0].status.reported).toBe(true)
    // the audit log ties them: the sign entry, the amendment naming the signed report, the rescore by the analysis
    const amend = (await service.invoke('audit.list', { entity: 'report', entityId: current.id })).map((e) => [
      e.action,
      e.detail.amends ?? e.detail.cause
    ])
    expect(amend).toEqual(
      expect.arrayContaining([
        ['amend', signed.id],
        ['rescore', 'analysis']
      ])
    )
    const signEntry = (await service.invoke('audit.list', { entity: 'report', entityId: signed.id })).find(
      (e) => e.action === 'sign'
    )
    expect(signEntry?.detail).toMatchObject({ sha256: signed.signedPdfSha256, maskVersion: 3 })

    const file = join(dir.path, 'amendment.pdf')
    await service.invoke('reports.pdf', { reportId: current.id, path: file, identified: true })
    const text = pdfText(file)
    expect(text).toContain('chest CT severity report (amendment)')
    expect(text).toMatch(
      new RegExp(`This report amends report ${signed.id}, signed by Dr Lee at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`)
    )
    expect(text).toContain('Mask version 4 (the model’s segmentation')
    expect(text).toContain('The series has 2 slices')
  }, 300_000)

  it('reverting to the model’s version is not a correction: no training slices, labelled as a revert', async () => {
    const model = await service.invoke('masks.voxels', { seriesId, version: 4 })
    // version 5: a correction of slice 1; then revert to version 4 (the model's)
    const corrected = new Uint8Array(model.subarray(sliceSize, 2 * sliceSize))
    corrected.fill(2, 1000, 3000)
    const v5 = await service.invoke('masks.save', {
      seriesId,
      baseVersion: 4,
      slices: [{ k: 1, runs: encodeRuns(corrected) }]
    })
    expect(v5.trainingSlices).toEqual([1])
    const v6 = await service.invoke('masks.save', {
      seriesId,
      baseVersion: 5,
      slices: [{ k: 1, runs: encodeRuns(model.subarray(sliceSize, 2 * sliceSize)) }],
      revertTo: 4
    })
    expect(v6).toMatchObject({ version: 6, source: 'annotator', revertedTo: 4, trainingSlices: [] })
    expect((await service.invoke('reports.get', { seriesId }))!.mask).toMatchObject({ version: 6, revertedTo: 4 })
  }, 120_000)
})

describe('only chest CT is analysed', () => {
  const dir = tempDir('pulmo-chestct-service-')
  let service: PulmoService

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket', modelDir })
    await service.settings.set({ backend: 'wasm' })
  })
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('refuses a colour photograph at import, storing nothing, and an abdomen-only series in the compute process', async () => {
    // A 64×48 RGB picture: a red-to-blue gradient over green, nothing grey about it.
    const [width, height] = [64, 48]
    const rgb = new Uint8Array(width * height * 3)
    for (let i = 0; i < width * height; i++) rgb.set([(i % width) * 4, 120, 255 - (i % width) * 4], i * 3)
    const photoPath = join(dir.path, 'holiday.png')
    writeFileSync(photoPath, encodePng(rgb, width, height, 3))
    await expect(service.invoke('studies.import', { paths: [photoPath] })).rejects.toThrow(
      'Not imported: holiday.png is not a chest CT: the image is a colour photograph (modality XC), not a CT; Pulmo scores chest CT only.'
    )
    // nothing half-imported: no study, no voxel file, no temporary file
    expect(await service.invoke('studies.list', {})).toEqual([])
    expect(readdirSync(join(dir.path, 'data', 'series'))).toEqual([])
    await copyMostInferiorSlices(p002, 25, join(dir.path, 'inferior'))
    const abdomen = (await service.invoke('studies.import', { paths: [join(dir.path, 'inferior')] })).created[0]
    const ended = await analyseSeries(service, abdomen)
    expect(ended.status).toBe('failed')
    expect(ended.message).toMatch(/^Not a chest CT: no slice shows two lungs filling a chest/)
    expect(await service.invoke('masks.list', { seriesId: abdomen })).toEqual([])
    expect(await service.invoke('reports.get', { seriesId: abdomen })).toBeNull()
    const refusals = (await service.invoke('audit.list', { entity: 'series' })).filter((e) => e.action === 'refuse')
    expect(refusals.map((e) => e.entityId)).toEqual([abdomen])
  }, 300_000)
})
