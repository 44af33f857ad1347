// `npm run train:default`: trains the bundled single-class model and installs it in
// resources/models/infnet-lite. Resumable: run it again after an interruption and it continues
// from the last checkpoint. The configuration is the one whose 5-fold fold-0 validation is stated
// in the card (runs/fold0, trained the same way on 40 of the 50 slices).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const data = process.env.PULMO_TRAIN_DATA ?? join(root, '..', 'shared', 'data', 'covid-semiseg', 'train')
const config = ['--input-size', '192', '--epochs', '40', '--batch-size', '4', '--scales', '1', '--lr', '1e-3', '--checkpoint-every', '10']
const out = join(root, 'runs', 'default')
const run = (args) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'pulmo.js'), 'train', '--data', data, ...args, ...config, '--resume'], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

if (!existsSync(join(out, 'model.json')) || process.argv.includes('--retrain')) run(['--out', out])
const target = join(root, 'resources', 'models', 'infnet-lite')
mkdirSync(target, { recursive: true })
for (const f of ['model.json', 'weights.bin']) cpSync(join(out, f), join(target, f))
const card = JSON.parse(readFileSync(join(out, 'card.json'), 'utf8'))
const foldCard = join(root, 'runs', 'fold0', 'card.json')
if (existsSync(foldCard)) {
  const fold = JSON.parse(readFileSync(foldCard, 'utf8'))
  card.metrics = { ...card.metrics, ...Object.fromEntries(Object.entries(fold.metrics).map(([k, v]) => [`fold0${k[0].toUpperCase()}${k.slice(1)}`, v])) }
}
card.name = 'infnet-lite'
card.inputWindow = { center: -350, width: 1400, note: 'HU window matching the training JPEGs (src/main/ml/inference/preprocess.ts)' }
card.notes =
  'Trained from scratch (no ImageNet-pretrained backbone) on the CPU wasm backend. Cross-validation: fold 0 of 5 ' +
  '(same configuration, 40 training / 10 validation slices, Inf-Net evaluation protocol). A first model: ' +
  'expect false positives in dependent (posterior, lower-lobe) lung, and check every result.'
card.training = { ...card.training, data: 'COVID-SemiSeg doctor-labelled training split, all 50 slices', command: 'npm run train:default' }
writeFileSync(join(target, 'card.json'), JSON.stringify(card, null, 2) + '\n')
console.log(`Installed ${target}`)
