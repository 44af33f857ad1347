import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { ApiEvent, TaskEndedEvent } from '../../src/shared/api'
import { PulmoService } from '../../src/main/services'
import { lungmaskSlices, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'

/** Runs an analysis and waits for its end event. */
async function analyse(service: PulmoService, seriesId: number): Promise<{ ended: TaskEndedEvent; progress: ApiEvent[] }> {
  const progress: ApiEvent[] = []
  let off: () => void = () => {}
  const ended = new Promise<TaskEndedEvent>((resolve) => {
    off = service.onEvent((e) => {
      if (e.type === 'progress') progress.push(e)
      if (e.type === 'task-ended') resolve(e)
    })
  })
  await service.invoke('analysis.start', { seriesId })
  const result = await ended
  off()
  return { ended: result, progress }
}

describe('analysis, mask versions and the severity report through the service', () => {
  const dir = tempDir()
  let service: PulmoService
  let seriesId: number

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket', modelDir })
    await service.settings.set({ backend: 'wasm', userName: 'dr.lee' })
    const imported = await service.invoke('studies.import', { paths: [lungmaskSlices] })
    seriesId = imported.created[0]
  })
  afterAll(async () => {
    await service.analysis.close()
    service.close()
    dir.remove()
  })

  it('analyses a series in the compute process into a model mask version, lungs and a report', async () => {
    const { ended, progress } = await analyse(service, seriesId)
    expect(ended, ended.message).toMatchObject({ status: 'finished', kind: 'analysis', seriesId })
    expect(progress.length).toBeGreaterThan(1)
    const versions = await service.invoke('masks.list', { seriesId })
    expect(versions).toMatchObject([{ version: 1, source: 'model', author: 'Pulmo', parentVersion: null }])
    const lungs = await service.invoke('masks.lungs', { seriesId })
    expect(lungs.length).toBe(512 * 512 * 2)
    const right = lungs.reduce((n, v) => n + (v === 1 ? 1 : 0), 0)
    const left = lungs.reduce((n, v) => n + (v === 2 ? 1 : 0), 0)
    expect(right).toBeGreaterThan(10_000) // both lungs found on these real slices
    expect(left).toBeGreaterThan(10_000)
    const report = (await service.invoke('reports.get', { seriesId }))!
    expect(report.regions).toHaveLength(20)
    expect(report.lobes.map((l) => l.id).sort()).toEqual(['LLL', 'LUL', 'RLL', 'RML', 'RUL'])
    expect(report.model).toEqual({ name: 'infnet-tiny', version: 'test' })
    const status = (await service.invoke('studies.list', {}))[0].status
    expect(status).toMatchObject({ analysed: true, corrected: false, reported: false })
  })

  it('saves edited slices as a new version, refuses a stale base, and keeps the corrected slices', async () => {
    const sliceSize = 512 * 512
    // slice 1: the first 1000 voxels ground-glass, the next 500 consolidation, the rest unchanged-as-background
    const runs = [1, 1000, 2, 500, 0, sliceSize - 1500]
    const v2 = await service.invoke('masks.save', { seriesId, baseVersion: 1, slices: [{ k: 1, runs }] })
    expect(v2).toMatchObject({ version: 2, parentVersion: 1, source: 'annotator', author: 'dr.lee', trainingSlices: [1] })
    const labels = await service.invoke('masks.voxels', { seriesId })
    const slice1 = labels.subarray(sliceSize, 2 * sliceSize)
    expect([slice1[0], slice1[999], slice1[1000], slice1[1499], slice1[1500]]).toEqual([1, 1, 2, 2, 0])
    const v1 = await service.invoke('masks.voxels', { seriesId, version: 1 })
    expect(Buffer.from(v1.subarray(0, sliceSize)).equals(Buffer.from(labels.subarray(0, sliceSize)))).toBe(true) // slice 0 untouched

    await expect(service.invoke('masks.save', { seriesId, baseVersion: 1, slices: [{ k: 0, runs: [0, sliceSize] }] })).rejects.toMatchObject({
      code: 'conflict'
    })
    await expect(service.invoke('masks.save', { seriesId, baseVersion: 2, slices: [{ k: 0, runs: [0, 10] }] })).rejects.toMatchObject({
      code: 'validation'
    })
    expect((await service.invoke('masks.list', { seriesId })).map((m) => m.version)).toEqual([1, 2])
  })

  it('keeps radiologist edits apart from automatic scores, signs, and exports a PDF holding the edited score', async () => {
    const report = (await service.invoke('reports.get', { seriesId }))!
    const region = report.regions.find((r) => r.id === 'R3')!
    const newScore = region.score === 2 ? 1 : 2
    const edited = await service.invoke('reports.update', {
      reportId: report.id,
      regionScores: [{ regionId: 'R3', score: newScore }],
      findings: 'Peripheral ground-glass opacities.',
      impression: 'Findings compatible with COVID-19 pneumonia.'
    })
    const r3 = edited.regions.find((r) => r.id === 'R3')!
    expect(r3.score).toBe(region.score) // the automatic score is kept
    expect(r3.edited).toMatchObject({ score: newScore, by: 'dr.lee' })
    expect(edited.ctss.final).toBe(report.ctss.automatic - region.score + newScore)

    const signed = await service.invoke('reports.sign', { reportId: report.id })
    expect(signed.signedBy).toBe('dr.lee')
    await expect(service.invoke('reports.update', { reportId: report.id, findings: 'late' })).rejects.toMatchObject({ code: 'conflict' })

    const pdf = join(dir.path, 'report.pdf')
    await service.invoke('reports.pdf', { reportId: report.id, path: pdf })
    expect(existsSync(pdf)).toBe(true)
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    expect(text).toMatch(/Signed by dr\.lee|dr\.lee/)
    expect(text).toMatch(/Peripheral ground-glass opacities/)
    const bytes = await service.invoke('reports.pdf', { reportId: report.id })
    expect(bytes instanceof Uint8Array && Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-')
    const actions = service.store.audit.list('report', report.id).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['edit', 'sign', 'export']))
  })
})
