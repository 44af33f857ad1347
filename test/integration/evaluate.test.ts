import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { writePng8 } from '../../src/main/volume'
import { projectRoot, tempDir } from '../helpers/paths'

/** `pulmo evaluate --pred --gt --json` on 4×4 hand-made maps; figures derived by hand in test/unit/ml/metrics. */
const dir = tempDir()
const G = [255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] // a 2×2 block, top left
const EMPTY = new Array(16).fill(0)

async function evaluate(name: string, pred: number[], gt: number[], lungs?: number[], ...more: string[]): Promise<Record<string, number>> {
  const folders = { pred, gt, ...(lungs ? { lungs } : {}) }
  const args: string[] = []
  for (const [sub, pixels] of Object.entries(folders)) {
    const d = join(dir.path, name, sub)
    mkdirSync(d, { recursive: true })
    await writePng8(join(d, 'slice1.png'), Uint8Array.from(pixels), 4, 4)
    args.push(`--${sub}`, d)
  }
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin/pulmo.js'), 'evaluate', ...args, ...more, '--json'], { encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('pulmo evaluate --pred --gt', () => {
  afterAll(() => dir.remove())

  it('prints the protocol keys and scores a perfect map', async () => {
    const s = await evaluate('perfect', G, G)
    expect(Object.keys(s)).toEqual(['images', 'dice', 'sensitivity', 'specificity', 'sMeasure', 'eMeasure', 'mae', 'maxDice'])
    // Dice 1 at thresholds 1…1/255; at threshold 0 every pixel is foreground: Dice 8/20
    expect(s.dice).toBeCloseTo(255.4 / 256, 12)
    expect(s.maxDice).toBe(1)
    expect(s.sensitivity).toBe(1)
    expect(s.specificity).toBeCloseTo(255 / 256, 12)
    expect(s.sMeasure).toBeCloseTo(1, 12)
    expect(s.mae).toBe(0)
  })

  it('scores an empty map', async () => {
    const s = await evaluate('empty-map', EMPTY, G)
    expect(s.dice).toBeCloseTo(0.4 / 256, 12) // only threshold 0 has a true positive
    expect(s.maxDice).toBeCloseTo(0.4, 12)
    expect(s.specificity).toBe(0)
    expect(s.sMeasure).toBeCloseTo(0.875, 12)
    expect(s.mae).toBeCloseTo(0.25, 12)
  })

  it('scores an empty ground truth', async () => {
    const s = await evaluate('empty-gt', EMPTY, EMPTY)
    expect([s.dice, s.sensitivity, s.specificity, s.maxDice]).toEqual([0, 0, 0, 0])
    expect(s.sMeasure).toBe(1)
    expect(s.mae).toBe(0)
  })

  it('scores a known partial overlap', async () => {
    const s = await evaluate('partial', [255, 255, 255, 0, 128, 0, 0, 0, 0, 0, 128, 0, 0, 0, 0, 64], G)
    expect(s.dice).toBeCloseTo(8087 / 13440, 12)
    expect(s.maxDice).toBeCloseTo(2 / 3, 12)
    expect(s.sensitivity).toBeCloseTo(0.626953125, 12)
    expect(s.specificity).toBeCloseTo(0.8505859375, 12)
    expect(s.mae).toBeCloseTo(829 / 4080, 12)
    expect(s.eMeasure).toBeCloseTo(0.825683609, 8)
    expect(s.sMeasure).toBeCloseTo(0.5226587, 6)
  })

  it('gates the map by --lungs as the analysis does: a false positive beyond the margin is dropped, one within it kept', async () => {
    const strayCorner = [...G.slice(0, 15), 255] // the 2×2 block and a false positive at (3, 3)
    const ungated = await evaluate('stray', strayCorner, G)
    expect(ungated.maxDice).toBeCloseTo(8 / 9, 12) // 2·4 / (5 + 4)
    // lungs = the block; (3, 3) lies √8 ≈ 2.8 px from it: beyond a 2 mm margin at 1 mm pixels, within 3 mm
    const gated = await evaluate('stray-gated', strayCorner, G, G, '--lung-margin-mm', '2', '--pixel-mm', '1')
    expect(gated.maxDice).toBe(1)
    expect(gated.dice).toBeCloseTo(255.4 / 256, 12) // the perfect map's figures
    const kept = await evaluate('stray-kept', strayCorner, G, G, '--lung-margin-mm', '3', '--pixel-mm', '1')
    expect(kept).toEqual(ungated)
  })
})

