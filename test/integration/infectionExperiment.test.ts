import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot, semisegTrain, sharedData, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-infection-experiment-')
const pulmo = (...args: string[]) => spawnSync(process.execPath, [bin, ...args, '--backend', 'wasm'], { encoding: 'utf8', timeout: 900_000 })

interface Row {
  name: string
  trainingSlices: number
  seconds: number
  splits?: { heldOutGroups: Record<string, number>; semisegFolds: number[] }
  versusPool?: { differences: number[]; mean: number; wins: number }
}

/**
 * `pulmo experiment` on an infection recipe, end to end at 64 px: small folders stand in for the
 * prepared training sources (prepared.json is there, so nothing is cut from ../shared/data), and
 * every row is scored on two held-out "volume groups" and on the five folds of the 50 real
 * COVID-SemiSeg slices, paired against the pool.
 */
describe('pulmo experiment --config RECIPE (the infection recipe rows)', () => {
  afterAll(() => dir.remove())
  const out = join(dir.path, 'runs')
  const recipeFile = join(dir.path, 'infection.json')

  /** a prepared folder of COVID-SemiSeg slices `ids`, named PREFIX-ID */
  function prepared(name: string, prefix: string, ids: number[]): void {
    const folder = join(out, 'data', name)
    for (const sub of ['images', 'masks', 'edges']) mkdirSync(join(folder, sub), { recursive: true })
    for (const id of ids) {
      copyFileSync(join(semisegTrain, 'images', `${id}.jpg`), join(folder, 'images', `${prefix}-${id}.jpg`))
      for (const sub of ['masks', 'edges']) copyFileSync(join(semisegTrain, sub, `${id}.png`), join(folder, sub, `${prefix}-${id}.png`))
    }
  }

  it('trains the representation rows, the pool and each ablation row, and tables their paired differences', () => {
    prepared('zenodo-train', 'coronacases-01', [0, 1, 2, 3])
    prepared('zenodo-heldout', 'coronacases-02', [4, 5])
    prepared('zenodo-heldout', 'coronacases-05', [19, 20])
    prepared('pseudo', 'Data-1', [10, 11, 12, 13])
    prepared('negatives-p002', 'P002', [14, 15])
    writeFileSync(join(out, 'data', 'prepared.json'), JSON.stringify({ stand: 'in' }))
    const stage = { epochs: 1, learningRate: 0.001, decayEpoch: 1 }
    writeFileSync(
      recipeFile,
      JSON.stringify({
        shared: sharedData,
        out: 'runs',
        heldOutGroups: ['coronacases-02', 'coronacases-05'],
        base: { backbone: 'lite', inputSize: 64, batchSize: 2, scales: [1], checkpointEvery: 100, seed: 2020 },
        representation: { ...stage, sources: ['zenodo-train', 'negatives-p002'] },
        pool: { ...stage, normalisation: 'best', sources: ['zenodo-train', 'pseudo', 'negatives-p002'] },
        fineTune: { ...stage, sources: ['negatives-p002'] },
        ablations: {
          pretrain: { rounds: 1, round0Steps: 1, coachSteps: 1, inpainterSteps: 1 },
          rows: [
            { name: 'no-pseudo', sources: ['zenodo-train', 'negatives-p002'], sameAs: 'representation-fixed' },
            { name: 'cutout-0.4', cutout: 0.4 },
            { name: 'res2net50', backbone: 'res2net50', sample: 4 }
          ]
        },
        multiclass: { inputSize: 64, epochs: 1, learningRate: 0.001, decayEpoch: 1, baseFilters: 4 }
      })
    )

    const unknown = pulmo('experiment', '--config', recipeFile, '--only', 'no-such-row')
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/has no row no-such-row; its rows: representation-fixed, representation-equalised, no-pseudo, cutout-0.4, res2net50/)
    expect(existsSync(join(out, 'pool'))).toBe(false)

    // one row on a fresh run: it trains what the row is paired against (the representation rows
    // choose the pool's input representation, then the pool), and no other row
    const one = pulmo('experiment', '--config', recipeFile, '--only', 'res2net50')
    expect(one.status, one.stderr).toBe(0)
    expect(one.stderr.match(/^== .*/gm)).toEqual(['== representation-fixed', '== representation-equalised', '== pool', '== ablation-res2net50'])
    expect(existsSync(join(out, 'ablation-cutout-0.4'))).toBe(false)

    // all rows: only the one not run yet trains
    const first = pulmo('experiment', '--config', recipeFile)
    expect(first.status, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/Rows done; table in .*ablations\.md/)
    expect(first.stderr.match(/^== .*/gm)).toEqual(['== ablation-cutout-0.4'])
    const results = (JSON.parse(readFileSync(join(out, 'table.json'), 'utf8')) as { results: Row[] }).results
    // the rows and their reference, nothing from the prior on (fine-tuning, replay, multi-class)
    expect(results.map((r) => r.name)).toEqual([
      'representation-fixed',
      'representation-equalised',
      'pool',
      'ablation-no-pseudo',
      'ablation-cutout-0.4',
      'ablation-res2net50'
    ])
    const byName = new Map(results.map((r) => [r.name, r]))
    expect(byName.get('pool')?.trainingSlices).toBe(10)
    expect(byName.get('ablation-no-pseudo')?.trainingSlices).toBe(6)
    // the architecture row: one pass over a seeded 4 of the pool's 10 slices, named SOURCE-SLICE
    expect(byName.get('ablation-res2net50')?.trainingSlices).toBe(4)
    const sample = readdirSync(join(out, 'data', 'ablation-res2net50-sample-4', 'images'))
    expect(sample).toHaveLength(4)
    for (const f of sample) expect(f).toMatch(/^(zenodo-train-coronacases-01|pseudo-Data-1|negatives-p002-P002)-\d+\.jpg$/)
    const card = JSON.parse(readFileSync(join(out, 'ablation-res2net50', 'model', 'card.json'), 'utf8'))
    expect(card).toMatchObject({ backbone: 'res2net50', inputSize: 64 })

    // every row paired against the pool on 2 held-out groups + 5 folds of the 50
    const pool = byName.get('pool')!.splits!
    expect(Object.keys(pool.heldOutGroups)).toEqual(['coronacases-02', 'coronacases-05'])
    expect(pool.semisegFolds).toHaveLength(5)
    for (const name of ['ablation-no-pseudo', 'ablation-cutout-0.4', 'ablation-res2net50']) {
      const row = byName.get(name)!
      const expected = [
        ...Object.keys(pool.heldOutGroups).map((g) => row.splits!.heldOutGroups[g] - pool.heldOutGroups[g]),
        ...pool.semisegFolds.map((d, i) => row.splits!.semisegFolds[i] - d)
      ]
      expect(row.versusPool!.differences).toEqual(expected)
      expect(row.versusPool!.mean).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / 7, 12)
      expect(row.versusPool!.wins).toBe(expected.filter((d) => d > 0).length)
    }
    const table = readFileSync(join(out, 'ablations.md'), 'utf8')
    for (const name of ['pool', 'ablation-no-pseudo', 'ablation-cutout-0.4', 'ablation-res2net50']) expect(table).toContain(`| ${name} |`)
    expect(table).toMatch(/\| ablation-res2net50 \| 4 \| \d+ \| 0\.\d{3} \| 0\.\d{3} \| [+−-]0\.\d{3} \| \d\/7 \|/)

    // one row again: the others stay in the table, nothing is retrained
    const again = pulmo('experiment', '--config', recipeFile, '--only', 'cutout-0.4')
    expect(again.status, again.stderr).toBe(0)
    expect(again.stderr).not.toMatch(/^== /m)
    expect((JSON.parse(readFileSync(join(out, 'table.json'), 'utf8')) as { results: Row[] }).results).toEqual(results)
  }, 900_000)

  it('trains a learning-curve point from the pool, fine-tunes it per fold with the curve\'s replay, and on all 50 with a replay of other sources', () => {
    // the same prepared data and pool as above, 2 folds; the shipped stages' replay leaves the P002 negatives out
    const recipe = JSON.parse(readFileSync(recipeFile, 'utf8')) as Record<string, unknown>
    const replay = { epochs: 1, learningRate: 0.0003, decayEpoch: 1, slices: 2, folds: false }
    const curveFile = join(dir.path, 'curve.json')
    writeFileSync(
      curveFile,
      JSON.stringify({
        ...recipe,
        folds: 2,
        prior: 'curve-e2',
        curve: { from: 'pool', fromEpochs: 1, epochs: [2], learningRate: 0.001, replay: { name: 'replay', sources: ['zenodo-train', 'pseudo', 'negatives-p002'] } },
        replay: { ...replay, name: 'replay-no-p002', sources: ['zenodo-train', 'pseudo'] }
      })
    )
    const curve = pulmo('train-infection', '--config', curveFile, '--only', 'curve')
    expect(curve.status, curve.stderr).toBe(0)
    expect(curve.stderr.match(/^== .*/gm)).toEqual(['== curve-e2', '== replay-fold-0-from-curve-e2', '== replay-fold-1-from-curve-e2'])
    const point = JSON.parse(readFileSync(join(out, 'curve-e2', 'result.json'), 'utf8')) as { trainingSlices: number; heldOut: { dice: number; images: number } }
    expect(point.trainingSlices).toBe(10)
    expect(point.heldOut.images).toBe(4)
    // each fold validated on its own 25 of the 50
    for (const f of [0, 1]) expect(JSON.parse(readFileSync(join(out, `replay-fold-${f}-from-curve-e2`, 'result.json'), 'utf8')).semiseg.images).toBe(25)
    // the curve's replay: 2 seeded slices of each of its three sources
    const withNegatives = readdirSync(join(out, 'data', 'replay-2-zenodo-train+pseudo+negatives-p002', 'images'))
    expect(withNegatives.filter((f) => f.startsWith('P002-'))).toHaveLength(2)
    expect(withNegatives).toHaveLength(6)

    const shipped = pulmo('train-infection', '--config', curveFile, '--only', 'replay-no-p002-all')
    expect(shipped.status, shipped.stderr).toBe(0)
    expect(shipped.stderr.match(/^== .*/gm)).toEqual(['== replay-no-p002-all-from-curve-e2'])
    const clean = readdirSync(join(out, 'data', 'replay-2-zenodo-train+pseudo', 'images'))
    expect(clean).toHaveLength(4)
    expect(clean.filter((f) => f.startsWith('P002-'))).toEqual([])
    // the same zenodo and pseudo-labelled slices as the curve's replay: each source draws with its own seed
    expect(clean.every((f) => withNegatives.includes(f))).toBe(true)
    const all = JSON.parse(readFileSync(join(out, 'replay-no-p002-all-from-curve-e2', 'result.json'), 'utf8')) as { trainingSlices: number }
    expect(all.trainingSlices).toBe(54)
  }, 900_000)
})
