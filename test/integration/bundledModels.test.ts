import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { readPngIndices } from '../../src/main/volume/png'
import { projectRoot, semisegTrain, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-bundled-')
const pulmo = (...args: string[]) => spawnSync(process.execPath, [bin, ...args, '--backend', 'wasm'], { encoding: 'utf8', timeout: 300_000 })
const names = ['3', '10', '25']

/**
 * The shipped models as a fresh clone has them: `pulmo segment` on 2D slices with no --model uses
 * resources/models/infnet-lite (and infnet-multiclass with --multiclass). These three slices are
 * among the 50 the models were trained on, so the figures are training-set figures, stated as such.
 */
describe('the bundled models (pulmo segment without --model)', () => {
  afterAll(() => dir.remove())
  const images = join(dir.path, 'images')
  const gt = join(dir.path, 'gt')
  mkdirSync(images)
  mkdirSync(gt)
  for (const n of names) {
    copyFileSync(join(semisegTrain, 'images', n + '.jpg'), join(images, n + '.jpg'))
    copyFileSync(join(semisegTrain, 'masks', n + '.png'), join(gt, n + '.png'))
  }

  it('segments slices with the default single-class model: Dice 0.67 on three of its training slices', () => {
    const out = join(dir.path, 'maps')
    const seg = pulmo('segment', images, '--out', out)
    expect(seg.status, seg.stderr).toBe(0)
    const scored = pulmo('evaluate', '--pred', out, '--gt', gt, '--json')
    expect(scored.status, scored.stderr).toBe(0)
    const summary = JSON.parse(scored.stdout)
    console.info('bundled infnet-lite on slices 3, 10, 25:', scored.stdout.trim())
    expect(summary.images).toBe(3)
    // measured 0.670 (max Dice 0.751) when the model was installed
    expect(summary.dice).toBeGreaterThan(0.62)
    expect(summary.maxDice).toBeGreaterThan(0.7)
  })

  it('labels slices with the default multi-class model: 0/1/2 maps that find the infection', async () => {
    const out = join(dir.path, 'labels')
    const seg = pulmo('segment', images, '--out', out, '--multiclass')
    expect(seg.status, seg.stderr).toBe(0)
    let infected = 0
    let found = 0
    let falsePositive = 0
    let background = 0
    for (const n of names) {
      const labels = await readPngIndices(join(out, n + '.png'))
      const truth = await readPngIndices(join(semisegTrain, 'masks-multiclass', n + '.png'))
      expect(labels.width).toBe(truth.width)
      expect(labels.height).toBe(truth.height)
      expect(labels.data.reduce((m, v) => Math.max(m, v), 0)).toBeLessThanOrEqual(2)
      for (let i = 0; i < labels.data.length; i++) {
        if (truth.data[i] > 0) {
          infected++
          if (labels.data[i] > 0) found++
        } else {
          background++
          if (labels.data[i] > 0) falsePositive++
        }
      }
    }
    console.info(`bundled infnet-multiclass: infection found ${found}/${infected}, false positives ${falsePositive}/${background}`)
    // measured with the bundled infnet-lite as prior and the 256 px multi-class model: 50 036 / 55 959 infected pixels labelled (89 %), 13 999 / 386 404 false positives (3.6 %)
    expect(found / infected).toBeGreaterThan(0.7)
    expect(falsePositive / background).toBeLessThan(0.08)
  })
})
