import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PulmoService } from '../../src/main/services'
import { encodeRuns } from '../../src/shared/runLength'
import { DEFAULT_INFECTION_PRESENT_PERCENT, severityClass } from '../../src/shared/severityScoring'
import { initEngine } from '../../src/main/ml/engine'
import { createNetwork, saveNetwork } from '../../src/main/ml/models/infnet'
import { createChestPhantom, insertLesion, lesionLabelMap } from '../helpers/phantom'
import { writeVolume } from '../../src/main/volume'
import { projectRoot, tempDir } from '../helpers/paths'
import { TEST_LESIONS } from '../helpers/phantomTruth'

/**
 * The built CLI (`npx electron-vite build` first) on a NIfTI phantom with a tiny random Inf-Net:
 * the scores are meaningless, their shape is what is checked. The data folder is a temporary one.
 */
const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-score-')
const paths = {
  ct: join(dir.path, 'phantom.nii.gz'),
  truth: join(dir.path, 'truth.nii.gz'),
  model: join(dir.path, 'tiny-model'),
  data: join(dir.path, 'data')
}

const pulmo = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--data-dir', paths.data, '--backend', 'wasm'], {
    encoding: 'utf8',
    timeout: 300_000
  })

beforeAll(async () => {
  await initEngine({ backend: 'cpu', log: () => undefined })
  const phantom = createChestPhantom({ dimensions: [128, 128, 30], spacing: [2.8, 2.8, 10] })
  const lesions = [insertLesion(phantom, TEST_LESIONS.consolidation), insertLesion(phantom, TEST_LESIONS.groundGlass)]
  await writeVolume(paths.ct, phantom.volume)
  const { dimensions, spacing, origin, direction } = phantom.volume
  await writeVolume(paths.truth, {
    data: lesionLabelMap(phantom, lesions),
    dimensions,
    spacing,
    origin,
    direction,
    modality: 'OT',
    unit: 'label'
  })
  const network = createNetwork({ architecture: 'infnet', backbone: 'lite', inputSize: 64, channels: 3, seed: 1 })
  await saveNetwork(paths.model, network, {
    name: 'tiny-random',
    version: '0.0.1',
    training: { data: 'none', epochs: 0 }
  })
  network.dispose()
})

afterAll(() => dir.remove())

describe(
  'pulmo score / segment / report (the built CLI)',
  () => {
    it('prints the scores as JSON with every documented key, and Dice against a reference', () => {
      const run = pulmo('score', paths.ct, '--model', paths.model, '--reference', paths.truth, '--json')
      expect(run.status, run.stderr).toBe(0)
      expect(run.stderr).toMatch(/infection \d+\/\d+ slices/)
      const scores = JSON.parse(run.stdout)
      expect(Object.keys(scores)).toEqual(
        expect.arrayContaining([
          'lungVolumeMl',
          'infectedVolumeMl',
          'percentInfected',
          'ctss',
          'lobar',
          'severity',
          'infectionPresent',
          'dice'
        ])
      )
      expect(Object.keys(scores.percentInfected).sort()).toEqual(['left', 'right', 'total'])
      expect(scores.ctss.regions).toHaveLength(20)
      for (const region of scores.ctss.regions)
        expect(Object.keys(region)).toEqual(expect.arrayContaining(['id', 'name', 'percent', 'score']))
      expect(scores.lobar.lobes.map((l: { id: string }) => l.id)).toEqual(['RUL', 'RML', 'RLL', 'LUL', 'LLL'])
      for (const lobe of scores.lobar.lobes)
        expect(Object.keys(lobe)).toEqual(expect.arrayContaining(['id', 'name', 'percent', 'score']))
      // The totals, the share and the class follow from the parts by the published rules, whatever the model found.
      const sum = (xs: Array<{ score: number }>): number => xs.reduce((a, x) => a + x.score, 0)
      expect(scores.ctss.total).toBe(sum(scores.ctss.regions))
      expect(scores.lobar.total).toBe(sum(scores.lobar.lobes))
      expect(scores.percentInfected.total).toBeCloseTo((100 * scores.infectedVolumeMl) / scores.lungVolumeMl, 1)
      expect(scores.severity).toBe(severityClass(scores.lobar.total, scores.infectionPresent))
      expect(scores.infectionPresent).toBe(scores.percentInfected.total > DEFAULT_INFECTION_PRESENT_PERCENT)
      expect(typeof scores.dice).toBe('number')
      expect(scores.dice).toBeGreaterThanOrEqual(0)
      expect(scores.dice).toBeLessThanOrEqual(1)
      expect(scores.lungVolumeMl).toBeGreaterThan(3000)
      expect(scores.model).toMatchObject({ name: 'tiny-random', version: '0.0.1' })
    })

    it('leaves dice out without a reference, and says when the default model is missing', () => {
      const run = pulmo('score', paths.ct, '--model', paths.model, '--json')
      expect(run.status, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).not.toHaveProperty('dice')
      if (!existsSync(join(projectRoot, 'resources/models/infnet-lite/model.json'))) {
        const missing = pulmo('score', paths.ct, '--json')
        expect(missing.status).toBe(1)
        expect(missing.stderr).toMatch(/default infection model is not installed/)
      }
    })

    it('segments a volume into NIfTI label maps and a summary, and writes the PDF report', () => {
      const out = join(dir.path, 'segmented')
      const run = pulmo('segment', paths.ct, '--out', out, '--model', paths.model)
      expect(run.status, run.stderr).toBe(0)
      for (const file of ['lungs.nii.gz', 'infection.nii.gz', 'labels.nii.gz', 'summary.json'])
        expect(existsSync(join(out, file))).toBe(true)
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))
      expect(summary.scores.ctss.regions).toHaveLength(20)
      expect(summary.timing.slicesInferred).toBeGreaterThan(0)
      expect(summary.model.name).toBe('tiny-random')

      const pdf = join(dir.path, 'report.pdf')
      const report = pulmo('report', paths.ct, '--pdf', pdf, '--model', paths.model)
      expect(report.status, report.stderr).toBe(0)
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-')
      // the CLI names the key images as the PDF captions them (a NIfTI has no InstanceNumber: from the head)
      const printed = /Key images: ((?:Im \d+(?:, )?)+) \(no DICOM InstanceNumber: numbered from the head\)/.exec(report.stdout)
      expect(printed, report.stdout).not.toBeNull()
      const pdfText = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
      const captions = [...pdfText.matchAll(/Im (\d+) · [\d.]+ mL infected/g)].map((m) => `Im ${m[1]}`)
      expect(captions.length).toBeGreaterThan(0)
      expect(printed![1].split(', ')).toEqual(captions)
      expect(pdfText).toMatch(/Im = image number counted from the head/)
    })

    it('scores and reports an imported series by id through the service: stored analysis, mask version, edits, sign-off', async () => {
      const imported = pulmo('import', paths.ct)
      expect(imported.status, imported.stderr).toBe(0)
      const [study] = JSON.parse(pulmo('studies', '--json').stdout)
      const seriesId: number = study.series[0].id
      // not analysed yet: the service analyses it (the workstation's Analyze), then prints the stored scores
      const scored = pulmo('score', String(seriesId), '--model', paths.model, '--json')
      expect(scored.status, scored.stderr).toBe(0)
      const first = JSON.parse(scored.stdout)
      expect(first).toMatchObject({ seriesId, maskVersion: 1, mask: { version: 1, source: 'model' }, signedBy: null })
      expect(first.model).toMatchObject({ name: 'tiny-random' })

      // the radiologist's work, through the service as the workstation does it
      const service = new PulmoService({ dataDir: paths.data, transport: 'websocket', modelDir: paths.model })
      let reportId: number | undefined
      try {
        await service.settings.set({ userName: 'Dr Rossi' })
        const report = (await service.invoke('reports.get', { seriesId }))!
        reportId = report.id
        const labels = await service.invoke('masks.voxels', { seriesId })
        const [nx, ny] = [128, 128]
        const k = 15
        const slice = new Uint8Array(labels.subarray(k * nx * ny, (k + 1) * nx * ny))
        slice.fill(1, 40 * nx, 80 * nx)
        await service.invoke('masks.save', { seriesId, baseVersion: 1, slices: [{ k, runs: encodeRuns(slice) }] })
        const current = (await service.invoke('reports.get', { seriesId }))!
        await service.invoke('reports.update', {
          reportId: current.id,
          regionScores: [{ regionId: 'L3', score: current.regions.find((r) => r.id === 'L3')!.score === 2 ? 1 : 2 }],
          findings: 'Ground-glass opacity in the left upper lobe.',
          impression: 'Mild.'
        })
        await service.invoke('reports.sign', { reportId: current.id })
      } finally {
        await service.shutdown()
      }
      const rescored = JSON.parse(pulmo('score', String(seriesId), '--json').stdout)
      expect(rescored).toMatchObject({ reportId, maskVersion: 2, mask: { version: 2, source: 'annotator', author: 'Dr Rossi' }, signedBy: 'Dr Rossi' })
      expect(rescored.infectedVolumeMl).toBeGreaterThan(first.infectedVolumeMl)
      expect(rescored.ctss.regions.find((r: { id: string }) => r.id === 'L3').editedBy).toBe('Dr Rossi')

      // --identified keeps the real dates; the default (for sharing) shifts them consistently
      const pdf = join(dir.path, 'series.pdf')
      const run = pulmo('report', String(seriesId), '--pdf', pdf, '--identified')
      expect(run.status, run.stderr).toBe(0)
      expect(run.stdout).toContain(`report ${reportId}, mask version 2, signed by Dr Rossi`)
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
      expect(text).toMatch(/L3 anterior .* \d → \d \(Dr Rossi, \d{4}-\d\d-\d\d\)/)
      expect(text).toContain('Mask version 2 (corrected by Dr Rossi')
      expect(text).toContain('Ground-glass opacity in the left upper lobe.')
      expect(text).toMatch(/Signed by Dr Rossi at \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
      const today = new Date().toISOString().slice(0, 10)
      expect(text).toContain(`Generated ${today}`)
      const shared = join(dir.path, 'shared.pdf')
      const deidentified = pulmo('report', String(seriesId), '--pdf', shared)
      expect(deidentified.status, deidentified.stderr).toBe(0)
      const sharedText = execFileSync('pdftotext', ['-layout', shared, '-'], { encoding: 'utf8' })
      const edit = /L3 anterior .* \d → \d \(Dr Rossi, (\d{4}-\d\d-\d\d)\)/.exec(sharedText)
      expect(edit).not.toBeNull()
      expect(edit?.[1]).not.toBe(today)
      expect(sharedText).not.toContain(`Generated ${today}`)
      // the CLI's export went through the service: audited with the report and its mask version
      const audit = JSON.parse(pulmo('audit', '--json', '--entity', 'report', '--id', String(reportId)).stdout)
      expect(audit.filter((e: { action: string }) => e.action === 'export').map((e: { detail: { maskVersion: number } }) => e.detail.maskVersion)).toEqual([2, 2])
    }, 600_000)
  }
)
