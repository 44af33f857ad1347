/**
 * The recipe of the shipped infection model, one resumable command (`pulmo train-infection`):
 * 1. the training folders are prepared from the shared data (trainingSources.ts);
 * 2. representation: the same network and budget trained on the zenodo slices (CLAHE PNG) and the
 *    P002 negatives (HU, windowed by Pulmo) with each input representation ('fixed' grey levels or
 *    'equalised' ranks), validated on the held-out zenodo groups and on all 50 COVID-SemiSeg slices,
 *    a source neither saw (windowed JPEGs): the measured case for the representation;
 * 3. pool: Inf-Net on every radiologist- and machine-labelled source but the 50 doctor-labelled
 *    slices, validated on the held-out zenodo groups;
 * 4. fine-tuning on the doctor labels, Semi-Inf-Net's order (large set first, then the 50): once per
 *    fold of a 5-fold split of the 50 (the pool never saw any of them, so each fold's 10 are unseen),
 *    then on all 50; and with a replay of the pool's sources (replay-all: the shipped model);
 *    these and the multi-class stages start from `prior`: the pool or an ablation row chosen over it.
 * Every stage resumes from its checkpoint and is skipped once its result.json exists.
 */
import { existsSync, readFileSync } from 'node:fs'
import { writeAtomically } from './experiments'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { InputNormalisation } from '../ml/models/infnet/config'
import type { ValidationReport } from './progress'
import { loadNetwork } from '../ml/models/infnet'
import { isInfNet } from '../ml/inference/segmentSlices'
import { readLabelledSlices } from './labelledSlices'
import { trainMultiClass, type MultiClassValidationReport } from './multiClass'
import { SupervisedConfig, trainSupervised, validate } from './supervised'
import { DEFAULT_HELD_OUT_GROUPS, prepareTrainingSources, sampleSlices } from './trainingSources'
import { Ablations, coachPretraining, pairedDifference, splitFigures, type SplitFigures } from './infectionAblations'
import type { TrainingEvent } from './progress'

/** A replay's stage names: `replay`, or `replay-…` for a replay of other sources. */
const ReplayName = z
  .string()
  .regex(/^replay(-[a-z0-9]+)*$/)
  .default('replay')
const Stage = z.object({
  epochs: z.number().int().positive(),
  learningRate: z.number().positive(),
  decayEpoch: z.number().int().positive(),
  /** Prepared folders (trainingSources.ts) trained on besides the stage's own labelled data. */
  sources: z.array(z.string()),
  /** 'best': the representation row with the higher mean of held-out zenodo and COVID-SemiSeg Dice. */
  normalisation: z.union([InputNormalisation, z.literal('best')]).optional()
})

export const InfectionRecipe = z.object({
  shared: z.string(),
  out: z.string(),
  heldOutGroups: z.array(z.string()).default(DEFAULT_HELD_OUT_GROUPS),
  folds: z.number().int().min(2).default(5),
  base: SupervisedConfig.pick({
    backbone: true,
    inputSize: true,
    batchSize: true,
    scales: true,
    checkpointEvery: true,
    seed: true
  }).partial(),
  representation: Stage,
  pool: Stage,
  fineTune: Stage,
  /** One-change rows against the pool at the pool's budget (infectionAblations.ts). */
  ablations: Ablations.optional(),
  /**
   * The stage whose model fine-tuning, replay and multi-class start from: 'pool', or an ablation row
   * validation chose over it (e.g. 'ablation-coach'). The stages after a prior other than the pool
   * are named NAME-from-PRIOR, so the pool's own are kept beside them.
   */
  prior: z
    .string()
    .regex(/^(pool|ablation-[a-z0-9.-]+|curve-e\d+)$/)
    .default('pool'),
  /**
   * The learning curve: the model of `from` (the pool or an ablation row, `fromEpochs` epochs over
   * the pool's sources) trained on over the same sources point by point. Point `curve-eN` continues
   * from the point before it (from `from` for the first) for the epochs that bring it to N, at
   * `learningRate` with the segment's last epoch at a tenth of it (each point ends annealed; the
   * next restarts warm), and is validated on the held-out zenodo groups. With `folds`, every point
   * is also fine-tuned with the replay per fold of the 50 (its 5-fold Dice), after all the points.
   */
  curve: z
    .object({
      from: z
        .string()
        .regex(/^(pool|ablation-[a-z0-9.-]+)$/)
        .default('pool'),
      fromEpochs: z.number().int().positive().default(1),
      epochs: z.array(z.number().int().positive()).min(1),
      learningRate: z.number().positive(),
      folds: z.boolean().default(true),
      /** the replay the points' folds fine-tune with, where it differs from `replay` (name, sources) */
      replay: z.object({ name: ReplayName, sources: z.array(z.string()) }).partial().optional()
    })
    .optional(),
  /**
   * Fine-tuning on the 50 with a replay of the pool: `slices` drawn (seeded) from each of `sources`
   * join the doctor-labelled slices, so the network keeps what the large set taught it instead of
   * forgetting it (fine-tuning on the 50 alone took the held-out zenodo Dice from 0.50 to 0.08).
   * Runs on all 50, and per fold when `folds` is set; its stages are named `name`-all and
   * `name`-fold-N (a replay of other sources gets a name of its own, so both are kept).
   */
  replay: Stage.extend({
    name: ReplayName,
    slices: z.number().int().positive(),
    folds: z.boolean().default(false)
  }).optional(),
  /**
   * How a CT series is inferred with the shipped model, written into its card by install:infection
   * (modelTestTimeFlip reads it): `flip`, horizontal-flip test-time augmentation.
   */
  inference: z.object({ flip: z.boolean().default(false) }).default({ flip: false }),
  /**
   * Multi-class Inf-Net (ground glass / consolidation; only the 50 doctor-labelled slices carry the
   * split) on the pool model's infection prior: the pool never saw the 50, so one prior serves every
   * fold without leaking the held-out fold into it.
   */
  multiclass: z.object({
    inputSize: z.number().int().multipleOf(16),
    epochs: z.number().int().positive(),
    learningRate: z.number().positive(),
    decayEpoch: z.number().int().positive(),
    baseFilters: z.number().int().positive(),
    /** false: only the model on all 50 (its card then says it was not cross-validated) */
    crossValidate: z.boolean().default(true)
  })
})
export type InfectionRecipe = z.infer<typeof InfectionRecipe>

/** Whether `path` holds an infection recipe (and not an experiment file of configurations). */
export function isInfectionRecipeFile(path: string): boolean {
  try {
    return InfectionRecipe.safeParse(JSON.parse(readFileSync(path, 'utf8'))).success
  } catch {
    return false
  }
}

export function readInfectionRecipe(path: string): InfectionRecipe {
  const recipe = InfectionRecipe.parse(JSON.parse(readFileSync(path, 'utf8')))
  const base = dirname(resolve(path))
  return { ...recipe, shared: resolve(base, recipe.shared), out: resolve(base, recipe.out) }
}

export type StageFigures = Omit<ValidationReport, 'kind' | 'epoch'>
export interface StageResult {
  name: string
  /** multi-class rows: the held-out fold's Dice per class */
  multiclass?: Omit<MultiClassValidationReport, 'kind' | 'epoch'>
  seconds: number
  trainingSlices: number
  /** the held-out zenodo groups */
  heldOut?: StageFigures
  /** the held-out fold of the 50, or all 50 for the representation rows */
  semiseg?: StageFigures
  /** ablation rows and the pool: Dice per held-out volume group and per fold of the 50 */
  splits?: SplitFigures
  /** ablation rows: per-split differences against the pool (groups first, then folds) */
  versusPool?: ReturnType<typeof pairedDifference>
}

export type RecipeEvent =
  | { kind: 'stage'; name: string }
  | { kind: 'training'; stage: string; event: TrainingEvent }
  | { kind: 'log'; message: string }

/** A validation report without its event fields (kind, epoch): the figures a result records. */
function figures<R extends { kind: unknown; epoch: unknown }>(r: R): Omit<R, 'kind' | 'epoch'>
function figures<R extends { kind: unknown; epoch: unknown }>(r: R | undefined): Omit<R, 'kind' | 'epoch'> | undefined
function figures<R extends { kind: unknown; epoch: unknown }>(r: R | undefined): Omit<R, 'kind' | 'epoch'> | undefined {
  if (!r) return undefined
  const { kind: _k, epoch: _e, ...rest } = r
  return rest
}

export async function runInfectionRecipe(
  recipe: InfectionRecipe,
  options: { onEvent?: (e: RecipeEvent) => void; shouldStop?: () => boolean; only?: string[] } = {}
): Promise<{ status: 'finished' | 'stopped'; results: StageResult[]; model?: string }> {
  const emit = options.onEvent ?? (() => {})
  const data = join(recipe.out, 'data')
  if (!existsSync(join(data, 'prepared.json'))) {
    emit({ kind: 'stage', name: 'prepare' })
    const summary = await prepareTrainingSources(recipe.shared, data, {
      heldOutGroups: recipe.heldOutGroups,
      log: (message) => emit({ kind: 'log', message })
    })
    writeAtomically(join(data, 'prepared.json'), JSON.stringify(summary, null, 1))
  }
  const semiseg = join(recipe.shared, 'covid-semiseg', 'train')
  const heldOut = join(data, 'zenodo-heldout')
  const results: StageResult[] = []
  const hasRun = (name: string): boolean => existsSync(join(recipe.out, name, 'result.json'))

  /**
   * One stage: when its result.json exists the recorded result counts and nothing runs; else
   * `train` runs it in its folder (undefined when stopped) and its result is recorded.
   */
  const stage = async (
    name: string,
    train: (dir: string) => Promise<Omit<StageResult, 'name' | 'seconds'> | undefined>
  ): Promise<StageResult | undefined> => {
    const dir = join(recipe.out, name)
    const resultFile = join(dir, 'result.json')
    if (existsSync(resultFile)) {
      const r = JSON.parse(readFileSync(resultFile, 'utf8')) as StageResult
      results.push(r)
      return r
    }
    emit({ kind: 'stage', name })
    const started = Date.now()
    const trained = await train(dir)
    if (!trained) return undefined
    const result: StageResult = { name, seconds: Math.round((Date.now() - started) / 1000), ...trained }
    writeAtomically(resultFile, JSON.stringify(result, null, 1))
    results.push(result)
    return result
  }
  const run = (
    name: string,
    config: Omit<z.input<typeof SupervisedConfig>, 'out'>,
    semisegFigures: 'fold' | 'all' | 'none'
  ): Promise<StageResult | undefined> =>
    stage(name, async (dir) => {
      const r = await trainSupervised(
        // the folds validate their own 10 slices; the held-out zenodo groups are for the other stages
        {
          ...recipe.base,
          ...config,
          out: join(dir, 'model'),
          validationData: semisegFigures === 'fold' ? [] : [heldOut]
        },
        {
          resume: true,
          shouldStop: options.shouldStop,
          onEvent: (event) => emit({ kind: 'training', stage: name, event })
        }
      )
      if (r.status === 'stopped') return undefined
      // the representation rows are also scored on all 50 COVID-SemiSeg slices, a source they never saw
      const unseen = semisegFigures === 'all' ? await validateFolder(join(dir, 'model'), semiseg) : undefined
      return {
        trainingSlices: JSON.parse(readFileSync(join(dir, 'model', 'card.json'), 'utf8')).training.trainingSlices,
        heldOut: figures(r.heldOut),
        semiseg: unseen ?? (semisegFigures === 'fold' ? figures(r.validation) : undefined)
      }
    })
  const source = (names: string[]): string[] => names.map((n) => join(data, n))
  const wanted = (name: string): boolean => !options.only || options.only.some((o) => name.startsWith(o))
  /** whether --only asks for any of these stages (or for everything) */
  const asked = (stages: string[]): boolean =>
    !options.only || options.only.some((o) => stages.some((n) => n.startsWith(o) || o.startsWith(n)))
  const fromPrior = ['fine-tune', 'replay', 'multiclass']
  const pool = recipe.pool
  const poolNeeded = asked(['pool', 'ablation', 'curve', ...fromPrior])
  /** the representation the recipe fixes for the pool; undefined when the representation rows choose it */
  const poolRepresentation = pool.normalisation === 'best' ? undefined : pool.normalisation
  const poolChoosesRepresentation = poolRepresentation === undefined

  // 2. representation
  for (const normalisation of ['fixed', 'equalised'] as const) {
    const name = `representation-${normalisation}`
    // rows not asked for still count when they have run, and run when the pool needs them to
    // choose its input representation (a fresh `--only ROW` trains what ROW is paired against)
    if (!wanted(name) && !hasRun(name) && !(poolNeeded && poolChoosesRepresentation)) continue
    const [first, ...rest] = source(recipe.representation.sources)
    const s = recipe.representation
    if (
      !(await run(
        name,
        {
          data: first,
          extraData: rest,
          epochs: s.epochs,
          learningRate: s.learningRate,
          decayEpoch: s.decayEpoch,
          inputNormalisation: normalisation
        },
        'all'
      ))
    ) {
      return { status: 'stopped', results }
    }
  }
  if (!poolNeeded) return { status: 'finished', results }
  // 3. pool
  const [poolFirst, ...poolRest] = source(pool.sources)
  const normalisation = poolRepresentation ?? bestRepresentation(results)
  emit({ kind: 'log', message: `pool: input representation '${normalisation}'` })
  const poolResult = await run(
    'pool',
    {
      data: poolFirst,
      extraData: poolRest,
      epochs: pool.epochs,
      learningRate: pool.learningRate,
      decayEpoch: pool.decayEpoch,
      inputNormalisation: normalisation
    },
    'none'
  )
  if (!poolResult) return { status: 'stopped', results }
  const poolModel = join(recipe.out, 'pool', 'model')
  // 3b. ablations: one change each against the pool, scored per split for paired differences
  // rows not asked for still count when they have run: they belong in the table
  // (a sameAs row has no result of its own: it has run when the stage it is has); the row that is
  // the prior runs whenever a stage after the prior is asked for
  const curveNeeded = asked(['curve']) || (recipe.prior.startsWith('curve-') && asked(fromPrior))
  const priorNeeded = (row: { name: string }): boolean =>
    (recipe.prior === `ablation-${row.name}` && asked(fromPrior)) ||
    (recipe.curve?.from === `ablation-${row.name}` && curveNeeded)
  const rowsWanted =
    recipe.ablations?.rows.filter(
      (row) => wanted(`ablation-${row.name}`) || hasRun(row.sameAs ?? `ablation-${row.name}`) || priorNeeded(row)
    ) ?? []
  if (recipe.ablations && rowsWanted.length > 0) {
    const heldOutSlices = await readLabelledSlices(heldOut)
    const semisegSlices = await readLabelledSlices(semiseg)
    const seed = recipe.base.seed ?? 2020
    const splitsOf = (model: string): Promise<SplitFigures> =>
      splitFigures(model, heldOutSlices, semisegSlices, recipe.folds, seed)
    const poolSplits = await splitsOf(poolModel)
    poolResult.splits = poolSplits
    for (const row of rowsWanted) {
      const name = `ablation-${row.name}`
      if (row.sameAs) {
        const same = results.find((x) => x.name === row.sameAs)
        if (!same) throw new Error(`ablation ${row.name}: the stage '${row.sameAs}' it is the same as has not run`)
        const splits = await splitsOf(join(recipe.out, row.sameAs, 'model'))
        results.push({ ...same, name, splits, versusPool: pairedDifference(splits, poolSplits) })
        continue
      }
      let pretrained: string | undefined
      if (row.coach && !hasRun(name)) {
        emit({ kind: 'stage', name: 'coach-pretraining' })
        pretrained = await coachPretraining(recipe.ablations, {
          images: [join(recipe.shared, 'covid-semiseg', 'unlabeled', 'images')],
          out: join(recipe.out, 'coach-pretraining', `size-${row.inputSize ?? recipe.base.inputSize ?? 256}`),
          inputSize: row.inputSize ?? recipe.base.inputSize ?? 256,
          batchSize: recipe.base.batchSize,
          seed,
          onEvent: (e) => emit({ kind: 'log', message: `[coach-pretraining] ${JSON.stringify(e)}` }),
          shouldStop: options.shouldStop
        })
        if (!pretrained) return { status: 'stopped', results }
      }
      // a row with a `sample` trains on a seeded fraction of its sources in one folder
      const sample = join(data, `${name}-sample-${row.sample}`)
      if (row.sample && !existsSync(join(sample, 'done')))
        sampleSlices(source(row.sources ?? pool.sources), sample, { total: row.sample }, seed)
      const [first, ...rest] = row.sample ? [sample] : source(row.sources ?? pool.sources)
      const r = await run(
        name,
        {
          data: first,
          extraData: rest,
          epochs: pool.epochs,
          learningRate: pool.learningRate,
          decayEpoch: pool.decayEpoch,
          inputNormalisation: normalisation,
          ...(row.inputSize ? { inputSize: row.inputSize } : {}),
          ...(row.backbone ? { backbone: row.backbone } : {}),
          ...(row.cutout !== undefined ? { augment: { cutout: row.cutout } } : {}),
          ...(pretrained ? { pretrained } : {})
        },
        'all'
      )
      if (!r) return { status: 'stopped', results }
      if (!r.splits) {
        r.splits = await splitsOf(join(recipe.out, name, 'model'))
        r.versusPool = pairedDifference(r.splits, poolSplits)
        writeAtomically(join(recipe.out, name, 'result.json'), JSON.stringify(r, null, 1))
      }
      emit({
        kind: 'log',
        message: `${name}: versus the pool ${r.versusPool?.mean.toFixed(3)} (${r.versusPool?.wins}/${r.versusPool?.differences.length} splits better)`
      })
    }
  }
  // 3c. the learning curve: the pool's training continued, point by point
  type Replay = NonNullable<InfectionRecipe['replay']>
  /** the replay's slices: `slices` seeded from each source (each source its own seed, so a source's draw does not depend on the others) */
  const replayDir = (rp: Replay): string => {
    const dir = join(data, `replay-${rp.slices}-${rp.sources.join('+')}`)
    if (!existsSync(join(dir, 'done')))
      sampleSlices(source(rp.sources), dir, { perSource: rp.slices }, recipe.base.seed ?? 2020)
    return dir
  }
  /** fine-tuning on the 50 with the replay `rp`, from `prior`: on all 50 (`all`) and per fold (`folds`) */
  const replayStages = async (
    prior: string,
    which: { all: boolean; folds: boolean },
    when: (name: string) => boolean,
    rp: Replay | undefined = recipe.replay
  ): Promise<boolean> => {
    if (!rp) return true
    const withReplay = {
      data: semiseg,
      extraData: [replayDir(rp)],
      epochs: rp.epochs,
      learningRate: rp.learningRate,
      decayEpoch: rp.decayEpoch,
      init: join(recipe.out, prior, 'model')
    }
    if (which.all && when(`${rp.name}-all`) && !(await run(stageFrom(prior, `${rp.name}-all`), withReplay, 'none')))
      return false
    for (let fold = 0; which.folds && fold < recipe.folds; fold++) {
      const name = `${rp.name}-fold-${fold}`
      if (when(name) && !(await run(stageFrom(prior, name), { ...withReplay, folds: recipe.folds, fold }, 'fold')))
        return false
    }
    return true
  }
  if (recipe.curve && curveNeeded) {
    const c = recipe.curve
    if (c.from !== 'pool' && !hasRun(c.from)) throw new Error(`the curve starts from '${c.from}', which has not run`)
    const [first, ...rest] = source(pool.sources)
    let previous = c.from
    let previousEpochs = c.fromEpochs
    for (const total of c.epochs) {
      const more = total - previousEpochs
      if (more <= 0)
        throw new Error(`curve: the points' epochs must rise from ${c.fromEpochs} (${c.epochs.join(', ')})`)
      const name = `curve-e${total}`
      const seed = (recipe.base.seed ?? 2020) + total // each segment its own epoch orders
      const r = await run(
        name,
        {
          data: first,
          extraData: rest,
          epochs: more,
          learningRate: c.learningRate,
          decayEpoch: Math.max(1, more - 1),
          seed,
          init: join(recipe.out, previous, 'model')
        },
        'none'
      )
      if (!r) return { status: 'stopped', results }
      emit({ kind: 'log', message: `${name}: held-out zenodo Dice ${r.heldOut?.dice.toFixed(3)}` })
      previous = name
      previousEpochs = total
    }
    if (c.folds) {
      for (const total of c.epochs) {
        if (!(await replayStages(`curve-e${total}`, { all: false, folds: true }, () => true, curveReplay(recipe))))
          return { status: 'stopped', results }
      }
    }
  }
  if (!asked(fromPrior)) return { status: 'finished', results }
  // the prior of the stages below: the pool, or an ablation row that has run
  const priorModel = join(recipe.out, recipe.prior, 'model')
  if (recipe.prior !== 'pool' && !hasRun(recipe.prior)) {
    throw new Error(`the prior '${recipe.prior}' has not run and is not a row of this recipe's ablations`)
  }
  const after = (n: string): string => stageFrom(recipe.prior, n)
  /** a stage after the prior: run when asked for (or when nothing is singled out), skipped otherwise */
  const later = async (
    name: string,
    config: Omit<z.input<typeof SupervisedConfig>, 'out'>,
    semisegFigures: 'fold' | 'none'
  ): Promise<boolean> => !wanted(name) || (await run(after(name), config, semisegFigures)) !== undefined
  // 4. fine-tuning per fold, then on all 50
  const f = recipe.fineTune
  const fine = {
    data: semiseg,
    extraData: source(f.sources),
    epochs: f.epochs,
    learningRate: f.learningRate,
    decayEpoch: f.decayEpoch,
    init: priorModel
  }
  for (let fold = 0; fold < recipe.folds; fold++) {
    if (!(await later(`fine-tune-fold-${fold}`, { ...fine, folds: recipe.folds, fold }, 'fold')))
      return { status: 'stopped', results }
  }
  if (!(await later('fine-tune-all', fine, 'none'))) return { status: 'stopped', results }
  // 4b. fine-tuning with a replay of the pool
  if (recipe.replay && !(await replayStages(recipe.prior, { all: true, folds: recipe.replay.folds }, wanted)))
    return { status: 'stopped', results }
  // 5. multi-class per fold then on all 50, on the pool's infection map and on the prior's when that
  // differs (install:infection installs the one whose folds score higher)
  const { crossValidate, ...m } = recipe.multiclass
  for (const p of [...new Set(['pool', recipe.prior])]) {
    for (const fold of [...Array.from({ length: crossValidate ? recipe.folds : 0 }, (_, i) => i), undefined]) {
      const base = fold === undefined ? 'multiclass-all' : `multiclass-fold-${fold}`
      if (!wanted(base)) continue
      const name = stageFrom(p, base)
      const done = await stage(name, async (dir) => {
        const r = await trainMultiClass(
          {
            ...pickBase(recipe),
            ...m,
            data: semiseg,
            out: join(dir, 'model'),
            prior: join(recipe.out, p, 'model'),
            ...(fold === undefined ? {} : { folds: recipe.folds, fold })
          },
          {
            resume: true,
            shouldStop: options.shouldStop,
            onEvent: (event) => emit({ kind: 'training', stage: name, event: event as TrainingEvent })
          }
        )
        if (r.status === 'stopped') return undefined
        return { trainingSlices: fold === undefined ? 50 : 40, multiclass: figures(r.validation) }
      })
      if (!done) return { status: 'stopped', results }
    }
  }
  return {
    status: 'finished',
    results,
    model: join(recipe.out, after(recipe.replay ? `${recipe.replay.name}-all` : 'fine-tune-all'), 'model')
  }
}

/**
 * The recipe's table after a run: this run's stages in the order it reached them (the recipe's), with
 * the stages only the table had each kept after the stage it followed there. A run with `--only`
 * reaches only some stages and must not drop the others from the table.
 */
export function mergeTable(previous: readonly StageResult[], current: readonly StageResult[]): StageResult[] {
  const out = [...current]
  const names = new Set(current.map((r) => r.name))
  let after = -1
  for (const r of previous) {
    if (names.has(r.name)) after = out.findIndex((x) => x.name === r.name)
    else {
      out.splice(++after, 0, r)
      names.add(r.name)
    }
  }
  return out
}

/** The replay the learning curve's folds fine-tune with: the recipe's, with the curve's own name and sources where given. */
export function curveReplay(recipe: InfectionRecipe): InfectionRecipe['replay'] {
  return recipe.replay && { ...recipe.replay, ...recipe.curve?.replay }
}

/** A stage's name when it starts from `prior`: NAME for the pool, else NAME-from-PRIOR. */
export function stageFrom(prior: string, name: string): string {
  return prior === 'pool' ? name : `${name}-from-${prior}`
}

/** The representation chosen by validation: the row whose held-out zenodo and COVID-SemiSeg Dice average higher. */
export function bestRepresentation(results: StageResult[]): 'fixed' | 'equalised' {
  const score = (n: string): number => {
    const r = results.find((x) => x.name === `representation-${n}`)
    if (!r?.heldOut || !r.semiseg)
      throw new Error(`the representation row '${n}' has not run: it decides the pool's input representation`)
    return (r.heldOut.dice + r.semiseg.dice) / 2
  }
  return score('equalised') >= score('fixed') ? 'equalised' : 'fixed'
}

function pickBase(recipe: InfectionRecipe): { batchSize?: number; seed?: number; checkpointEvery?: number } {
  return { batchSize: recipe.base.batchSize, seed: recipe.base.seed, checkpointEvery: recipe.base.checkpointEvery }
}

async function validateFolder(model: string, folder: string): Promise<StageFigures> {
  const network = loadNetwork(model)
  try {
    if (!isInfNet(network)) throw new Error(`${model} is not single-class Inf-Net`)
    return figures(await validate(network, await readLabelledSlices(folder), 0))
  } finally {
    network.dispose()
  }
}
