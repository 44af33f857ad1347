/**
 * The researcher's method commands: `pulmo experiment` (k-fold cross-validation of a list of
 * configurations, written as a table), `pulmo pretrain` (self-supervised inpainting with a coach)
 * and `pulmo train-semi` (Semi-Inf-Net). Each parses its own options.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { InpaintingEvent } from '../training/selfSupervised'
import { pretrainInpainting } from '../training/selfSupervised'
import { readExperimentFile, runExperiments, trainFinal, type ExperimentEvent } from '../training/experiments'
import { isInfectionRecipeFile, mergeTable, readInfectionRecipe, runInfectionRecipe, type InfectionRecipe, type RecipeEvent, type StageResult } from '../training/infectionRecipe'
import { ablationTable } from '../training/infectionAblations'
import { trainSemiSupervised } from '../training/semiSupervised'
import type { TrainingEvent } from '../training/progress'
import type { MultiClassTrainingEvent } from '../training/multiClass'
import { multiClassTrainingLine } from './multiClassCommands'
import { startEngine, type CommandIo } from './research'
import { formatEta, trainingLine } from './progressLine'
import { stopOnSignal } from './stopOnSignal'
import { command, commandForms, commandUsage, parseCommand, wholeNumber, type CommandSpec, type OptionTable, type OptionValues } from './options'

const str = (value: string, help: string) => ({ type: 'string', value, help }) as const
const only = (help: string) => ({ type: 'string', value: 'NAME', help, multiple: true }) as const
const resume = { type: 'boolean', help: 'continue from the last checkpoint' } as const

/** Each method command's option table. */
const METHOD_SPECS = {
  experiment: command(
    'experiment',
    [
      {
        args: '--config FILE [--only NAME]...',
        does: 'k-fold cross-validation of each configuration in FILE (JSON, see\nexperiments/paper.json); writes table.md and table.json; resumable'
      },
      {
        args: '--config experiments/infection.json [--only ROW]...',
        does: "the infection recipe's comparison rows: input representation, the pool, and\nthe ablation rows (data sources, negatives, pseudo-labels, coach pretraining,\ncutout, resolution, backbone), each paired per split against the pool;\nwrites OUT/ablations.md and OUT/table.json; resumable"
      },
      {
        args: '--config FILE --final NAME --model-out DIR [--prior INFNET_DIR]',
        does: "train configuration NAME on all labelled slices (shipped models);\nits card gets the configuration's cross-validation row"
      }
    ],
    {
      config: str('FILE', 'the experiment file'),
      only: only('run only this configuration'),
      final: str('NAME', 'train this configuration on all labelled slices'),
      'model-out': str('DIR', "--final's model folder"),
      prior: str('INFNET_DIR', '--final of a multi-class configuration: its prior model')
    }
  ),
  pretrain: command(
    'pretrain',
    [
      {
        args: '--images DIR[,DIR] --out DIR [--input-size N] [--rounds N] [--round0-steps N]\n      [--coach-steps N] [--inpainter-steps N] [--no-coach] [--limit N] [--resume]',
        does: 'self-supervised inpainting with a coach; pictures in OUT/rounds/'
      }
    ],
    {
      images: str('DIR[,DIR]', 'the slices'),
      out: str('DIR', 'the network, checkpoints and pictures'),
      'input-size': str('N', 'network input size'),
      rounds: str('N', 'coach rounds'),
      'round0-steps': str('N', 'steps on random masks first'),
      'coach-steps': str('N', 'coach steps per round'),
      'inpainter-steps': str('N', 'inpainter steps per round'),
      'no-coach': { type: 'boolean', help: 'random masks only' },
      limit: str('N', 'slices per folder at most'),
      resume
    }
  ),
  'train-semi': command(
    'train-semi',
    [
      {
        args: '--data DIR --unlabeled DIR --out DIR [--limit N] [--group-size N] [--epochs N]\n      [--input-size N] [--folds K --fold I] [--resume]',
        does: 'Semi-Inf-Net: pseudo-labels in groups, then pseudo + labelled training'
      }
    ],
    {
      data: str('DIR', 'labelled slices'),
      unlabeled: str('DIR', 'unlabelled slices'),
      out: str('DIR', 'the model'),
      limit: str('N', 'unlabelled slices at most'),
      'group-size': str('N', 'slices pseudo-labelled between fine-tunings'),
      epochs: str('N', 'epochs'),
      'input-size': str('N', 'network input size'),
      folds: str('K', 'k-fold split'),
      fold: str('I', 'the held-out fold'),
      resume
    }
  ),
  'train-infection': command(
    'train-infection',
    [
      {
        args: '--config FILE [--only STAGE]...',
        does: "the shipped infection model's recipe (experiments/infection.json):\ntraining folders from the shared data, representation rows, pool,\nablation rows, then from the prior (the pool or an ablation row):\nfine-tuning and replay per fold and on all 50, multi-class;\nresumable, writes OUT/table.json and OUT/ablations.md"
      }
    ],
    { config: str('FILE', 'the recipe'), only: only('run only this stage') }
  )
}

export type MethodCommand = keyof typeof METHOD_SPECS
export const METHOD_COMMANDS = Object.keys(METHOD_SPECS) as MethodCommand[]

export const methodUsage = Object.values(METHOD_SPECS)
  .map((spec) => commandForms(spec))
  .join('')

function pretrainLine(e: InpaintingEvent): string {
  switch (e.kind) {
    case 'pretrain-step':
      return `round ${e.round}/${e.rounds} ${e.phase} step ${e.step} (${e.globalStep}/${e.totalSteps}) loss ${e.loss.toFixed(4)} ${(e.stepMs / 1000).toFixed(1)} s/step ETA ${formatEta(e.etaSeconds)} [${e.backend}]`
    case 'round':
      return `round ${e.summary.round} done: probe loss ${e.summary.probeLossBefore.toFixed(4)} → ${e.summary.probeLossCoach.toFixed(4)} (random masks ${e.summary.probeLossRandom.toFixed(4)}); picture ${e.summary.picture}`
    case 'checkpoint':
      return `checkpoint at step ${e.globalStep} in ${e.path}`
    case 'log':
      return e.message
  }
}

function eventLine(e: ExperimentEvent): string | undefined {
  switch (e.kind) {
    case 'fold-start':
      return `== ${e.configuration}: fold ${e.fold + 1}/${e.folds}`
    case 'fold-done':
      return `== ${e.configuration}: fold ${e.result.fold + 1} done in ${e.result.seconds} s: ${JSON.stringify(e.result)}`
    case 'training': {
      // Pretraining reports with fold −1; every 10th step is enough in a long log.
      if (e.fold === -1) {
        const inner = e.event as InpaintingEvent
        if (inner.kind === 'pretrain-step' && inner.globalStep % 10 !== 0) return undefined
        return `[${e.configuration} pretraining] ${pretrainLine(inner)}`
      }
      const inner = e.event as TrainingEvent | MultiClassTrainingEvent
      if (inner.kind === 'step' && inner.globalStep % 10 !== 0) return undefined
      // a validation report is single-class (Inf-Net's protocol) or multi-class (Dice per class)
      const line = 'diceGroundGlass' in inner ? multiClassTrainingLine(inner) : trainingLine(inner as TrainingEvent)
      return `[${e.configuration} ${e.fold === -2 ? 'all slices' : `fold ${e.fold + 1}`}] ${line}`
    }
  }
}

const stopFlag = (io: CommandIo): (() => boolean) =>
  stopOnSignal(io, 'Stopping after this step (a checkpoint is written); run the same command again to continue…')

const int = wholeNumber

function recipeLine(e: RecipeEvent): string | undefined {
  if (e.kind === 'stage') return `== ${e.name}`
  if (e.kind === 'log') return e.message
  if (e.event.kind === 'step' && e.event.globalStep % 10 !== 0) return undefined
  // multi-class stages report Dice per class
  const inner = e.event as TrainingEvent | MultiClassTrainingEvent
  return `[${e.stage}] ${'diceGroundGlass' in inner ? multiClassTrainingLine(inner) : trainingLine(inner as TrainingEvent)}`
}

/** The infection recipe's stages (`only`: the stage-name prefixes to run); writes OUT/table.json and OUT/ablations.md. */
async function trainRecipe(recipe: InfectionRecipe, only: string[] | undefined, backend: string | undefined, io: CommandIo): Promise<number> {
  await startEngine(backend, io)
  const r = await runInfectionRecipe(recipe, {
    only,
    shouldStop: stopFlag(io),
    onEvent: (e) => {
      const line = recipeLine(e)
      if (line) io.log(line)
    }
  })
  const tablePath = join(recipe.out, 'table.json')
  const previous = existsSync(tablePath) ? (JSON.parse(readFileSync(tablePath, 'utf8')) as { results: StageResult[] }).results : []
  const results = mergeTable(previous, r.results)
  writeFileSync(tablePath, JSON.stringify({ results }, null, 1) + '\n')
  const rows: StageResult[] = results.filter((x) => x.name === 'pool' || x.name.startsWith('ablation-'))
  if (rows.length > 1) writeFileSync(join(recipe.out, 'ablations.md'), ablationTable(rows))
  if (r.status === 'stopped') io.print('Stopped; run the same command again to continue.')
  else if (only?.every((o) => o.startsWith('ablation') || o.startsWith('representation'))) io.print(`Rows done; table in ${join(recipe.out, 'ablations.md')}, figures in ${join(recipe.out, 'table.json')}`)
  else io.print(`Recipe done${r.model ? `; shipped-model candidate in ${r.model}` : ''}; figures in ${join(recipe.out, 'table.json')}`)
  return 0
}

/** Runs one of METHOD_COMMANDS; returns the exit code. */
export async function methodCommand(command: MethodCommand, argv: string[], io: CommandIo): Promise<number> {
  const spec: CommandSpec<OptionTable> = METHOD_SPECS[command]
  // Each command was held to its own table; read here through all of them.
  const values = parseCommand(spec, argv).values as OptionValues<
    (typeof METHOD_SPECS)['experiment']['options'] &
      (typeof METHOD_SPECS)['pretrain']['options'] &
      (typeof METHOD_SPECS)['train-semi']['options']
  >
  if (values.help) {
    io.print(commandUsage(spec))
    return 0
  }
  if (command === 'experiment') {
    if (!values.config) throw new Error('pulmo experiment needs --config FILE')
    if (isInfectionRecipeFile(resolve(values.config))) {
      if (values.final) throw new Error(`${values.config} is the infection recipe: its shipped model is trained by pulmo train-infection`)
      const recipe = readInfectionRecipe(resolve(values.config))
      // the rows: the representation rows and the ablation rows (the pool runs as their reference)
      const rows = ['representation-fixed', 'representation-equalised', ...(recipe.ablations?.rows.map((r) => `ablation-${r.name}`) ?? [])]
      const only = values.only?.map((n) => (rows.includes(n) ? n : `ablation-${n}`))
      const unknown = only?.filter((n) => !rows.includes(n))
      if (unknown?.length) throw new Error(`${values.config} has no row ${unknown.map((n) => n.replace(/^ablation-/, '')).join(', ')}; its rows: ${rows.map((n) => n.replace(/^ablation-/, '')).join(', ')}`)
      return trainRecipe(recipe, only ?? ['representation', 'ablation'], values.backend, io)
    }
    const file = readExperimentFile(resolve(values.config))
    await startEngine(values.backend, io)
    if (values.final) {
      if (!values['model-out']) throw new Error('pulmo experiment --final NAME needs --model-out DIR')
      const status = await trainFinal(file, values.final, resolve(values['model-out']), {
        prior: values.prior && resolve(values.prior),
        shouldStop: stopFlag(io),
        onEvent: (e) => {
          const line = eventLine(e)
          if (line) io.log(line)
        }
      })
      io.print(status === 'finished' ? `Trained '${values.final}' on all labelled slices into ${resolve(values['model-out'])}` : 'Stopped; run the same command again to continue.')
      return 0
    }
    const result = await runExperiments(file, {
      only: values.only,
      shouldStop: stopFlag(io),
      onEvent: (e) => {
        const line = eventLine(e)
        if (line) io.log(line)
      }
    })
    if (result.status === 'stopped') {
      io.print('Stopped; run the same command again to continue.')
      return 0
    }
    io.print(`Table written to ${resolve(file.out, 'table.md')} and table.json`)
    return 0
  }
  if (command === 'train-infection') {
    if (!values.config) throw new Error('pulmo train-infection needs --config FILE (e.g. experiments/infection.json)')
    return trainRecipe(readInfectionRecipe(resolve(values.config)), values.only, values.backend, io)
  }
  if (command === 'pretrain') {
    if (!values.images || !values.out) throw new Error('pulmo pretrain needs --images DIR[,DIR] and --out DIR')
    await startEngine(values.backend, io)
    const r = await pretrainInpainting(
      {
        images: values.images.split(',').map((d) => resolve(d)),
        out: resolve(values.out),
        ...(values['input-size'] ? { inputSize: int('input-size', values['input-size']) } : {}),
        ...(values.rounds ? { rounds: int('rounds', values.rounds) } : {}),
        ...(values['round0-steps'] ? { round0Steps: int('round0-steps', values['round0-steps']) } : {}),
        ...(values['coach-steps'] ? { coachSteps: int('coach-steps', values['coach-steps']) } : {}),
        ...(values['inpainter-steps'] ? { inpainterSteps: int('inpainter-steps', values['inpainter-steps']) } : {}),
        ...(values.limit ? { limitPerFolder: int('limit', values.limit) } : {}),
        coach: !values['no-coach']
      },
      { resume: values.resume, shouldStop: stopFlag(io), onEvent: (e) => io.log(pretrainLine(e)) }
    )
    io.print(r.status === 'finished' ? `Pretrained network in ${resolve(values.out)}` : 'Stopped; continue with --resume.')
    return 0
  }
  if (!values.data || !values.unlabeled || !values.out) throw new Error('pulmo train-semi needs --data DIR, --unlabeled DIR and --out DIR')
  await startEngine(values.backend, io)
  const folds = int('folds', values.folds)
  const r = await trainSemiSupervised(
    {
      supervised: {
        data: resolve(values.data),
        out: resolve(values.out),
        ...(values['input-size'] ? { inputSize: int('input-size', values['input-size']) } : {}),
        ...(values.epochs ? { epochs: int('epochs', values.epochs) } : {}),
        ...(folds !== undefined ? { folds, fold: int('fold', values.fold) ?? 0 } : {})
      },
      unlabeled: resolve(values.unlabeled),
      ...(values.limit ? { unlabeledLimit: int('limit', values.limit) } : {}),
      ...(values['group-size'] ? { groupSize: int('group-size', values['group-size']) } : {})
    },
    { resume: values.resume, shouldStop: stopFlag(io), onEvent: (e) => io.log(trainingLine(e)) }
  )
  io.print(r.status === 'finished' ? `Semi-Inf-Net in ${r.model}` : 'Stopped; continue with --resume.')
  if (r.validation) io.print(JSON.stringify({ validation: r.validation }))
  return 0
}
