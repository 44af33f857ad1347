/**
 * The researcher's method commands: `pulmo experiment` (k-fold cross-validation of a list of
 * configurations, written as a table), `pulmo pretrain` (self-supervised inpainting with a coach)
 * and `pulmo train-semi` (Semi-Inf-Net). Each parses its own options.
 */
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { InpaintingEvent } from '../training/selfSupervised'
import { pretrainInpainting } from '../training/selfSupervised'
import { readExperimentFile, runExperiments, trainFinal, type ExperimentEvent } from '../training/experiments'
import { readInfectionRecipe, runInfectionRecipe } from '../training/infectionRecipe'
import { trainSemiSupervised } from '../training/semiSupervised'
import type { TrainingEvent } from '../training/progress'
import type { MultiClassTrainingEvent } from '../training/multiClass'
import { multiClassTrainingLine } from './multiClassCommands'
import { startEngine, type CommandIo } from './research'
import { formatEta, trainingLine } from './progressLine'
import { stopOnSignal } from './stopOnSignal'

export const METHOD_COMMANDS = ['experiment', 'pretrain', 'train-semi', 'train-infection'] as const

export const methodUsage = `  experiment --config FILE [--only NAME]...
                                 k-fold cross-validation of each configuration in FILE (JSON, see
                                 experiments/paper.json); writes table.md and table.json; resumable
  experiment --config FILE --final NAME --model-out DIR [--prior INFNET_DIR]
                                 train configuration NAME on all labelled slices (shipped models);
                                 its card gets the configuration's cross-validation row
  pretrain --images DIR[,DIR] --out DIR [--input-size N] [--rounds N] [--round0-steps N]
        [--coach-steps N] [--inpainter-steps N] [--no-coach] [--limit N] [--resume]
                                 self-supervised inpainting with a coach; pictures in OUT/rounds/
  train-semi --data DIR --unlabeled DIR --out DIR [--limit N] [--group-size N] [--epochs N]
        [--input-size N] [--folds K --fold I] [--resume]
                                 Semi-Inf-Net: pseudo-labels in groups, then pseudo + labelled training
  train-infection --config FILE [--only STAGE]...
                                 the shipped infection model's recipe (experiments/infection.json):
                                 training folders from the shared data, representation rows, pool,
                                 fine-tuning per fold and on all 50; resumable, writes OUT/table.json
`

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

const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`)
  return n
}

/** Runs one of METHOD_COMMANDS; returns the exit code. */
export async function methodCommand(command: (typeof METHOD_COMMANDS)[number], argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      only: { type: 'string', multiple: true },
      final: { type: 'string' },
      'model-out': { type: 'string' },
      prior: { type: 'string' },
      images: { type: 'string' },
      data: { type: 'string' },
      unlabeled: { type: 'string' },
      out: { type: 'string' },
      'input-size': { type: 'string' },
      rounds: { type: 'string' },
      'round0-steps': { type: 'string' },
      'coach-steps': { type: 'string' },
      'inpainter-steps': { type: 'string' },
      'no-coach': { type: 'boolean', default: false },
      limit: { type: 'string' },
      'group-size': { type: 'string' },
      epochs: { type: 'string' },
      folds: { type: 'string' },
      fold: { type: 'string' },
      resume: { type: 'boolean', default: false },
      backend: { type: 'string' },
      'data-dir': { type: 'string' }
    }
  })
  if (command === 'experiment') {
    if (!values.config) throw new Error('pulmo experiment needs --config FILE')
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
    const recipe = readInfectionRecipe(resolve(values.config))
    await startEngine(values.backend, io)
    const r = await runInfectionRecipe(recipe, {
      only: values.only,
      shouldStop: stopFlag(io),
      onEvent: (e) => {
        if (e.kind === 'stage') io.log(`== ${e.name}`)
        else if (e.kind === 'log') io.log(e.message)
        else if (e.event.kind !== 'step' || e.event.globalStep % 10 === 0) {
          // multi-class stages report Dice per class
          const inner = e.event as TrainingEvent | MultiClassTrainingEvent
          io.log(`[${e.stage}] ${'diceGroundGlass' in inner ? multiClassTrainingLine(inner) : trainingLine(inner as TrainingEvent)}`)
        }
      }
    })
    writeFileSync(join(recipe.out, 'table.json'), JSON.stringify({ results: r.results }, null, 1) + '\n')
    io.print(r.status === 'finished' ? `Recipe done${r.model ? `; shipped-model candidate in ${r.model}` : ''}; figures in ${join(recipe.out, 'table.json')}` : 'Stopped; run the same command again to continue.')
    return 0
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
