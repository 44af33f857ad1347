/**
 * The architecture row of the infection recipe's ablations: Inf-Net with the res2net50 backbone
 * given the pool's wall time on this machine (one pass over a seeded sample of the pool's slices:
 * `--slices` of them, a quarter as many steps) and scored as the ablation rows are, per held-out
 * zenodo volume group and per fold of the 50, paired against the pool (lite backbone). Needs the
 * recipe's prepared folders and pool (`npm run train:infection`). Resumable: run it again.
 *
 *   npm run ablation:architecture [-- --slices 300]
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { initEngine } from '../src/main/ml/engine'
import { shuffled } from '../src/main/training/folds'
import { pairedDifference, splitFigures, type SplitFigures } from '../src/main/training/infectionAblations'
import { readInfectionRecipe } from '../src/main/training/infectionRecipe'
import { readLabelledSlices } from '../src/main/training/labelledSlices'
import { trainSupervised } from '../src/main/training/supervised'

const { values } = parseArgs({ options: { slices: { type: 'string', default: '300' } } })
const slices = Number(values.slices)
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const recipe = readInfectionRecipe(join(root, 'experiments/infection.json'))
const data = join(recipe.out, 'data')
const seed = recipe.base.seed ?? 2020
const poolSplitsFile = join(recipe.out, 'pool', 'splits.json')
if (!existsSync(poolSplitsFile)) throw new Error(`${poolSplitsFile} is missing: run npm run train:infection --only ablation first`)

// a seeded sample of every pool source's slices together, named SOURCE-SLICE
const sample = join(data, `res2net50-sample-${slices}`)
if (!existsSync(join(sample, 'done'))) {
  const all = recipe.pool.sources.flatMap((source) => readdirSync(join(data, source, 'images')).sort().map((file) => ({ source, file })))
  for (const sub of ['images', 'masks', 'edges']) mkdirSync(join(sample, sub), { recursive: true })
  for (const { source, file } of shuffled(all, seed).slice(0, slices)) {
    const stem = file.replace(/\.[^.]+$/, '')
    copyFileSync(join(data, source, 'images', file), join(sample, 'images', `${source}-${file}`))
    copyFileSync(join(data, source, 'masks', `${stem}.png`), join(sample, 'masks', `${source}-${stem}.png`))
    const edge = join(data, source, 'edges', `${stem}.png`)
    if (existsSync(edge)) copyFileSync(edge, join(sample, 'edges', `${source}-${stem}.png`))
  }
  writeFileSync(join(sample, 'done'), '')
}

await initEngine({ backend: 'auto', log: (m) => console.error(m) })
const dir = join(recipe.out, 'ablation-res2net50')
const started = Date.now()
const trained = await trainSupervised(
  {
    ...recipe.base,
    backbone: 'res2net50',
    data: sample,
    out: join(dir, 'model'),
    epochs: 1,
    learningRate: recipe.pool.learningRate,
    decayEpoch: 1,
    inputNormalisation: 'fixed'
  },
  { resume: true, onEvent: (e) => e.kind === 'step' && e.globalStep % 5 === 0 && console.error(`step ${e.globalStep}/${e.totalSteps} loss ${e.losses.total.toFixed(4)}`) }
)
if (trained.status === 'stopped') process.exit(1)
const card = JSON.parse(readFileSync(join(dir, 'model', 'card.json'), 'utf8'))
const heldOut = await readLabelledSlices(join(data, 'zenodo-heldout'))
const semiseg = await readLabelledSlices(join(recipe.shared, 'covid-semiseg', 'train'))
const splits: SplitFigures = await splitFigures(join(dir, 'model'), heldOut, semiseg, recipe.folds, seed)
const pool = JSON.parse(readFileSync(poolSplitsFile, 'utf8')) as SplitFigures
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
const result = {
  name: 'ablation-res2net50',
  slices,
  trainSeconds: card.training.seconds,
  wallSeconds: Math.round((Date.now() - started) / 1000),
  heldOutGroupMean: mean(Object.values(splits.heldOutGroups)),
  semisegFoldMean: mean(splits.semisegFolds),
  splits,
  versusPool: pairedDifference(splits, pool)
}
writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 1))
console.log(JSON.stringify(result))
