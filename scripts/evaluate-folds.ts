/**
 * A cross-validation's fold models scored again on their own held-out fold of COVID-SemiSeg's 50 (the
 * split the recipe trained them with: foldSplit(50, folds, fold, seed)), with or without the flip
 * test-time augmentation. Without flip it reproduces the fold Dice the recipe recorded; with flip it
 * is the inference row's 5-fold figure. One JSON line per fold, then the mean ± sd.
 *
 *   npx jiti scripts/evaluate-folds.ts --models 'runs/infection/replay-fold-{fold}-from-curve-e20/model' [--flip] [--folds 5] [--seed 2020]
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { initEngine } from '../src/main/ml/engine'
import { loadNetwork, type InfNetNetwork } from '../src/main/ml/models/infnet'
import { foldSplit } from '../src/main/training/folds'
import { readLabelledSlices } from '../src/main/training/labelledSlices'
import { validate } from '../src/main/training/supervised'

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    flip: { type: 'boolean', default: false },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '2020' }
  }
})
if (!values.models?.includes('{fold}')) throw new Error("--models needs a path with {fold}, e.g. 'runs/infection/replay-fold-{fold}-from-curve-e20/model'")
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const folds = Number(values.folds)
const seed = Number(values.seed)

await initEngine({ log: () => undefined })
const slices = await readLabelledSlices(resolve(root, '../shared/data/covid-semiseg/train'))
const dice: number[] = []
for (let fold = 0; fold < folds; fold++) {
  const dir = resolve(values.models.replaceAll('{fold}', String(fold)))
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`no model in ${dir}`)
  const network = loadNetwork(dir) as InfNetNetwork
  const started = performance.now()
  const { validation } = foldSplit(slices.length, folds, fold, seed)
  const r = await validate(network, validation.map((i) => slices[i]), 0, { flip: values.flip })
  network.dispose()
  dice.push(r.dice)
  console.log(JSON.stringify({ fold, model: dir, flip: values.flip, slices: validation.length, dice: r.dice, maxDice: r.maxDice, seconds: (performance.now() - started) / 1000 }))
}
const mean = dice.reduce((a, b) => a + b, 0) / dice.length
const sd = Math.sqrt(dice.reduce((a, b) => a + (b - mean) ** 2, 0) / (dice.length - 1))
console.log(JSON.stringify({ folds, flip: values.flip, dice: mean, sd, perFold: dice }))
