import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyMostInferiorSlices, photographs } from '../helpers/chestCt'
import { lungmaskSlices, p002, projectRoot, tempDir } from '../helpers/paths'

/**
 * `pulmo score` (the built CLI, bundled models) refuses what is not a chest CT and still scores chest CT;
 * `pulmo import` refuses what can never be scored (a photograph) before anything is stored.
 */
const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-chestct-cli-')
const inferior = join(dir.path, 'p002-inferior')

const pulmo = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--data-dir', join(dir.path, 'data'), '--backend', 'wasm'], {
    encoding: 'utf8',
    timeout: 600_000
  })

beforeAll(async () => {
  await copyMostInferiorSlices(p002, 25, inferior)
}, 120_000)
afterAll(() => dir.remove())

describe('pulmo score: only chest CT', () => {
  it('refuses a folder of photographs, naming the reason', () => {
    const run = pulmo('score', photographs)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      'pulmo score: Not a chest CT: the image is a colour photograph (modality XC), not a CT; Pulmo scores chest CT only.'
    )
    expect(run.stdout).toBe('')
  })

  it('pulmo import refuses the photographs with the reason and stores no study', () => {
    const run = pulmo('import', photographs)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain(
      'pulmo import: Not imported: photographs is not a chest CT: the image is a colour photograph (modality XC), not a CT; Pulmo scores chest CT only.'
    )
    expect(pulmo('studies', '--json').stdout.trim()).toBe('[]')
  })

  it('refuses the 25 most inferior slices of P002', () => {
    const run = pulmo('score', inferior, '--json')
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(
      /pulmo score: Not a chest CT: no slice shows two lungs filling a chest: at their widest the air-filled lungs are \d+ cm², \d+ % of the body's cross-section/
    )
    expect(run.stdout).toBe('')
  }, 300_000)

  it('still scores the lungmask slices, with the few-slices warning in the output', () => {
    const run = pulmo('score', lungmaskSlices, '--json')
    expect(run.status, run.stderr).toBe(0)
    const scores = JSON.parse(run.stdout)
    expect(scores.warnings).toEqual([
      'The series has 2 slices: volumes, percentages and scores describe these slices, not the whole lungs.'
    ])
    expect(scores.lungVolumeMl).toBeGreaterThan(30)
    expect(scores.ctss.regions).toHaveLength(20)
    expect(scores.model.name).toBe('infnet-lite')
    expect(run.stderr).toContain('Warning: The series has 2 slices')
  }, 300_000)
})
