// `npm run train:multiclass`: trains the bundled multi-class model (background / ground-glass /
// consolidation) on all 50 COVID-SemiSeg slices, with the bundled single-class model
// (resources/models/infnet-lite) as the infection prior, and installs it in
// resources/models/infnet-multiclass. Resumable: run it again after an interruption and it
// continues from the last checkpoint. `--with-fold0` first trains the same configuration on 40
// slices and validates the other 10 (fold 0 of 5); its figures go into the card.
// Measured: ≈ 6 s a step on 2 cores (wasm), 13 steps an epoch, so ≈ 1 h for 40 epochs.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const data = process.env.PULMO_TRAIN_DATA ?? join(root, '..', 'shared', 'data', 'covid-semiseg', 'train')
const prior = join(root, 'resources', 'models', 'infnet-lite')
const config = [
  '--input-size', '192', '--epochs', '40', '--batch-size', '4', '--lr', '1e-3', '--decay-epoch', '30',
  '--base-filters', '16', '--augment', '--checkpoint-every', '10'
]
const run = (args) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pulmo.js'), 'train-multiclass', '--data', data, '--prior', prior, ...args, ...config, '--resume'], {
    stdio: 'inherit'
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

if (!existsSync(join(prior, 'model.json'))) {
  console.error(`No prior model in ${prior}; run npm run train:default first.`)
  process.exit(1)
}
const fold0 = join(root, 'runs', 'multiclass-fold0')
if (process.argv.includes('--with-fold0') && !existsSync(join(fold0, 'model.json'))) run(['--out', fold0, '--folds', '5', '--fold', '0'])
const out = join(root, 'runs', 'multiclass')
if (!existsSync(join(out, 'model.json')) || process.argv.includes('--retrain')) run(['--out', out])

const target = join(root, 'resources', 'models', 'infnet-multiclass')
mkdirSync(target, { recursive: true })
for (const f of ['model.json', 'weights.bin']) cpSync(join(out, f), join(target, f))
const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'))
const foldCard = join(fold0, 'card.json')
if (existsSync(foldCard)) {
  const fold = JSON.parse(readFileSync(foldCard, 'utf8'))
  card.metrics = { ...card.metrics, ...Object.fromEntries(Object.entries(fold.metrics).map(([k, v]) => [`fold0${k[0].toUpperCase()}${k.slice(1)}`, v])) }
}
const priorCard = JSON.parse(readFileSync(join(prior, 'card.json'), 'utf8'))
card.name = 'infnet-multiclass'
card.notes =
  'U-Net (base width 16) on the slice and the prior σ(S_3) of infnet-lite, trained from scratch on the CPU wasm backend ' +
  'with flips, crop and rotation. Dice per class is averaged over slices, a slice without the class in prediction ' +
  'and ground truth scoring 1. The prior model was trained on all 50 slices, fold-0 slices included, so fold-0 ' +
  'figures are optimistic. A first model: check every result.'
card.training = {
  ...card.training,
  data: 'COVID-SemiSeg doctor-labelled training split, all 50 slices (masks-multiclass)',
  prior: `resources/models/infnet-lite (${priorCard.name} ${priorCard.version})`,
  command: 'npm run train:multiclass'
}
writeFileSync(join(target, 'card.json'), JSON.stringify(card, null, 2) + '\n')
console.log(`Installed ${target}`)
