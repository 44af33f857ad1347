// `npm run train:default`: trains the bundled single-class model and installs it in
// resources/models/infnet-lite. The configuration is the single-class row of the experiment table
// (runs/experiments/table.json, made by `pulmo experiment --config experiments/paper.json`) with the
// best mean cross-validated Dice, or PULMO_DEFAULT_CONFIG; it is trained with the same settings on
// all 50 labelled slices, and the card states that row's cross-validation figures. Resumable: run it
// again after an interruption and it continues from the last checkpoint (`--retrain` starts over).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const experiment = join(root, 'experiments', 'paper.json')
const table = join(root, 'runs', 'experiments', 'table.json')

function bestConfiguration() {
  if (process.env.PULMO_DEFAULT_CONFIG) return process.env.PULMO_DEFAULT_CONFIG
  if (!existsSync(table)) {
    console.error(`No experiment table in ${table}: run \`npx pulmo experiment --config experiments/paper.json\` first, or set PULMO_DEFAULT_CONFIG.`)
    process.exit(1)
  }
  const rows = JSON.parse(readFileSync(table, 'utf8')).rows.filter((r) => r.kind === 'infnet' && r.folds === JSON.parse(readFileSync(table, 'utf8')).folds)
  rows.sort((a, b) => b.metrics.dice.mean - a.metrics.dice.mean)
  return rows[0].name
}

const name = bestConfiguration()
// one folder per configuration, so a run of another configuration is never resumed by mistake
const out = join(root, 'runs', 'default', name.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, ''))
if (process.argv.includes('--retrain')) rmSync(out, { recursive: true, force: true })
console.log(`Training '${name}' on all labelled slices into ${out}`)
const r = spawnSync(process.execPath, [join(root, 'bin', 'pulmo.js'), 'experiment', '--config', experiment, '--final', name, '--model-out', out], { stdio: 'inherit' })
if (r.status !== 0) process.exit(r.status ?? 1)

const target = join(root, 'resources', 'models', 'infnet-lite')
mkdirSync(target, { recursive: true })
for (const f of ['model.json', 'weights.bin']) cpSync(join(out, f), join(target, f))
const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'))
card.name = 'infnet-lite'
card.inputWindow = { center: -350, width: 1400, note: 'HU window matching the training JPEGs (src/main/ml/inference/preprocess.ts)' }
card.notes =
  `Configuration '${name}' of experiments/paper.json (the best mean cross-validated Dice of its single-class rows; ` +
  'see docs/experiments.md), trained from scratch (no ImageNet-pretrained backbone) on the CPU wasm backend. The ' +
  'cv5* metrics are the 5-fold cross-validation of this configuration on the same 50 slices (40 train / 10 validate ' +
  'per fold, Inf-Net evaluation protocol); the shipped weights are trained on all 50. Expect false positives in ' +
  'dependent (posterior, lower-lobe) lung, and check every result.'
card.training = { ...card.training, data: 'COVID-SemiSeg doctor-labelled training split, all 50 slices', command: 'npm run train:default' }
if (card.training.pretrained) {
  // say what the pretraining was rather than where it lay on the training machine
  const pretrainCard = JSON.parse(readFileSync(join(card.training.pretrained, 'card.json'), 'utf8'))
  const t = pretrainCard.training
  card.training.pretrained = `${t.task}: ${t.slices} unlabelled COVID-SemiSeg slices at ${t.inputSize} px, round 0 ${t.round0Steps} steps + ${t.rounds} rounds × (${t.coachSteps} coach + ${t.inpainterSteps} inpainter steps)`
  card.training.pretrainingSeconds = t.seconds
}
card.training.crossValidation = `5-fold on the same 50 slices (experiments/paper.json, docs/experiments.md)`
writeFileSync(join(target, 'card.json'), JSON.stringify(card, null, 2) + '\n')
console.log(`Installed ${target}`)
