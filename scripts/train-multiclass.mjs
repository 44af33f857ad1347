// `npm run train:multiclass`: trains the bundled multi-class model (background / ground-glass /
// consolidation) on all 50 COVID-SemiSeg slices with the bundled single-class model
// (resources/models/infnet-lite) as its infection prior, and installs it in
// resources/models/infnet-multiclass. The configuration is the multi-class row of
// experiments/paper.json given by PULMO_MULTICLASS_CONFIG (default 'multi-class, prior: supervised');
// its card states that row's cross-validation figures. Resumable; `--retrain` starts over.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const prior = join(root, 'resources', 'models', 'infnet-lite')
const name = process.env.PULMO_MULTICLASS_CONFIG ?? 'multi-class, prior: supervised'
if (!existsSync(join(prior, 'model.json'))) {
  console.error(`No prior model in ${prior}; run npm run train:default first.`)
  process.exit(1)
}
const out = join(root, 'runs', 'multiclass', name.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, ''))
if (process.argv.includes('--retrain')) rmSync(out, { recursive: true, force: true })
const r = spawnSync(
  process.execPath,
  [join(root, 'bin', 'pulmo.js'), 'experiment', '--config', join(root, 'experiments', 'paper.json'), '--final', name, '--model-out', out, '--prior', prior],
  { stdio: 'inherit' }
)
if (r.status !== 0) process.exit(r.status ?? 1)

const target = join(root, 'resources', 'models', 'infnet-multiclass')
mkdirSync(target, { recursive: true })
for (const f of ['model.json', 'weights.bin']) cpSync(join(out, f), join(target, f))
const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'))
const priorCard = JSON.parse(readFileSync(join(prior, 'card.json'), 'utf8'))
card.name = 'infnet-multiclass'
card.notes =
  `Configuration '${name}' of experiments/paper.json: a U-Net (base width 16) on the slice and the prior σ(S_3), trained ` +
  'from scratch on the CPU wasm backend. The cv5* metrics are its 5-fold cross-validation (each fold with the prior ' +
  'model of the same fold); Dice per class is averaged over slices, a slice without the class in prediction and ' +
  'ground truth scoring 1. The shipped weights use the shipped prior, trained on all 50 slices. Check every result.'
card.training = {
  ...card.training,
  data: 'COVID-SemiSeg doctor-labelled training split, all 50 slices (masks-multiclass)',
  prior: `resources/models/infnet-lite (${priorCard.name} ${priorCard.version})`,
  command: 'npm run train:multiclass',
  crossValidation: '5-fold on the same 50 slices, each fold with its own fold\'s prior (experiments/paper.json, docs/experiments.md)'
}
writeFileSync(join(target, 'card.json'), JSON.stringify(card, null, 2) + '\n')
console.log(`Installed ${target}`)
