/**
 * The CT-series commands for a volume given by path: `pulmo segment` of a volume, `pulmo score` and
 * `pulmo report`. INPUT is a DICOM folder or a NIfTI (or NRRD, MetaImage) file; they run the tensor
 * engine in this process, like the research commands, after the same chest-CT check and with the
 * same model selection as the workstation. An imported series (its id) goes through the service:
 * see storedSeriesCommands.ts.
 */
import { finalPattern, type CtPattern } from '../../shared/ctPattern'
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, renameSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { CTSS_MAX, CTSS_SEVERE_THRESHOLD, LOBAR_MAX } from '../../shared/severityScoring'
import { engineInfo } from '../ml/engine'
import { isInfNet } from '../ml/inference/segmentSlices'
import { modelInputWindow, modelTestTimeFlip } from '../ml/inference/preprocess'
import { loadNetwork, readModelCard, type InfNetNetwork, type MultiClassNetwork } from '../ml/models/infnet'
import { buildKeyImages, keyImagesLine, type ReportInput, type PatientInfo, type SeriesInfo, type StudyInfo } from '../report'
import { checkChestCt } from '../analysis/chestCtCheck'
import { CONSOLIDATION_MIN_HU } from '../analysis/infectionDensity'
import { severitySummary } from '../scores/severitySummary'
import { analyseVolume, type VolumeAnalysis } from '../analysis/volumeAnalysis'
import { resolveDataDir, selectModels } from '../services'
import { openCliService } from './cliService'
import { readVolumes, writeVolume } from '../volume'
import type { SeriesMetadata, Volume } from '../volume/volume'
import type { CommandIo } from './research'

export interface VolumeCommandOptions {
  input: string
  dataDir?: string
  model?: string
  multiclassModel?: string
  batchSize?: number
  /** horizontal-flip test-time augmentation; by default what the infection model's card says */
  flip?: boolean
  /**
   * the compute engine starting (startEngine): awaited before the models load, so it comes up
   * while the series is read and its lungs are found (its wasm compiles off the main thread)
   */
  engine?: Promise<void>
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
  /** who and what, for de-identification */
  identity: SeriesMetadata
}

/** 2D PNG/JPEG input keeps `pulmo segment`'s per-image behaviour; everything else is a series. */
export function isImageInput(input: string): boolean {
  if (/^\d+$/.test(input) && !existsSync(input)) return false
  if (!existsSync(input)) return /\.(png|jpe?g)$/i.test(input)
  if (!statSync(input).isDirectory()) return /\.(png|jpe?g)$/i.test(input)
  return readdirSync(input).some((f) => /\.(png|jpe?g)$/i.test(f))
}

async function loadSeries(input: string, dataDir: string | undefined, io: CommandIo): Promise<LoadedSeries> {
  if (/^\d+$/.test(input) && !existsSync(input)) {
    // `pulmo segment SERIES_ID` reads the imported volume through the service and stores nothing.
    const service = openCliService(dataDir)
    try {
      const volume = await service.studies.volume(Number(input))
      const source = `series ${input} in ${service.dataDir}`
      return {
        volume,
        source,
        identity: { patientName: '', patientId: '', studyInstanceUid: source, seriesInstanceUid: source },
        patient: { name: '', id: '' },
        study: {},
        series: { dimensions: volume.dimensions, spacing: volume.spacing }
      }
    } finally {
      service.close()
    }
  }
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

function modelRef(dir: string): ModelRef {
  const card = readModelCard(dir)
  return { name: card?.name ?? basename(dir), version: card?.version ?? 'unversioned', dir }
}

/**
 * The models the workstation would use (see selectModels: named, else the data folder's active
 * model, else the bundled one); the data folder is only read when it exists.
 */
function loadModels(
  o: VolumeCommandOptions,
  io: CommandIo
): { infection: InfNetNetwork; multiclass?: MultiClassNetwork; refs: { infection: ModelRef; multiclass?: ModelRef } } {
  const dataDir = resolveDataDir(o.dataDir)
  const service = existsSync(join(dataDir, 'pulmo.sqlite')) ? openCliService(dataDir) : undefined
  let selection: ReturnType<typeof selectModels>
  try {
    selection = selectModels(service?.store, { infectionDir: o.model, multiclassDir: o.multiclassModel })
  } finally {
    service?.close()
  }
  const infectionDir = selection.infection.dir
  const infection = loadNetwork(infectionDir)
  if (!isInfNet(infection))
    throw new Error(`${infectionDir} holds a ${infection.config.architecture} network, not single-class Inf-Net`)
  if (!selection.multiclass) {
    io.log(`No multi-class model; ground glass and consolidation are told apart by density (consolidation ≥ ${CONSOLIDATION_MIN_HU} HU).`)
    return { infection, refs: { infection: modelRef(infectionDir) } }
  }
  const multiclassDir = selection.multiclass.dir
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
  /** the chest-CT check's warnings */
  warnings: string[]
}

async function analyse(o: VolumeCommandOptions & { reference?: string }, io: CommandIo): Promise<Analysed> {
  const series = await loadSeries(o.input, o.dataDir, io)
  const [nx, ny, nz] = series.volume.dimensions
  io.log(`${series.source}: ${nx}×${ny}×${nz} ${series.volume.unit}`)
  // Refused (NotChestCtError, naming the reason) before any model is loaded.
  const check = checkChestCt(series.volume)
  for (const warning of check.warnings) io.log(`Warning: ${warning}`)
  const referenceInfection = o.reference ? await readReference(o.reference, series.volume) : undefined
  await o.engine
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
      lungs: check.lungs,
      inputWindow: modelInputWindow(readModelCard(refs.infection.dir)),
      batchSize: o.batchSize,
      flip: o.flip ?? modelTestTimeFlip(readModelCard(refs.infection.dir)),
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
        `inference ${(t.inferenceMs / 1000).toFixed(1)} s on ${t.slicesInferred}/${t.slices} slices, lobes ${(t.lobesMs / 1000).toFixed(1)} s, scores ${(t.scoringMs / 1000).toFixed(1)} s`
    )
    return { series, analysis, models: refs, warnings: check.warnings }
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
    lobeSegmentation: lobeFitSummary(a.analysis),
    infectionTyping: a.models.multiclass ? 'multiclass' : `density (consolidation ≥ ${CONSOLIDATION_MIN_HU} HU)`,
    backend: engineInfo()?.backend ?? null,
    timing: {
      totalSeconds: seconds(t.totalMs),
      lungsSeconds: seconds(t.lungsMs),
      inferenceSeconds: seconds(t.inferenceMs),
      lobesSeconds: seconds(t.lobesMs),
      scoringSeconds: seconds(t.scoringMs),
      slices: t.slices,
      slicesInferred: t.slicesInferred
    }
  }
}

/** How the lobes were found: the fissure fit per fissure (evidence columns kept, mean distance). */
function lobeFitSummary(analysis: VolumeAnalysis): Record<string, unknown> {
  const { lobes } = analysis
  return {
    method: lobes.fitted ? 'fissure shape model fitted to the CT (CIP lobe atlas)' : 'fissure shape model, atlas mean (no HU volume to fit)',
    fissures: lobes.fissures.map((f) => ({
      id: f.id,
      evidenceColumns: f.evidenceColumns,
      searchedColumns: f.searchedColumns,
      meanDistanceMm: Number.isFinite(f.meanDistanceMm) ? Math.round(f.meanDistanceMm * 100) / 100 : null
    }))
  }
}

function labelVolume(volume: Volume, data: Uint8Array): Volume {
  const { dimensions, spacing, origin, direction } = volume
  return { data, dimensions, spacing, origin, direction, modality: 'OT', unit: 'label' }
}

/** `pulmo segment VOLUME --out DIR`: lungs, infection, labels, lobes and regions as NIfTI, and summary.json. */
export async function segmentVolumeCommand(o: VolumeCommandOptions & { out: string }, io: CommandIo): Promise<void> {
  const a = await analyse(o, io)
  const out = resolve(o.out)
  mkdirSync(out, { recursive: true })
  const { inference } = a.analysis
  const files = {
    lungs: join(out, 'lungs.nii.gz'),
    infection: join(out, 'infection.nii.gz'),
    labels: join(out, 'labels.nii.gz'),
    lobes: join(out, 'lobes.nii.gz'),
    regions: join(out, 'regions.nii.gz'),
    summary: join(out, 'summary.json')
  }
  await writeVolume(files.lungs, labelVolume(a.series.volume, inference.lungs.labels))
  await writeVolume(files.infection, labelVolume(a.series.volume, inference.infection))
  await writeVolume(files.labels, labelVolume(a.series.volume, inference.labels))
  await writeVolume(files.lobes, labelVolume(a.series.volume, a.analysis.lobes.labels))
  await writeVolume(files.regions, labelVolume(a.series.volume, a.analysis.regionLabels))
  const summary = { input: a.series.source, ...runInfo(a), warnings: a.warnings, scores: severitySummary(a.analysis.report), pattern: patternJson(a.analysis.pattern), files }
  writeFileSync(files.summary + '.partial', JSON.stringify(summary, null, 2) + '\n')
  renameSync(files.summary + '.partial', files.summary)
  io.print(
    `Wrote lungs.nii.gz (1 right, 2 left), infection.nii.gz, labels.nii.gz (1 ground glass, 2 consolidation), ` +
      `lobes.nii.gz (1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL), regions.nii.gz (1–10 R1–R10, 11–20 L1–L10) and summary.json to ${out}`
  )
}

/** The CT pattern as `pulmo score --json` and summary.json carry it: Pulmo's proposal (no radiologist has seen a path's scan). */
function patternJson(p: CtPattern): CtPattern & { source: 'pulmo' } {
  return { ...p, source: 'pulmo' }
}

/** `pulmo score INPUT [--reference MASK] [--json]`. */
export async function scoreCommand(
  o: VolumeCommandOptions & { reference?: string; json: boolean },
  io: CommandIo
): Promise<void> {
  const a = await analyse(o, io)
  const summary = severitySummary(a.analysis.report)
  if (o.json) {
    io.print(JSON.stringify({ ...summary, pattern: patternJson(a.analysis.pattern), warnings: a.warnings, ...runInfo(a) }, null, 2))
    return
  }
  const pattern = a.analysis.pattern
  const pct = (x: number): string => `${x.toFixed(2)} %`
  const lines = [
    ...a.warnings.map((w) => `Warning: ${w}`),
    `Lung volume       ${summary.lungVolumeMl.toFixed(0)} mL`,
    `Infected          ${summary.infectedVolumeMl.toFixed(1)} mL (ground glass ${summary.ggoVolumeMl.toFixed(1)}, consolidation ${summary.consolidationVolumeMl.toFixed(1)})`,
    `Percent infected  ${pct(summary.percentInfected.total)} (right ${pct(summary.percentInfected.right)}, left ${pct(summary.percentInfected.left)})`,
    `CT-SS             ${summary.ctss.total} / ${CTSS_MAX}${summary.ctss.severe ? ` (severe, > ${CTSS_SEVERE_THRESHOLD})` : ''}`,
    `Lobar score       ${summary.lobar.total} / ${LOBAR_MAX} (${summary.lobar.lobes.map((l) => `${l.id} ${l.score}`).join(', ')})`,
    `Severity          ${summary.severity}`,
    `Infection present ${summary.infectionPresent ? 'yes' : 'no'} (threshold ${summary.infectionPresentPercent} %)`,
    `CT pattern        RSNA ${pattern.rsna}, CO-RADS ${pattern.coRads} (proposed): ${pattern.evidence}`,
    ...(summary.dice !== undefined ? [`Dice              ${summary.dice.toFixed(4)}`] : []),
    'Regions:',
    ...summary.ctss.regions.map(
      (r) => `  ${r.id.padEnd(4)} ${r.name.padEnd(18)} ${pct(r.percent).padStart(9)}  ${r.score}`
    )
  ]
  io.print(lines.join('\n'))
}

/**
 * `pulmo report PATH --pdf FILE`: the automatic report of a volume given by path, de-identified
 * unless `identified`; the service de-identifies, writes and audits the export.
 */
export async function reportCommand(o: VolumeCommandOptions & { pdf: string; identified?: boolean }, io: CommandIo): Promise<void> {
  const a = await analyse(o, io)
  const { volume } = a.series
  const pdf = resolve(o.pdf)
  const input: ReportInput = {
    patient: a.series.patient,
    study: a.series.study,
    series: a.series.series,
    severity: a.analysis.report,
    pattern: { proposed: a.analysis.pattern, final: finalPattern(a.analysis.pattern, null) },
    edits: [],
    keyImages: buildKeyImages(volume, a.analysis.inference.labels, { lungLabels: a.analysis.inference.lungs.labels }),
    model: a.models.infection,
    multiclassModel: a.models.multiclass,
    findings: '',
    impression: '',
    generatedAt: new Date(),
    warnings: a.warnings
  }
  const service = openCliService(o.dataDir)
  try {
    const deidentified = o.identified !== true
    await service.reports.exportUnstored(input, a.series.identity, pdf, { identified: o.identified === true, source: a.series.source })
    io.print(`Wrote ${pdf} (${deidentified ? 'de-identified' : 'with patient identity'})`)
    io.print(keyImagesLine(input.keyImages))
  } finally {
    service.close()
  }
}
