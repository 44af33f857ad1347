/**
 * `pulmo`: the command line. Every command goes through the same service as the workstation.
 * Errors go to stderr with exit code 1 (2 for a usage error).
 */
import { resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { segmentMultiClassCommand, trainMultiClassCommand } from './cli/multiClassCommands'
import { METHOD_COMMANDS, methodCommand, methodUsage, type MethodCommand } from './cli/experimentCommands'
import { stopOnSignal } from './cli/stopOnSignal'
import { pacsCommand, pacsUsage } from './cli/pacsCommands'
import { evaluateCommand, segmentImagesCommand, startEngine, trainCommand } from './cli/research'
import { isImageInput, reportCommand, scoreCommand, segmentVolumeCommand } from './cli/volumeCommands'
import { compareCommand } from './cli/compareCommand'
import { isStoredSeriesInput, reportStoredSeries, scoreStoredSeries } from './cli/storedSeriesCommands'
import * as specs from './cli/commands'
import { COMMON_OPTIONS, commandForms, commandUsage, parseCommand, nonNegative, onOff, UsageError, wholeNumber, type OptionValues } from './cli/options'
import { auditTable, studiesJson, studyTable } from './cli/tables'
import { setEnvBackend } from './env'
import { startServer } from './server'
import { toApiError } from './services'
import { openCliService } from './cli/cliService'

/** pulmo's own commands by name, in the order the usage lists them. */
const COMMANDS = {
  import: specs.importCommand,
  studies: specs.studiesCommand,
  export: specs.exportCommand,
  serve: specs.serveCommand,
  train: specs.trainCommandSpec,
  'train-multiclass': specs.trainMultiClassCommandSpec,
  segment: specs.segmentCommandSpec,
  score: specs.scoreCommandSpec,
  report: specs.reportCommandSpec,
  compare: specs.compareCommandSpec,
  audit: specs.auditCommand,
  evaluate: specs.evaluateCommandSpec
}
type Command = keyof typeof COMMANDS
type Tables = { [C in Command]: (typeof COMMANDS)[C]['options'] }
/** Every command's values, read through all the tables: each command was parsed against its own. */
type Values = OptionValues<UnionToIntersection<Tables[Command]>>
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never

const { evaluate, ...beforeEvaluate } = COMMANDS
const usage = `Usage: pulmo <command> [options]

Commands:
${Object.values(beforeEvaluate).map((c) => commandForms(c)).join('')}${pacsUsage}${methodUsage}${commandForms(evaluate)}
Options of every command:
${Object.entries(COMMON_OPTIONS)
  .map(([name, o]) => `  ${`${'short' in o ? `-${o.short}, ` : ''}--${name}${'value' in o ? ` ${o.value}` : ''}`.padEnd(30)} ${o.help}`)
  .join('\n')}

\`pulmo COMMAND --help\` lists a command's options; an option the command does not take is refused.
`

const isCommand = (name: string): name is Command => Object.hasOwn(COMMANDS, name)

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(usage)
    return command ? 0 : 2
  }
  if ((METHOD_COMMANDS as readonly string[]).includes(command)) {
    const io = { print: (l: string) => void process.stdout.write(l + '\n'), log: (l: string) => void process.stderr.write(l + '\n') }
    try {
      return await methodCommand(command as MethodCommand, rest, io)
    } catch (e) {
      io.log(`pulmo ${command}: ${e instanceof Error ? e.message : String(e)}`)
      return e instanceof UsageError ? 2 : 1
    }
  }
  if (command === 'pacs') {
    const io = { print: (l: string) => void process.stdout.write(l + '\n'), log: (l: string) => void process.stderr.write(l + '\n') }
    try {
      return await pacsCommand(rest, io)
    } catch (e) {
      io.log(`pulmo pacs: ${e instanceof UsageError ? e.message : toApiError(e).message}`)
      return e instanceof UsageError ? 2 : 1
    }
  }
  if (!isCommand(command)) {
    process.stderr.write(`pulmo: Unknown command "${command}".\n\n${usage}`)
    return 2
  }
  let values: Values
  let positionals: string[]
  try {
    ;({ values, positionals } = parseCommand<Tables[Command]>(COMMANDS[command], rest) as { values: Values; positionals: string[] })
  } catch (e) {
    process.stderr.write(`pulmo ${command}: ${e instanceof Error ? e.message : String(e)}\n`)
    return e instanceof UsageError ? 2 : 1
  }
  if (values.help) {
    process.stdout.write(commandUsage(COMMANDS[command]))
    return 0
  }
  const print = (text: string): boolean => process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  const io = { print: (l: string) => void print(l), log: (l: string) => void process.stderr.write(l + '\n') }
  const int = wholeNumber
  if (
    command === 'score' ||
    command === 'report' ||
    (command === 'segment' && positionals[0] && !isImageInput(positionals[0]))
  ) {
    try {
      if (!positionals[0]) {
        throw new UsageError(`pulmo ${command} needs an INPUT (DICOM folder, NIfTI file or series id)`)
      }
      if (command === 'segment' && !values.out) throw new UsageError('pulmo segment needs --out DIR')
      if (command === 'segment' && values.multiclass) {
        throw new UsageError(
          '--multiclass is for 2D slices; a CT series is typed by the multi-class model when there is one (--multiclass-model DIR)'
        )
      }
      if (command === 'report' && !values.pdf) throw new UsageError('pulmo report needs --pdf FILE')
      if (command !== 'segment' && isStoredSeriesInput(positionals[0], existsSync)) {
        // An imported series: through the service, like the workstation (its compute process runs any analysis).
        if (values.reference) throw new UsageError('--reference is for a volume given by path, not an imported series')
        if (values.backend) setEnvBackend(values.backend)
        const service = openCliService(values['data-dir'], { modelDir: values.model && resolve(values.model) })
        try {
          const seriesId = Number(positionals[0])
          if (command === 'score') await scoreStoredSeries(service, seriesId, values.json ?? false, io)
          else await reportStoredSeries(service, seriesId, values.pdf ?? '', values.identified ?? false, io)
        } finally {
          await service.shutdown()
        }
        return 0
      }
      const engine = startEngine(values.backend, io)
      // awaited by the command once the series is read; a failure before that must not go unhandled
      engine.catch(() => undefined)
      const common = {
        engine,
        input: positionals[0],
        dataDir: values['data-dir'],
        model: values.model,
        multiclassModel: values['multiclass-model'],
        batchSize: int('batch-size', values['batch-size']),
        flip: onOff('flip', values.flip)
      }
      if (command === 'segment') {
        await segmentVolumeCommand({ ...common, out: values.out ?? '' }, io)
      } else if (command === 'score') {
        await scoreCommand({ ...common, reference: values.reference, json: values.json ?? false }, io)
      } else {
        await reportCommand({ ...common, pdf: values.pdf ?? '', identified: values.identified ?? false }, io)
      }
      return 0
    } catch (e) {
      process.stderr.write(`pulmo ${command}: ${e instanceof UsageError ? e.message : toApiError(e).message}\n`)
      return e instanceof UsageError ? 2 : 1
    }
  }
  if (command === 'train' || command === 'train-multiclass' || command === 'segment' || command === 'evaluate') {
    try {
      if (command === 'train-multiclass' && (!values.data || !values.out || !values.prior)) {
        throw new UsageError('pulmo train-multiclass needs --data DIR, --out MODEL_DIR and --prior INFNET_DIR')
      }
      await startEngine(values.backend, io)
      if (command === 'train-multiclass') {
        const shouldStop = stopOnSignal(io)
        await trainMultiClassCommand(
          {
            data: resolve(values.data ?? ''),
            out: resolve(values.out ?? ''),
            prior: resolve(values.prior ?? ''),
            epochs: int('epochs', values.epochs),
            inputSize: int('input-size', values['input-size']),
            batchSize: int('batch-size', values['batch-size']),
            learningRate: values.lr === undefined ? undefined : Number(values.lr),
            decayEpoch: int('decay-epoch', values['decay-epoch']),
            folds: int('folds', values.folds),
            fold: int('fold', values.fold),
            checkpointEvery: int('checkpoint-every', values['checkpoint-every']),
            baseFilters: int('base-filters', values['base-filters']),
            init: values.init && resolve(values.init),
            augment: values.augment ?? false,
            resume: values.resume ?? false
          },
          io,
          shouldStop
        )
      } else if (command === 'train') {
        if (!values.data || !values.out) throw new UsageError('pulmo train needs --data DIR and --out MODEL_DIR')
        const shouldStop = stopOnSignal(io)
        await trainCommand(
          {
            data: resolve(values.data),
            out: resolve(values.out),
            backbone: values.backbone,
            epochs: int('epochs', values.epochs),
            folds: int('folds', values.folds),
            fold: int('fold', values.fold),
            inputSize: int('input-size', values['input-size']),
            batchSize: int('batch-size', values['batch-size']),
            checkpointEvery: int('checkpoint-every', values['checkpoint-every']),
            init: values.init && resolve(values.init),
            learningRate: values.lr === undefined ? undefined : Number(values.lr),
            decayEpoch: int('decay-epoch', values['decay-epoch']),
            scales: values.scales === undefined ? undefined : values.scales.split(',').map(Number),
            resume: values.resume ?? false
          },
          io,
          shouldStop
        )
      } else if (command === 'segment') {
        if (!positionals[0] || !values.out) throw new UsageError('pulmo segment needs INPUT and --out DIR')
        if (values.multiclass) {
          await segmentMultiClassCommand(
            {
              input: resolve(positionals[0]),
              out: resolve(values.out),
              model: values.model && resolve(values.model),
              priorModel: values['prior-model'] && resolve(values['prior-model'])
            },
            io
          )
        } else
          await segmentImagesCommand(
            { input: resolve(positionals[0]), out: resolve(values.out), model: values.model && resolve(values.model), flip: onOff('flip', values.flip) },
            io
          )
      } else {
        if (!values.gt) throw new UsageError('pulmo evaluate needs --gt DIR')
        const summary = await evaluateCommand(
          {
            pred: values.pred && resolve(values.pred),
            gt: resolve(values.gt),
            models: [values.model, ...(values.ensemble ?? [])].filter((m) => m !== undefined).map((m) => resolve(m)),
            images: values.images && resolve(values.images),
            flip: onOff('flip', values.flip),
            lungs: values.lungs && resolve(values.lungs),
            lungMarginMm: nonNegative('lung-margin-mm', values['lung-margin-mm']),
            pixelMm: nonNegative('pixel-mm', values['pixel-mm'])
          },
          io
        )
        print(values.json ? JSON.stringify(summary) : Object.entries(summary).map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n'))
      }
      return 0
    } catch (e) {
      process.stderr.write(`pulmo ${command}: ${e instanceof UsageError ? e.message : toApiError(e).message}\n`)
      return e instanceof UsageError ? 2 : 1
    }
  }
  // The service's compute process inherits the environment: --backend reaches it through PULMO_BACKEND.
  if (values.backend) setEnvBackend(values.backend)
  const service = openCliService(values['data-dir'])
  let keepOpen = false
  try {
    switch (command) {
      case 'import': {
        if (positionals.length === 0) throw new UsageError('pulmo import needs at least one PATH.')
        service.onEvent((e) => {
          if (e.type === 'progress' && !values.json) process.stderr.write(`${e.label} ${e.done}/${e.total}\n`)
        })
        const result = await service.invoke('studies.import', { paths: positionals.map((p) => resolve(p)) })
        if (values.json) print(JSON.stringify(result, null, 2))
        else {
          print(`Created ${result.created.length} series, ${result.existing.length} already imported.`)
          if (result.studies.length) print(studyTable(result.studies))
        }
        return 0
      }
      case 'studies': {
        const studies = await service.invoke('studies.list', { query: values.query })
        if (values.json) print(JSON.stringify(studiesJson(studies), null, 2))
        else print(studies.length ? studyTable(studies) : 'No studies yet. Import one with `pulmo import PATH`.')
        return 0
      }
      case 'export': {
        const seriesId = Number(positionals[0])
        if (!Number.isInteger(seriesId) || seriesId <= 0) throw new UsageError('pulmo export needs a SERIES_ID (see `pulmo studies`).')
        if (!values.out) throw new UsageError('pulmo export needs --out FILE.nii.gz (NIfTI) or --out FOLDER (DICOM)')
        const format = values.format
        if (format !== undefined && format !== 'nifti' && format !== 'dicom') throw new UsageError(`--format must be nifti or dicom, got ${format}`)
        const result = await service.invoke('series.export', {
          seriesId,
          path: resolve(values.out),
          ...(format ? { format } : {}),
          identified: values.identified ?? false
        })
        const what = result.format === 'dicom' ? `${result.files} DICOM files in ${result.path}` : result.path
        print(`Wrote ${what} (${result.deidentified ? 'de-identified' : 'with patient identity'})`)
        return 0
      }
      case 'compare': {
        const [a, b] = positionals.map(Number)
        if (positionals.length !== 2 || ![a, b].every((n) => Number.isInteger(n) && n > 0)) {
          throw new UsageError('pulmo compare needs two SERIES_IDs (see `pulmo studies`): SERIES_A SERIES_B.')
        }
        await compareCommand(service, a, b, values.json ?? false, io)
        return 0
      }
      case 'audit': {
        const entityId = int('id', values.id)
        const entries = await service.invoke('audit.list', {
          ...(values.entity ? { entity: values.entity } : {}),
          ...(entityId ? { entityId } : {}),
          ...(values.limit ? { limit: int('limit', values.limit) } : {})
        })
        if (values.json) print(JSON.stringify(entries, null, 2))
        else print(entries.length ? auditTable(entries) : 'The audit log is empty.')
        return 0
      }
      case 'serve': {
        const port = values.port === undefined ? 0 : Number(values.port)
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`Invalid --port ${values.port}`)
        const server = await startServer(service, { port, host: values.host })
        print(`Pulmo is serving the workstation. Open this address in a browser:\n  ${server.url}`)
        print(`Data folder: ${service.dataDir}`)
        keepOpen = true
        const stop = async (): Promise<void> => {
          await server.close()
          await service.shutdown()
          process.exit(0)
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
        return 0
      }
      default:
        // segment of 2D slices and the training commands returned above
        throw new Error(`pulmo ${command} is not dispatched`)
    }
  } catch (e) {
    process.stderr.write(`pulmo ${command}: ${e instanceof UsageError ? e.message : toApiError(e).message}\n`)
    return e instanceof UsageError ? 2 : 1
  } finally {
    if (!keepOpen) service.close()
  }
}
