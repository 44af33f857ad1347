/**
 * The CT-series commands: `pulmo segment` of a volume, `pulmo score` and `pulmo report`. INPUT is a
 * DICOM folder, a NIfTI (or NRRD, MetaImage) file, or the id of a series imported into the data
 * folder. They run the tensor engine in this process, like the research commands.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, renameSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { engineInfo } from '../ml/engine'
import { defaultModelDir } from '../ml/defaultModel'
import { isInfNet } from '../ml/inference/segmentSlices'
import { loadNetwork, readModelCard, type InfNetNetwork, type MultiClassNetwork } from '../ml/models/infnet'
import { openStore } from '../db'
import {
  buildKeyImages,
  keyImagesLine,
  writeReportPdf,
  type ReportInput,
  type PatientInfo,
  type RegionScoreEdit,
  type SeriesInfo,
  type StudyInfo
} from '../report'
import { CTSS_REGION_RULES } from '../severity/regionRules'
import { CONSOLIDATION_MIN_HU } from '../severity/infectionDensity'
import { severitySummary } from '../severity/severitySummary'
import { analyseVolume, type VolumeAnalysis } from '../severity/volumeAnalysis'
import { PulmoService, resolveDataDir } from '../services'
import { deidentifyReportInput, pseudonymKeys, storedSeriesMetadata } from '../services/privacy'
import { SettingsService } from '../services/settings'
import { readVolumes, writeVolume } from '../volume'
import type { SeriesMetadata, Volume } from '../volume/volume'
import type { CommandIo } from './research'

export interface VolumeCommandOptions {
  input: string
  dataDir?: string
  model?: string
  multiclassModel?: string
  batchSize?: number
}

interface ModelRef {
  name: string
  version: string
  dir: string
}

/** A series with what the report header says about it. */
interface LoadedSeries {
  volume: Volume
  source: string
  patient: PatientInfo
  study: StudyInfo
  series: SeriesInfo
  /** who and what, for de-identification; `seriesId` when the series is an imported one */
  identity: SeriesMetadata
  seriesId?: number
  /** the radiologist's work stored with an imported series */
  stored?: { edits: RegionScoreEdit[]; findings: string; impression: string; signedBy?: string; signedAt?: string }
}

/** 2D PNG/JPEG input keeps `pulmo segment`'s per-image behaviour; everything else is a series. */
export function isImageInput(input: string): boolean {
  if (/^\d+$/.test(input) && !existsSync(input)) return false
  if (!existsSync(input)) return /\.(png|jpe?g)$/i.test(input)
  if (!statSync(input).isDirectory()) return /\.(png|jpe?g)$/i.test(input)
  return readdirSync(input).some((f) => /\.(png|jpe?g)$/i.test(f))
}

async function loadSeries(input: string, dataDir: string | undefined, io: CommandIo): Promise<LoadedSeries> {
  if (/^\d+$/.test(input) && !existsSync(input)) return loadImportedSeries(Number(input), dataDir)
  const path = resolve(input)
  const volumes = (await readVolumes([path])).filter((v) => v.unit === 'HU' || v.unit === 'grey')
  if (volumes.length === 0) throw new Error(`${input} holds no CT series (only masks or labels)`)
  // A folder may hold a scout or a second reconstruction: the series with most slices is the CT.
  const volume = volumes.reduce((a, b) => (b.dimensions[2] > a.dimensions[2] ? b : a))
  if (volumes.length > 1)
    io.log(`${input} holds ${volumes.length} series; using the one with ${volume.dimensions[2]} slices`)
  const m = volume.metadata
  return {
    volume,
    source: path,
    identity: m ?? { patientName: basename(path), patientId: '', studyInstanceUid: path, seriesInstanceUid: path },
    patient: {
      name: m?.patientName || basename(path),
      id: m?.patientId ?? '',
      birthDate: m?.patientBirthDate,
      sex: m?.patientSex
    },
    study: { date: m?.studyDate, description: m?.studyDescription, accessionNumber: m?.accessionNumber },
    series: {
      number: m?.seriesNumber,
      description: m?.seriesDescription,
      dimensions: volume.dimensions,
      spacing: volume.spacing
    }
  }
}

async function loadImportedSeries(seriesId: number, dataDir: string | undefined): Promise<LoadedSeries> {
  const service = new PulmoService({ dataDir, transport: 'websocket' })
  try {
    const volume = await service.studies.volume(seriesId)
    const row = service.studies.seriesRow(seriesId)
    const study = service.store.studies.study(row.studyRef)
    const patient = study ? service.store.studies.patient(study.patientRef) : undefined
    const report = service.store.reports.latestForSeries(seriesId)
    return {
      volume,
      source: `series ${seriesId} in ${service.dataDir}`,
      identity: storedSeriesMetadata(service.store, row),
      seriesId,
      patient: {
        name: patient?.name ?? '',
        id: patient?.patientId ?? '',
        birthDate: patient?.birthDate ?? undefined,
        sex: patient?.sex ?? undefined
      },
      study: { date: study?.studyDate, description: study?.description, accessionNumber: study?.accessionNumber },
      series: {
        number: row.seriesNumber ?? undefined,
        description: row.description,
        dimensions: volume.dimensions,
        spacing: volume.spacing
      },
      ...(report
        ? {
            stored: {
              edits: report.edits.filter(isRegionScoreEdit),
              findings: report.findings,
              impression: report.impression,
              signedBy: report.signedBy ?? undefined,
              signedAt: report.signedAt ?? undefined
            }
          }
        : {})
    }
  } finally {
    service.close()
  }
}

/** The stored edits are JSON written by the workstation: keep only well-formed region score edits. */
function isRegionScoreEdit(x: unknown): x is RegionScoreEdit {
  if (typeof x !== 'object' || x === null) return false
  const e = x as Record<string, unknown>
  return (
    CTSS_REGION_RULES.some((r) => r.id === e.regionId) &&
    typeof e.score === 'number' &&
    typeof e.by === 'string' &&
    typeof e.at === 'string'
  )
}

function modelRef(dir: string): ModelRef {
  const card = readModelCard(dir)
  return { name: card?.name ?? basename(dir), version: card?.version ?? 'unversioned', dir }
}

/**
 * The named models, or the bundled defaults. A missing infection model is an error that says which
 * folder was looked at; a missing default multi-class model only means the density rule types the
 * infection.
 */
function loadModels(
  o: VolumeCommandOptions,
  io: CommandIo
): { infection: InfNetNetwork; multiclass?: MultiClassNetwork; refs: { infection: ModelRef; multiclass?: ModelRef } } {
  const infectionDir = o.model ? resolve(o.model) : defaultModelDir('infection')
  if (!existsSync(join(infectionDir, 'model.json'))) {
    throw new Error(
      o.model
        ? `No model in ${infectionDir} (model.json missing)`
        : `The default infection model is not installed (${join(infectionDir, 'model.json')} is missing). ` +
            'Train one with `pulmo train`, or name one with --model MODEL_DIR.'
    )
  }
  const infection = loadNetwork(infectionDir)
  if (!isInfNet(infection))
    throw new Error(`${infectionDir} holds a ${infection.config.architecture} network, not single-class Inf-Net`)
  const multiclassDir = o.multiclassModel ? resolve(o.multiclassModel) : defaultModelDir('multiclass')
  if (!existsSync(join(multiclassDir, 'model.json'))) {
    if (o.multiclassModel) throw new Error(`No model in ${multiclassDir} (model.json missing)`)
    io.log(
      `No multi-class model (${multiclassDir}); ground glass and consolidation are told apart by density (consolidation ≥ ${CONSOLIDATION_MIN_HU} HU).`
    )
    return { infection, refs: { infection: modelRef(infectionDir) } }
  }
  const multiclass = loadNetwork(multiclassDir)
  if (isInfNet(multiclass))
    throw new Error(`${multiclassDir} holds a single-class Inf-Net, not the multi-class network`)
  return { infection, multiclass, refs: { infection: modelRef(infectionDir), multiclass: modelRef(multiclassDir) } }
}

async function readReference(path: string, volume: Volume): Promise<Volume['data']> {
  const [reference] = await readVolumes([resolve(path)])
  const same = reference.dimensions.every((n, a) => n === volume.dimensions[a])
  if (!same)
    throw new Error(
      `--reference ${path} is ${reference.dimensions.join('×')}, the series ${volume.dimensions.join('×')}`
    )
  return reference.data
}

interface Analysed {
  series: LoadedSeries
  analysis: VolumeAnalysis
  models: { infection: ModelRef; multiclass?: ModelRef }
}

async function analyse(o: VolumeCommandOptions & { reference?: string }, io: CommandIo): Promise<Analysed> {
  const series = await loadSeries(o.input, o.dataDir, io)
  const [nx, ny, nz] = series.volume.dimensions
  io.log(`${series.source}: ${nx}×${ny}×${nz} ${series.volume.unit}`)
  const referenceInfection = o.reference ? await readReference(o.reference, series.volume) : undefined
  const { infection, multiclass, refs } = loadModels(o, io)
  let cancelled = false
  const cancel = (): void => {
    io.log('Cancelling after this batch…')
    cancelled = true
  }
  process.once('SIGINT', cancel)
  const started = performance.now()
  try {
    const analysis = await analyseVolume(series.volume, {
      infection,
      multiclass,
      batchSize: o.batchSize,
      referenceInfection,
      cancelled: () => cancelled,
      onProgress: (done, total, label) => {
        const seconds = ((performance.now() - started) / 1000).toFixed(1)
        if (label === 'lungs') io.log(done === 0 ? 'segmenting the lungs…' : `lungs done (${seconds} s)`)
        else io.log(`${label} ${done}/${total} slices (${seconds} s)`)
      }
    })
    const t = analysis.timing
    io.log(
      `done in ${(t.totalMs / 1000).toFixed(1)} s: lungs ${(t.lungsMs / 1000).toFixed(1)} s, ` +
        `inference ${(t.inferenceMs / 1000).toFixed(1)} s on ${t.slicesInferred}/${t.slices} slices, scores ${(t.scoringMs / 1000).toFixed(1)} s`
    )
    return { series, analysis, models: refs }
  } finally {
    process.removeListener('SIGINT', cancel)
    infection.dispose()
    multiclass?.dispose()
  }
}

function runInfo(a: Analysed): Record<string, unknown> {
  const t = a.analysis.timing
  const seconds = (ms: number): number => Math.round(ms) / 1000
  return {
    model: { name: a.models.infection.name, version: a.models.infection.version, dir: a.models.infection.dir },
    multiclassModel: a.models.multiclass ?? null,
    infectionTyping: a.models.multiclass ? 'multiclass' : `density (consolidation ≥ ${CONSOLIDATION_MIN_HU} HU)`,
    backend: engineInfo()?.backend ?? null,
    timing: {
      totalSeconds: seconds(t.totalMs),
      lungsSeconds: seconds(t.lungsMs),
      inferenceSeconds: seconds(t.inferenceMs),
      scoringSeconds: seconds(t.scoringMs),
      slices: t.slices,
      slicesInferred: t.slicesInferred
    }
  }
}

function labelVolume(volume: Volume, data: Uint8Array): Volume {
  const { dimensions, spacing, origin, direction } = volume
  return { data, dimensions, spacing, origin, direction, modality: 'OT', unit: 'label' }
}

/** `pulmo segment VOLUME --out DIR`: lungs, infection and labels as NIfTI, and summary.json. */
export async function segmentVolumeCommand(o: VolumeCommandOptions & { out: string }, io: CommandIo): Promise<void> {
  const a = await analyse(o, io)
  const out = resolve(o.out)
  mkdirSync(out, { recursive: true })
  const { inference } = a.analysis
  const files = {
    lungs: join(out, 'lungs.nii.gz'),
    infection: join(out, 'infection.nii.gz'),
    labels: join(out, 'labels.nii.gz'),
    summary: join(out, 'summary.json')
  }
  await writeVolume(files.lungs, labelVolume(a.series.volume, inference.lungs.labels))
  await writeVolume(files.infection, labelVolume(a.series.volume, inference.infection))
  await writeVolume(files.labels, labelVolume(a.series.volume, inference.labels))
  const summary = { input: a.series.source, ...runInfo(a), scores: severitySummary(a.analysis.report), files }
  writeFileSync(files.summary + '.partial', JSON.stringify(summary, null, 2) + '\n')
  renameSync(files.summary + '.partial', files.summary)
  io.print(
    `Wrote lungs.nii.gz (1 right, 2 left), infection.nii.gz, labels.nii.gz (1 ground glass, 2 consolidation) and summary.json to ${out}`
  )
}

/** `pulmo score INPUT [--reference MASK] [--json]`. */
export async function scoreCommand(
  o: VolumeCommandOptions & { reference?: string; json: boolean },
  io: CommandIo
): Promise<void> {
  const a = await analyse(o, io)
  const summary = severitySummary(a.analysis.report)
  if (o.json) {
    io.print(JSON.stringify({ ...summary, ...runInfo(a) }, null, 2))
    return
  }
  const pct = (x: number): string => `${x.toFixed(2)} %`
  const lines = [
    `Lung volume       ${summary.lungVolumeMl.toFixed(0)} mL`,
    `Infected          ${summary.infectedVolumeMl.toFixed(1)} mL (ground glass ${summary.ggoVolumeMl.toFixed(1)}, consolidation ${summary.consolidationVolumeMl.toFixed(1)})`,
    `Percent infected  ${pct(summary.percentInfected.total)} (right ${pct(summary.percentInfected.right)}, left ${pct(summary.percentInfected.left)})`,
    `CT-SS             ${summary.ctss.total} / 40${summary.ctss.severe ? ' (severe, > 19.5)' : ''}`,
    `Lobar score       ${summary.lobar.total} / 25 (${summary.lobar.lobes.map((l) => `${l.id} ${l.score}`).join(', ')})`,
    `Severity          ${summary.severity}`,
    `Infection present ${summary.infectionPresent ? 'yes' : 'no'} (threshold ${summary.infectionPresentPercent} %)`,
    ...(summary.dice !== undefined ? [`Dice              ${summary.dice.toFixed(4)}`] : []),
    'Regions:',
    ...summary.ctss.regions.map(
      (r) => `  ${r.id.padEnd(4)} ${r.name.padEnd(18)} ${pct(r.percent).padStart(9)}  ${r.score}`
    )
  ]
  io.print(lines.join('\n'))
}

/** `pulmo report INPUT --pdf FILE`: the automatic report, with the stored edits and sign-off of an imported series. */
/** The report PDF, de-identified unless `identified`; the export is written to the audit log. */
export async function reportCommand(o: VolumeCommandOptions & { pdf: string; identified?: boolean }, io: CommandIo): Promise<void> {
  const a = await analyse(o, io)
  const { volume } = a.series
  const stored = a.series.stored
  const pdf = resolve(o.pdf)
  const input: ReportInput = {
    patient: a.series.patient,
    study: a.series.study,
    series: a.series.series,
    severity: a.analysis.report,
    edits: stored?.edits ?? [],
    keyImages: buildKeyImages(volume, a.analysis.inference.labels, { lungLabels: a.analysis.inference.lungs.labels }),
    model: a.models.infection,
    multiclassModel: a.models.multiclass,
    findings: stored?.findings ?? '',
    impression: stored?.impression ?? '',
    signedBy: stored?.signedBy,
    signedAt: stored?.signedAt
  }
  const dataDir = resolveDataDir(o.dataDir)
  mkdirSync(dataDir, { recursive: true })
  const store = openStore(join(dataDir, 'pulmo.sqlite'))
  try {
    const deidentified = o.identified !== true
    const shared = deidentified ? deidentifyReportInput(input, a.series.identity, pseudonymKeys(store)) : input
    await writeReportPdf(pdf, shared)
    const actor = new SettingsService({ store, dataDir }).get().userName
    store.audit.record(actor, 'export', 'series', a.series.seriesId ?? null, {
      format: 'pdf',
      deidentified,
      path: pdf,
      ...(a.series.seriesId === undefined ? { source: a.series.source } : {}),
      ...(deidentified ? { pseudonym: shared.patient.id } : {})
    })
    io.print(`Wrote ${pdf} (${deidentified ? 'de-identified' : 'with patient identity'})`)
    io.print(keyImagesLine(input.keyImages))
  } finally {
    store.close()
  }
}
