import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { AugmentConfig } from '../ml/augment'
import { trainMultiClass, type MultiClassValidationReport } from './multiClass'
import type { TrainingEvent, ValidationReport } from './progress'
import { InpaintingConfig, pretrainInpainting, type InpaintingEvent } from './selfSupervised'
import { SemiSupervisedConfig, trainSemiSupervised } from './semiSupervised'
import { SupervisedConfig, trainSupervised } from './supervised'

/** Self-supervised pretraining of an experiment: the inpainting settings minus data and output. */
const PretrainSpec = InpaintingConfig.omit({ images: true, out: true, inputSize: true, architecture: true, backbone: true }).partial()

/** The Semi-Inf-Net settings of an experiment, minus what the experiment decides. */
const SemiSpec = SemiSupervisedConfig.omit({ supervised: true, unlabeled: true, teacher: true })
  .partial()
  .extend({
    /** A single-class configuration whose model of the same fold is the teacher (else one is trained). */
    teacherFrom: z.string().optional()
  })

const Configuration = z.object({
  name: z.string().min(1),
  /** Single-class Inf-Net, or multi-class Inf-Net (the U-Net with an infection prior). */
  kind: z.enum(['infnet', 'multiclass']).default('infnet'),
  /** Overrides of the shared supervised settings (epochs, learning rate, …). */
  train: SupervisedConfig.omit({ data: true, out: true, folds: true, fold: true }).partial().default({}),
  augment: AugmentConfig.partial().optional(),
  /** Self-supervised inpainting pretraining (coach or random masks) before segmentation training. */
  pretrain: PretrainSpec.optional(),
  /** Semi-Inf-Net: pseudo-labels of the unlabelled slices in groups. */
  semi: SemiSpec.optional(),
  /** Multi-class only: the single-class configuration whose model of the same fold gives the prior. */
  prior: z.string().optional()
})
export type ExperimentConfiguration = z.infer<typeof Configuration>

export const ExperimentFile = z.object({
  /** Labelled slices (images/, masks/, edges/, masks-multiclass/); relative paths are resolved from the file. */
  data: z.string(),
  /** Unlabelled slices for self-supervision and Semi-Inf-Net. */
  unlabeled: z.string().optional(),
  out: z.string(),
  folds: z.number().int().min(2).default(5),
  /** Settings every configuration starts from. */
  base: SupervisedConfig.omit({ data: true, out: true, folds: true, fold: true }).partial().default({}),
  /** Pretraining reads at most this many unlabelled slices (0 = all). */
  pretrainSlices: z.number().int().min(0).default(0),
  configurations: z.array(Configuration).min(1)
})
export type ExperimentFile = z.infer<typeof ExperimentFile>

/** One fold's figures: single-class (Inf-Net's protocol) or multi-class (Dice per class). */
export type FoldResult =
  | ({ fold: number; kind: 'infnet'; seconds: number } & Omit<ValidationReport, 'kind' | 'epoch'>)
  | ({ fold: number; kind: 'multiclass'; seconds: number } & Omit<MultiClassValidationReport, 'kind' | 'epoch'>)

export interface TableRow {
  name: string
  kind: 'infnet' | 'multiclass'
  folds: number
  /** Mean and standard deviation (n − 1) over folds of each measure. */
  metrics: Record<string, { mean: number; std: number }>
  /** Training time summed over folds, shared pretraining excluded. */
  seconds: number
}

export type ExperimentEvent =
  | { kind: 'fold-start'; configuration: string; fold: number; folds: number }
  | { kind: 'fold-done'; configuration: string; result: FoldResult }
  /** fold −1 is the shared pretraining, −2 the training of a shipped model on all labelled slices. */
  | { kind: 'training'; configuration: string; fold: number; event: TrainingEvent | InpaintingEvent | { kind: string } }

const SINGLE_MEASURES = ['loss', 'dice', 'maxDice', 'sensitivity', 'specificity', 'sMeasure', 'eMeasure', 'mae'] as const
const MULTI_MEASURES = ['loss', 'diceGroundGlass', 'diceConsolidation', 'meanDice', 'sensitivityGroundGlass', 'sensitivityConsolidation'] as const

export const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '')

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0
  return { mean, std }
}

export function summariseFolds(name: string, results: FoldResult[]): TableRow {
  const kind = results[0].kind
  const measures: readonly string[] = kind === 'infnet' ? SINGLE_MEASURES : MULTI_MEASURES
  const metrics: TableRow['metrics'] = {}
  for (const m of measures) metrics[m] = meanStd(results.map((r) => (r as unknown as Record<string, number>)[m]))
  return { name, kind, folds: results.length, metrics, seconds: results.reduce((a, r) => a + r.seconds, 0) }
}

const fmt = (v: { mean: number; std: number }): string => `${v.mean.toFixed(3)} ± ${v.std.toFixed(3)}`

/** The table as Markdown: single-class rows with Inf-Net's measures, then multi-class rows. */
export function markdownTable(rows: TableRow[], folds: number): string {
  const single = rows.filter((r) => r.kind === 'infnet')
  const multi = rows.filter((r) => r.kind === 'multiclass')
  const lines: string[] = []
  if (single.length) {
    lines.push(
      `| configuration | val. loss | Dice | max Dice | sensitivity | specificity | S-measure | E-measure | MAE | folds | train time |`,
      `|---|---|---|---|---|---|---|---|---|---|---|`
    )
    for (const r of single) {
      const m = r.metrics
      lines.push(
        `| ${r.name} | ${fmt(m.loss)} | ${fmt(m.dice)} | ${fmt(m.maxDice)} | ${fmt(m.sensitivity)} | ${fmt(m.specificity)} | ${fmt(m.sMeasure)} | ${fmt(m.eMeasure)} | ${fmt(m.mae)} | ${r.folds}/${folds} | ${Math.round(r.seconds / 60)} min |`
      )
    }
  }
  if (multi.length) {
    if (lines.length) lines.push('')
    lines.push(
      `| multi-class configuration | val. loss | Dice ground-glass | Dice consolidation | mean Dice | sens. ground-glass | sens. consolidation | folds | train time |`,
      `|---|---|---|---|---|---|---|---|---|`
    )
    for (const r of multi) {
      const m = r.metrics
      lines.push(
        `| ${r.name} | ${fmt(m.loss)} | ${fmt(m.diceGroundGlass)} | ${fmt(m.diceConsolidation)} | ${fmt(m.meanDice)} | ${fmt(m.sensitivityGroundGlass)} | ${fmt(m.sensitivityConsolidation)} | ${r.folds}/${folds} | ${Math.round(r.seconds / 60)} min |`
      )
    }
  }
  return lines.join('\n') + '\n'
}

/** Reads and validates an experiment file; relative paths are taken from the file's folder. */
export function readExperimentFile(path: string): ExperimentFile {
  if (!existsSync(path)) throw new Error(`${path} does not exist`)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`, { cause: e })
  }
  const parsed = ExperimentFile.safeParse(raw)
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
  }
  const base = dirname(resolve(path))
  const file = parsed.data
  const names = new Set<string>()
  for (const c of file.configurations) {
    if (names.has(c.name)) throw new Error(`${path}: configuration '${c.name}' appears twice`)
    names.add(c.name)
    if (c.kind === 'multiclass') {
      const prior = file.configurations.find((p) => p.name === c.prior)
      if (!prior || prior.kind !== 'infnet') throw new Error(`${path}: '${c.name}' needs "prior": the name of a single-class configuration listed before it`)
    }
    if ((c.pretrain || c.semi) && !file.unlabeled) throw new Error(`${path}: '${c.name}' needs "unlabeled" (a folder of unlabelled slices)`)
  }
  return { ...file, data: resolve(base, file.data), unlabeled: file.unlabeled ? resolve(base, file.unlabeled) : undefined, out: resolve(base, file.out) }
}

/**
 * Runs every configuration with k-fold cross-validation on the labelled slices and writes
 * table.md and table.json into `out`. Finished folds (result.json) are reused, unfinished ones
 * resume from their checkpoints, and self-supervised pretraining runs once per distinct setting
 * (on the unlabelled slices only, so no fold's validation images are seen), shared by every fold.
 */
export async function runExperiments(
  file: ExperimentFile,
  options: { only?: string[]; onEvent?: (e: ExperimentEvent) => void; shouldStop?: () => boolean } = {}
): Promise<{ status: 'finished' | 'stopped'; rows: TableRow[] }> {
  const emit = options.onEvent ?? (() => {})
  mkdirSync(file.out, { recursive: true })
  const rows: TableRow[] = []
  const unknown = (options.only ?? []).filter((n) => !file.configurations.some((c) => c.name === n))
  if (unknown.length) throw new Error(`no configuration named ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${file.configurations.map((c) => `'${c.name}'`).join(', ')})`)
  const selected = file.configurations.filter((c) => !options.only || options.only.includes(c.name))
  for (const c of selected) {
    const results: FoldResult[] = []
    for (let fold = 0; fold < file.folds; fold++) {
      const dir = join(file.out, slug(c.name), `fold-${fold}`)
      const resultFile = join(dir, 'result.json')
      if (existsSync(resultFile)) {
        results.push(JSON.parse(readFileSync(resultFile, 'utf8')) as FoldResult)
        continue
      }
      emit({ kind: 'fold-start', configuration: c.name, fold, folds: file.folds })
      const result = await runFold(file, c, fold, dir, emit, options.shouldStop)
      if (!result) return { status: 'stopped', rows }
      writeAtomically(resultFile, JSON.stringify(result, null, 1))
      results.push(result)
      emit({ kind: 'fold-done', configuration: c.name, result })
    }
    rows.push(summariseFolds(c.name, results))
    writeTables(file, rows)
  }
  return { status: 'finished', rows }
}

function writeTables(file: ExperimentFile, rows: TableRow[]): void {
  // Keep rows of configurations not run this time (--only) from an earlier table.
  const path = join(file.out, 'table.json')
  const earlier: TableRow[] = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { rows: TableRow[] }).rows : []
  const merged = file.configurations
    .map((c) => rows.find((r) => r.name === c.name) ?? earlier.find((r) => r.name === c.name))
    .filter((r): r is TableRow => r !== undefined)
  writeAtomically(path, JSON.stringify({ folds: file.folds, base: file.base, rows: merged }, null, 1))
  writeAtomically(join(file.out, 'table.md'), markdownTable(merged, file.folds))
}

async function pretrained(file: ExperimentFile, c: ExperimentConfiguration, emit: (e: ExperimentEvent) => void, shouldStop?: () => boolean): Promise<string | undefined | null> {
  if (!c.pretrain) return undefined
  // the network pretrained must be the one the configuration trains: its own size and backbone
  const settings = { ...file.base, ...c.train }
  const spec = { ...c.pretrain, inputSize: settings.inputSize ?? 352, backbone: settings.backbone ?? 'lite', limit: file.pretrainSlices }
  const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 10)
  const dir = join(file.out, 'pretrained', `${c.pretrain.coach === false ? 'random' : 'coach'}-${key}`)
  if (existsSync(join(dir, 'model.json'))) return dir
  const r = await pretrainInpainting(
    {
      ...c.pretrain,
      images: [file.unlabeled as string],
      limitPerFolder: file.pretrainSlices,
      out: dir,
      inputSize: spec.inputSize,
      backbone: spec.backbone,
      architecture: 'infnet',
      seed: settings.seed ?? 2020
    },
    { resume: true, onEvent: (event) => emit({ kind: 'training', configuration: c.name, fold: -1, event }), shouldStop }
  )
  return r.status === 'finished' ? dir : null
}

/** Where a configuration trains: its model folder and, for Semi-Inf-Net, the folder of its stages. */
interface TrainingPlace {
  model: string
  semi: string
  /** The held-out fold, or undefined to train on every labelled slice. */
  fold?: number
  /** Multi-class: the single-class prior model. Semi-Inf-Net: the teacher, when one is named. */
  prior?: string
  teacher?: string
}

/**
 * Trains configuration `c` into `place.model` (with folds, validating the held-out fold):
 * multi-class training on the prior, or Inf-Net after the shared pretraining, supervised or as
 * Semi-Inf-Net. The one recipe serves the cross-validation folds and the shipped models.
 */
async function trainConfiguration(
  file: ExperimentFile,
  c: ExperimentConfiguration,
  place: TrainingPlace,
  emit: (e: ExperimentEvent) => void,
  shouldStop?: () => boolean
): Promise<{ status: 'finished' | 'stopped'; validation?: ValidationReport | MultiClassValidationReport }> {
  const hooks = {
    resume: true,
    shouldStop,
    // fold −2 marks the shipped model's training on all slices
    onEvent: (event: { kind: string }) => emit({ kind: 'training', configuration: c.name, fold: place.fold ?? -2, event: event as TrainingEvent })
  }
  const folds = place.fold === undefined ? {} : { folds: file.folds, fold: place.fold }
  const augment = c.augment ? AugmentConfig.parse(c.augment) : undefined
  if (c.kind === 'multiclass') {
    const settings = ['inputSize', 'epochs', 'batchSize', 'learningRate', 'decayEpoch', 'decayRate', 'clip', 'seed', 'checkpointEvery'] as const
    const r = await trainMultiClass(
      { data: file.data, out: place.model, prior: place.prior as string, ...folds, ...pick(file.base, [...settings]), ...pick(c.train, [...settings]), augment },
      hooks
    )
    return { status: r.status, validation: r.validation }
  }
  const init = await pretrained(file, c, emit, shouldStop)
  if (init === null) return { status: 'stopped' }
  const supervised = SupervisedConfig.parse({ ...file.base, ...c.train, data: file.data, out: place.model, ...folds, augment, pretrained: init })
  if (!c.semi) return trainSupervised(supervised, hooks)
  const { teacherFrom: _t, ...semi } = c.semi
  const r = await trainSemiSupervised({ ...semi, teacher: place.teacher, supervised: { ...supervised, out: place.semi }, unlabeled: file.unlabeled as string }, hooks)
  // The configuration's model is the final Semi-Inf-Net: multi-class priors and shipping read it from there.
  if (r.status === 'finished') copyModel(r.model, place.model)
  return r
}

/** The model of single-class configuration `name` for `fold`, which must exist already. */
function foldModel(file: ExperimentFile, name: string, fold: number, role: string, of: string): string {
  const dir = join(file.out, slug(name), `fold-${fold}`, 'model')
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`'${of}' fold ${fold}: the ${role} '${name}' has no model for this fold yet (run it first)`)
  return dir
}

async function runFold(
  file: ExperimentFile,
  c: ExperimentConfiguration,
  fold: number,
  dir: string,
  emit: (e: ExperimentEvent) => void,
  shouldStop?: () => boolean
): Promise<FoldResult | undefined> {
  const started = Date.now()
  const place: TrainingPlace = {
    model: join(dir, 'model'),
    semi: join(dir, 'semi'),
    fold,
    prior: c.kind === 'multiclass' ? foldModel(file, c.prior as string, fold, 'prior', c.name) : undefined,
    teacher: c.semi?.teacherFrom ? foldModel(file, c.semi.teacherFrom, fold, 'teacher', c.name) : undefined
  }
  const r = await trainConfiguration(file, c, place, emit, shouldStop)
  if (r.status === 'stopped') return undefined
  if (!r.validation) throw new Error(`'${c.name}' fold ${fold}: training finished without validating the held-out fold`)
  const seconds = Math.round((Date.now() - started) / 1000)
  const { kind: _k, epoch: _e, ...figures } = r.validation
  return 'diceGroundGlass' in figures
    ? { fold, kind: 'multiclass', seconds, ...figures }
    : { fold, kind: 'infnet', seconds, ...(figures as Omit<ValidationReport, 'kind' | 'epoch'>) }
}

/** A kill mid-write leaves the old file or the new one, never half a result that a rerun cannot parse. */
export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path + '.tmp', text)
  renameSync(path + '.tmp', path)
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k]
  return out
}

function copyModel(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const f of ['model.json', 'weights.bin', 'card.json']) {
    if (existsSync(join(from, f))) writeFileSync(join(to, f), readFileSync(join(from, f)))
  }
}

/**
 * Trains one configuration of the file on all labelled slices (no held-out fold) into `out`, as
 * the shipped models are made: the same settings, the same shared pretraining, and for a
 * multi-class configuration the given single-class model as its prior. The card then carries the
 * configuration's cross-validation row from table.json, when the experiment has been run.
 */
export async function trainFinal(
  file: ExperimentFile,
  name: string,
  out: string,
  options: { prior?: string; onEvent?: (e: ExperimentEvent) => void; shouldStop?: () => boolean } = {}
): Promise<'finished' | 'stopped'> {
  const c = file.configurations.find((x) => x.name === name)
  if (!c) throw new Error(`no configuration named '${name}' (known: ${file.configurations.map((x) => `'${x.name}'`).join(', ')})`)
  if (c.kind === 'multiclass' && !options.prior) throw new Error(`'${name}' is multi-class: name the single-class prior model`)
  const r = await trainConfiguration(file, c, { model: out, semi: join(out, 'semi'), prior: options.prior }, options.onEvent ?? (() => {}), options.shouldStop)
  if (r.status === 'stopped') return 'stopped'
  const cardPath = join(out, 'card.json')
  const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown> & { metrics: Record<string, number>; training: Record<string, unknown> }
  const tablePath = join(file.out, 'table.json')
  const row = existsSync(tablePath) ? (JSON.parse(readFileSync(tablePath, 'utf8')) as { rows: TableRow[] }).rows.find((r) => r.name === name) : undefined
  if (row) {
    for (const [measure, v] of Object.entries(row.metrics)) {
      card.metrics[`cv${file.folds}${measure[0].toUpperCase()}${measure.slice(1)}Mean`] = v.mean
      card.metrics[`cv${file.folds}${measure[0].toUpperCase()}${measure.slice(1)}Std`] = v.std
    }
  }
  card.training = { ...card.training, configuration: name, crossValidation: row ? `${row.folds} of ${file.folds} folds, ${file.data}` : 'not run' }
  writeFileSync(cardPath, JSON.stringify(card, null, 2) + '\n')
  return 'finished'
}
