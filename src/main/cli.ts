/**
 * `pulmo`: the command line. Every command goes through the same service as the workstation.
 * Errors go to stderr with exit code 1 (2 for a usage error).
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { AuditEntry, StudySummary } from '../shared/api'
import { segmentMultiClassCommand, trainMultiClassCommand } from './cli/multiClassCommands'
import { METHOD_COMMANDS, methodCommand, methodUsage } from './cli/experimentCommands'
import { stopOnSignal } from './cli/stopOnSignal'
import { pacsCommand, PacsUsageError, pacsUsage } from './cli/pacsCommands'
import { evaluateCommand, segmentImagesCommand, startEngine, trainCommand } from './cli/research'
import { isImageInput, reportCommand, scoreCommand, segmentVolumeCommand } from './cli/volumeCommands'
import { compareCommand } from './cli/compareCommand'
import { isStoredSeriesInput, reportStoredSeries, scoreStoredSeries } from './cli/storedSeriesCommands'
import { existsSync } from 'node:fs'
import { setEnvBackend } from './env'
import { startServer } from './server'
import { PulmoService, toApiError } from './services'

const usage = `Usage: pulmo <command> [options]

Commands:
  import PATH...                 import DICOM folders/files, NIfTI, NRRD, MetaImage, PNG/JPG slices
  studies [--json] [--query Q]   list the studies and their series
  export SERIES_ID --out PATH [--format nifti|dicom] [--identified]
                                 write a series as .nii/.nii.gz, or as a new folder of DICOM files;
                                 de-identified (pseudonym, shifted dates) unless --identified
  serve [--port N] [--host H]    serve the workstation on http://127.0.0.1 (token printed at start)
  train --data DIR --out MODEL_DIR [--backbone lite|res2net50] [--epochs N] [--folds K --fold I]
        [--input-size N] [--batch-size N] [--lr X] [--decay-epoch N] [--scales 0.75,1,1.25]
        [--checkpoint-every N]
        [--init MODEL_DIR] [--resume]
                                 train single-class Inf-Net on DIR/images, masks, edges
  train-multiclass --data DIR --out MODEL_DIR --prior INFNET_DIR [--epochs N] [--input-size N]
        [--batch-size N] [--lr X] [--decay-epoch N] [--folds K --fold I] [--checkpoint-every N]
        [--base-filters N] [--augment] [--init MODEL_DIR] [--resume]
                                 train multi-class Inf-Net (U-Net on slice + the prior's infection
                                 map) on DIR/images and masks-multiclass
  segment INPUT --out DIR [--model MODEL_DIR]
                                 2D slices (a PNG/JPEG file or folder): one 8-bit probability map each
  segment INPUT --out DIR --multiclass [--model MULTICLASS_DIR] [--prior-model INFNET_DIR]
                                 2D slices: one 8-bit label map each (0 background, 1 ground-glass,
                                 2 consolidation)
  segment SERIES --out DIR [--model MODEL_DIR] [--multiclass-model MODEL_DIR]
                                 a CT series (DICOM folder, NIfTI file or imported series id): writes
                                 lungs.nii.gz, infection.nii.gz, labels.nii.gz and summary.json
  score SERIES [--reference MASK] [--json]
                                 infected volumes, CT-SS (20 regions), lobar score, severity
                                 (Dice against the reference infection mask when given)
  report SERIES --pdf FILE [--identified]
                                 the severity report as PDF, de-identified unless --identified
  compare SERIES_A SERIES_B [--json]
                                 how the lungs changed between two analysed series of one patient
                                 (earlier → later): volumes, % infected per lung and lobe, CT-SS,
                                 lobar score, improved / stable / worse
  audit [--json] [--entity E] [--id N] [--limit N]
                                 who viewed, edited, signed, exported, imported, deleted what
${pacsUsage}${methodUsage}  evaluate --pred DIR --gt DIR [--json]
  evaluate --model MODEL_DIR --images DIR --gt DIR [--json]
                                 Inf-Net's protocol: Dice, sensitivity, specificity, S/E-measure, MAE

Options:
  --data-dir DIR                 data folder (default: PULMO_DATA_DIR or the per-user app data folder)
  --backend NAME                 auto | tensorflow | wasm | cpu (default: PULMO_BACKEND or auto)
  -h, --help                     this text
`

class UsageError extends Error {}

function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n')
}

function studyTable(studies: StudySummary[]): string {
  const rows = [['STUDY', 'PATIENT', 'PATIENT ID', 'DATE', 'DESCRIPTION', 'SERIES', 'MODALITY', 'SIZE', 'SPACING (mm)']]
  for (const s of studies) {
    for (const x of s.series) {
      rows.push([
        String(s.id),
        s.patientName,
        s.patientId,
        s.studyDate,
        s.description,
        String(x.id),
        x.modality,
        `${x.columns}×${x.rows}×${x.slices}`,
        x.spacing.map((v) => +v.toFixed(4)).join(' × ')
      ])
    }
  }
  return formatTable(rows)
}

function auditTable(entries: AuditEntry[]): string {
  const rows = entries.map((e) => [
    e.at.slice(0, 19).replace('T', ' '),
    e.actor,
    e.action,
    e.entityId === null ? e.entity : `${e.entity} ${e.entityId}`,
    Object.entries(e.detail)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ')
  ])
  return formatTable([['when (UTC)', 'who', 'action', 'what', 'detail'], ...rows])
}

/** The studies as `pulmo studies --json` prints them: a stable, documented shape. */
function studiesJson(studies: StudySummary[]): unknown {
  return studies.map((s) => ({
    id: s.id,
    patientName: s.patientName,
    patientId: s.patientId,
    studyDate: s.studyDate,
    description: s.description,
    status: s.status,
    series: s.series.map((x) => ({
      id: x.id,
      description: x.description,
      modality: x.modality,
      rows: x.rows,
      columns: x.columns,
      slices: x.slices,
      spacing: x.spacing
    }))
  }))
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(usage)
    return command ? 0 : 2
  }
  if ((METHOD_COMMANDS as readonly string[]).includes(command)) {
    const io = { print: (l: string) => void process.stdout.write(l + '\n'), log: (l: string) => void process.stderr.write(l + '\n') }
    try {
      return await methodCommand(command as (typeof METHOD_COMMANDS)[number], rest, io)
    } catch (e) {
      io.log(`pulmo ${command}: ${e instanceof Error ? e.message : String(e)}`)
      return e instanceof TypeError && 'code' in e ? 2 : 1
    }
  }
  if (command === 'pacs') {
    const io = { print: (l: string) => void process.stdout.write(l + '\n'), log: (l: string) => void process.stderr.write(l + '\n') }
    try {
      return await pacsCommand(rest, io)
    } catch (e) {
      io.log(`pulmo pacs: ${e instanceof PacsUsageError || (e instanceof TypeError && 'code' in e) ? e.message : toApiError(e).message}`)
      return e instanceof PacsUsageError || (e instanceof TypeError && 'code' in e) ? 2 : 1
    }
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      query: { type: 'string' },
      out: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      backend: { type: 'string' },
      data: { type: 'string' },
      backbone: { type: 'string' },
      epochs: { type: 'string' },
      folds: { type: 'string' },
      fold: { type: 'string' },
      'input-size': { type: 'string' },
      'batch-size': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      init: { type: 'string' },
      lr: { type: 'string' },
      'decay-epoch': { type: 'string' },
      scales: { type: 'string' },
      resume: { type: 'boolean', default: false },
      model: { type: 'string' },
      pred: { type: 'string' },
      gt: { type: 'string' },
      images: { type: 'string' },
      'multiclass-model': { type: 'string' },
      multiclass: { type: 'boolean', default: false },
      prior: { type: 'string' },
      'prior-model': { type: 'string' },
      'base-filters': { type: 'string' },
      augment: { type: 'boolean', default: false },
      reference: { type: 'string' },
      pdf: { type: 'string' },
      format: { type: 'string' },
      identified: { type: 'boolean', default: false },
      entity: { type: 'string' },
      id: { type: 'string' },
      limit: { type: 'string' }
    }
  })
  if (values.help) {
    process.stdout.write(usage)
    return 0
  }
  const print = (text: string): boolean => process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  const io = { print: (l: string) => void print(l), log: (l: string) => void process.stderr.write(l + '\n') }
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got ${v}`)
    return n
  }
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
        const service = new PulmoService({ dataDir: values['data-dir'], transport: 'websocket', modelDir: values.model && resolve(values.model) })
        try {
          const seriesId = Number(positionals[0])
          if (command === 'score') await scoreStoredSeries(service, seriesId, values.json ?? false, io)
          else await reportStoredSeries(service, seriesId, values.pdf ?? '', values.identified ?? false, io)
        } finally {
          await service.shutdown()
        }
        return 0
      }
      await startEngine(values.backend, io)
      const common = {
        input: positionals[0],
        dataDir: values['data-dir'],
        model: values.model,
        multiclassModel: values['multiclass-model'],
        batchSize: int('batch-size', values['batch-size'])
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
        } else await segmentImagesCommand({ input: resolve(positionals[0]), out: resolve(values.out), model: values.model && resolve(values.model) }, io)
      } else {
        if (!values.gt) throw new UsageError('pulmo evaluate needs --gt DIR')
        const summary = await evaluateCommand(
          { pred: values.pred && resolve(values.pred), gt: resolve(values.gt), model: values.model && resolve(values.model), images: values.images && resolve(values.images) },
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
  const service = new PulmoService({ dataDir: values['data-dir'], transport: 'websocket' })
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
        throw new UsageError(`Unknown command "${command}".\n\n${usage}`)
    }
  } catch (e) {
    process.stderr.write(`pulmo ${command}: ${e instanceof UsageError ? e.message : toApiError(e).message}\n`)
    return e instanceof UsageError ? 2 : 1
  } finally {
    if (!keepOpen) service.close()
  }
}
