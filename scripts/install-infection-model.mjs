// `npm run install:infection`: installs the models `npm run train:infection` made
// (runs/infection, experiments/infection.json) as the bundled ones, with cards that say what they
// were trained on, how, for how long, and every validation figure the recipe measured.
// `npm run install:infection -- --only multiclass` installs the multi-class model alone (when only
// its stages were retrained: `npm run train:infection -- --only multiclass`), `--only infection` the
// infection model alone (its prior changed, the multi-class stages not rerun).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({ options: { only: { type: 'string' } } })
if (args.only !== undefined && args.only !== 'multiclass' && args.only !== 'infection')
  throw new Error(`--only takes multiclass or infection, not '${args.only}'`)

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = join(root, 'runs', 'infection')
const recipe = JSON.parse(readFileSync(join(root, 'experiments', 'infection.json'), 'utf8'))
const result = (name) => {
  const f = join(runs, name, 'result.json')
  if (!existsSync(f)) throw new Error(`${f} is missing: run npm run train:infection first`)
  return JSON.parse(readFileSync(f, 'utf8'))
}
const prepared = JSON.parse(readFileSync(join(runs, 'data', 'prepared.json'), 'utf8'))
const meanStd = (xs) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1))
  return { mean, std }
}
const round = (x) => Math.round(x * 1000) / 1000
// the zenodo masks mark infection, not its class: no held-out zenodo figure can score the two classes
const HELD_OUT_MULTICLASS =
  'none outside the folds: the zenodo masks mark infection without its class, so the held-out zenodo groups cannot score ground glass and consolidation apart'
const WHOLE_VOLUME = 'normal002, P002) are in wholeVolume, written by npm run bench:analysis -- --record, and in docs/experiments.md, "Whole volumes".'
const named = (p, n) => (p === 'pool' ? n : `${n}-from-${p}`)
// the stages after the prior are named NAME-from-PRIOR unless the prior is the pool (infectionRecipe.ts)
const prior = recipe.prior ?? 'pool'
const after = (n) => named(prior, n)
/** mean ± std over the folds of each measure in row[part] */
const foldStats = (rows, part, measures) => Object.fromEntries(measures.map((m) => [m, meanStd(rows.map((r) => r[part][m]))]))
/** fold statistics as card metrics: cv5<Measure>Mean, cv5<Measure>Std */
const cvMetrics = (stats) =>
  Object.fromEntries(
    Object.entries(stats).flatMap(([m, s]) => {
      const key = `cv5${m[0].toUpperCase()}${m.slice(1)}`
      return [
        [`${key}Mean`, s.mean],
        [`${key}Std`, s.std]
      ]
    })
  )
const cvOf = (rows) => foldStats(rows, 'semiseg', ['dice', 'maxDice', 'sensitivity', 'specificity', 'sMeasure', 'eMeasure', 'mae'])
const foldsOf = (stage) => [0, 1, 2, 3, 4].map((f) => join(runs, after(`${stage}-fold-${f}`), 'result.json'))
// the replay's stage names (infectionRecipe.ts: `name`-all, `name`-fold-N)
const replayName = recipe.replay.name ?? 'replay'
// the HU window inference turns CT into the training images' grey levels with (read from the card: modelInputWindow)
const INPUT_WINDOW = { center: -350, width: 1400, note: 'HU window matching the COVID-SemiSeg training JPEGs (src/main/ml/inference/preprocess.ts)' }
// what the shipped infection model's analysis does (modelTestTimeFlip reads the card), and why
const INFERENCE = {
  flip: recipe.inference?.flip ?? false,
  note: 'horizontal-flip test-time augmentation (the mean of the map and the mirrored slice\'s map) for CT series; docs/experiments.md, "Inference"'
}
function install(from, name, card) {
  const target = join(root, 'resources', 'models', name)
  mkdirSync(target, { recursive: true })
  for (const f of ['model.json', 'weights.bin']) cpSync(join(from, f), join(target, f))
  writeFileSync(join(target, 'card.json'), JSON.stringify({ ...card, inputWindow: INPUT_WINDOW }, null, 2) + '\n')
  console.log(`Installed ${target}`)
}

if (args.only !== 'multiclass') installInfection()
if (args.only !== 'infection') installMultiClass()

function installMultiClass() {

// The multi-class model on the pool's prior and on the recipe's prior: the one whose folds score
// the higher mean Dice (both classes) is installed, and its card gives both.
const multiClassCandidates = [...new Set(['pool', prior])]
  .map((p) => {
    const folds = [0, 1, 2, 3, 4].map((f) => join(runs, named(p, `multiclass-fold-${f}`), 'result.json'))
    const rows = folds.every(existsSync) ? folds.map((f) => JSON.parse(readFileSync(f, 'utf8'))) : []
    return {
      name: named(p, 'multiclass-all'),
      prior: p,
      rows,
      meanDice: rows.length ? meanStd(rows.map((r) => r.multiclass.meanDice)).mean : -1
    }
  })
  .filter((c) => existsSync(join(runs, c.name, 'result.json')))
const chosen = multiClassCandidates.reduce((a, b) => (b.meanDice > a.meanDice ? b : a))
const multi = result(chosen.name)
const multiCard = JSON.parse(readFileSync(join(runs, chosen.name, 'model', 'card.json'), 'utf8'))
const multiFolds = chosen.rows
const multiMetrics =
  multiFolds.length === 5 ? cvMetrics(foldStats(multiFolds, 'multiclass', ['diceGroundGlass', 'diceConsolidation', 'meanDice'])) : {}
const priorNames = { pool: 'pool', 'ablation-coach': 'coach-pretrained pool (ablation-coach)' }
install(join(runs, chosen.name, 'model'), 'infnet-multiclass', {
  ...multiCard,
  training: {
    ...multiCard.training,
    data: 'the 50 doctor-labelled COVID-SemiSeg slices (masks-multiclass: ground glass, consolidation)',
    prior: `the ${priorNames[chosen.prior] ?? chosen.prior} model of the infection recipe (it never saw the 50, so one prior serves every fold); at inference the prior is the bundled infnet-lite`,
    priorChosenBy:
      multiClassCandidates.length > 1
        ? `5-fold mean Dice (both classes): ${multiClassCandidates.map((c) => `${priorNames[c.prior] ?? c.prior} prior ${c.meanDice.toFixed(3)}`).join(', ')}; the higher is installed`
        : `one candidate: the ${priorNames[chosen.prior] ?? chosen.prior} prior (the other prior's stages have not run at this configuration)`,
    priorModel: multiCard.training.priorModel,
    heldOut: HELD_OUT_MULTICLASS,
    seconds: multi.seconds,
    command: 'npm run train:infection && npm run install:infection',
    crossValidation: multiFolds.length === 5 ? '5-fold on the 50 slices, prior as above' : 'not run'
  },
  metrics: multiMetrics,
  notes:
    'Splits what the infection model marks into ground glass and consolidation. Validated by 5-fold CV on the 50 doctor-labelled slices (the only class-labelled data). ' +
    `Its whole-volume figures (with infnet-lite: ${WHOLE_VOLUME}`
})
}
console.log('Whole-volume figures: npm run build && npm run bench:analysis -- --record (writes them into both cards)')

/** infnet-lite: the recipe's replay stage on all 50 from its prior, with its held-out and 5-fold figures. */
function installInfection() {
  // the shipped recipe's own folds (fine-tuning with the replay on each fold's 40), once all have run
  const replayFolds = foldsOf(replayName).every(existsSync)
  const cvRows = replayFolds ? foldsOf(replayName).map((f) => JSON.parse(readFileSync(f, 'utf8'))) : []
  const cv = replayFolds ? cvOf(cvRows) : undefined
  // the prior's chain: a curve point continues its curve's start (the pool or an ablation row) point by point
  const curvePoints = prior.startsWith('curve-e')
    ? recipe.curve.epochs.filter((e) => e <= Number(prior.slice('curve-e'.length))).map((e) => ({ epochs: e, ...result(`curve-e${e}`) }))
    : []
  const start = curvePoints.length ? recipe.curve.from : prior
  const pool = result(start)
  const replay = result(after(`${replayName}-all`))
  const coach =
    start === 'ablation-coach'
      ? JSON.parse(readFileSync(join(runs, 'coach-pretraining', `size-${recipe.base.inputSize}`, 'card.json'), 'utf8'))
      : undefined
  const poolEpochs = curvePoints.length ? curvePoints.at(-1).epochs : recipe.pool.epochs

  const infectionCard = JSON.parse(readFileSync(join(runs, after(`${replayName}-all`), 'model', 'card.json'), 'utf8'))
  const heldOut = recipe.heldOutGroups.join(', ')
  install(join(runs, after(`${replayName}-all`), 'model'), 'infnet-lite', {
    ...infectionCard,
    name: 'infnet-lite',
    inference: INFERENCE,
    training: {
      data:
        (coach
          ? `Stage 0 (self-supervised coach pretraining): inpainting on the ${coach.training.slices} unlabelled COVID-SemiSeg slices, no labels. `
          : '') +
        `Stage 1 (pool): ${prepared.zenodoTrain} radiologist-labelled zenodo slices (13 of 16 volume groups), ${prepared.pseudo} COVID-SemiSeg unlabelled slices ` +
        `with their published Semi-Inf-Net pseudo-labels (held-out volumes' slices left out), ${prepared.negativesP002} uninfected P002 slices (empty masks, ` +
        `cut by inferVolume's own crop and window). Stage 2: the 50 doctor-labelled COVID-SemiSeg slices with a replay of up to ${recipe.replay.slices} seeded slices of each of ${recipe.replay.sources.join(', ')}.`,
      heldOut: `zenodo volume groups ${heldOut} (${prepared.zenodoHeldOut} slices), never trained on; normal002 never trained on`,
      // distinct slices seen: the pool, then the 50 (the replay re-uses pool slices)
      trainingSlices: pool.trainingSlices + 50,
      inputSize: recipe.base.inputSize,
      inputRepresentation:
        'fixed grey levels (HU through the model window C −350 / W 1400), chosen over rank equalisation by the representation rows',
      stages: [
        ...(coach
          ? [
              {
                name: 'coach pretraining',
                rounds: coach.training.rounds,
                round0Steps: coach.training.round0Steps,
                coachSteps: coach.training.coachSteps,
                inpainterSteps: coach.training.inpainterSteps,
                slices: coach.training.slices,
                seconds: coach.training.seconds
              }
            ]
          : []),
        {
          name: start === 'pool' ? 'pool' : `pool (${start})`,
          epochs: curvePoints.length ? recipe.curve.fromEpochs : recipe.pool.epochs,
          learningRate: recipe.pool.learningRate,
          slices: pool.trainingSlices,
          seconds: pool.seconds,
          ...(coach ? { init: 'coach pretraining' } : {})
        },
        // the learning curve's points up to the prior: each continues the previous over the same pool
        ...curvePoints.map((c, i) => ({
          name: `pool continued to ${c.epochs} epochs (curve-e${c.epochs})`,
          epochs: c.epochs - (i ? curvePoints[i - 1].epochs : recipe.curve.fromEpochs),
          learningRate: recipe.curve.learningRate,
          slices: c.trainingSlices,
          seconds: c.seconds,
          init: i ? `curve-e${curvePoints[i - 1].epochs}` : start
        })),
        {
          name: 'fine-tune with replay',
          epochs: recipe.replay.epochs,
          learningRate: recipe.replay.learningRate,
          slices: replay.trainingSlices,
          seconds: replay.seconds,
          init: prior
        }
      ],
      poolEpochs,
      seconds: (coach?.training.seconds ?? 0) + pool.seconds + curvePoints.reduce((t, c) => t + c.seconds, 0) + replay.seconds,
      backend: infectionCard.training.backend,
      command: 'npm run train:infection && npm run install:infection',
      crossValidation: replayFolds
        ? `5-fold CV on the 50 COVID-SemiSeg slices of this recipe (fine-tuning with the replay on the fold's 40, from the same ${prior}): Dice ${round(cv.dice.mean)} ± ${round(cv.dice.std)} (per fold ${cvRows.map((r) => round(r.semiseg.dice)).join(', ')})`
        : 'not run yet for this recipe (npm run train:infection runs the replay folds after the model on all 50); its held-out zenodo figures are below'
    },
    metrics: {
      heldOutDice: replay.heldOut.dice,
      heldOutMaxDice: replay.heldOut.maxDice,
      heldOutSensitivity: replay.heldOut.sensitivity,
      heldOutSpecificity: replay.heldOut.specificity,
      heldOutSMeasure: replay.heldOut.sMeasure,
      heldOutEMeasure: replay.heldOut.eMeasure,
      heldOutMae: replay.heldOut.mae,
      // every measure of the folds
      ...(cv ? cvMetrics(cv) : {})
    },
    notes:
      `Inf-Net with the lite backbone at ${recipe.base.inputSize} px, trained ${coach ? 'from the self-supervised coach pretraining (no ImageNet weights)' : 'from scratch'} on the CPU (${infectionCard.training.backend} engine), ${poolEpochs} epoch${poolEpochs > 1 ? 's' : ''} over the pool${curvePoints.length ? ' (the budget the learning curve chose, docs/experiments.md)' : ''}. ` +
      'Validated on whole zenodo volumes kept out of training and by 5-fold CV on the 50 doctor-labelled slices (Inf-Net protocol). ' +
      `Its whole-volume figures on the real COVID-CT-MD series (${WHOLE_VOLUME} A proposal: check every result.`
  })
}
