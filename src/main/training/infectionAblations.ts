/**
 * The ablation rows of the infection recipe: what each data source, the negatives, coach
 * pretraining, cutout and the input resolution add at the pool's budget. Every row trains the pool's
 * network from scratch (or from the coach's pretraining) with one thing changed, and is scored on the
 * data no row trains on: the held-out zenodo volume groups and the 50 doctor-labelled COVID-SemiSeg
 * slices. The splits of those (each held-out volume group; the five folds of the 50, the same folds as
 * the fine-tuning rows) give paired differences against the pool row.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { loadNetwork } from '../ml/models/infnet'
import { isInfNet, segmentSlices } from '../ml/inference/segmentSlices'
import { scoreImage, summariseScores } from '../ml/metrics'
import { writeAtomically } from './experiments'
import { foldSplit } from './folds'
import type { LabelledSlice } from './labelledSlices'
import { pretrainInpainting, type InpaintingEvent } from './selfSupervised'

export const AblationRow = z.object({
  name: z.string().regex(/^[a-z0-9.-]+$/),
  /** the prepared folders trained on; the pool's sources when absent */
  sources: z.array(z.string()).optional(),
  inputSize: z.number().int().multipleOf(32).optional(),
  /** Inf-Net's encoder; the pool's (lite) when absent */
  backbone: z.enum(['lite', 'res2net50']).optional(),
  /**
   * Train on a seeded sample of this many of the sources' slices (one pass, as the pool): a slower
   * network given the pool's wall time instead of its data (res2net50 takes 8.7 s a step here)
   */
  sample: z.number().int().positive().optional(),
  /** fraction of the image area erased by cutout (with the default flips, crop and rotation) */
  cutout: z.number().min(0).max(0.9).optional(),
  /** start from the coach's self-supervised inpainting pretraining */
  coach: z.boolean().default(false),
  /** a stage of the recipe that already is this row (same data, budget and seed): scored, not retrained */
  sameAs: z.string().optional()
})
export type AblationRow = z.infer<typeof AblationRow>

export const Ablations = z.object({
  rows: z.array(AblationRow),
  /** the coach pretraining the `coach` rows start from: on the unlabelled COVID-SemiSeg slices */
  pretrain: z.object({
    rounds: z.number().int().min(0),
    round0Steps: z.number().int().positive(),
    coachSteps: z.number().int().min(0),
    inpainterSteps: z.number().int().positive()
  })
})
export type Ablations = z.infer<typeof Ablations>

/** Dice (Inf-Net protocol, threshold 0.5) on each split of the data no row trains on. */
export interface SplitFigures {
  heldOutGroups: Record<string, number>
  semisegFolds: number[]
}

/** The held-out zenodo slices by volume group (file names are GROUP-SLICE.png). */
export function byGroup(slices: LabelledSlice[]): Map<string, LabelledSlice[]> {
  const groups = new Map<string, LabelledSlice[]>()
  for (const s of slices) {
    const group = s.name.replace(/-[^-]*$/, '')
    groups.set(group, [...(groups.get(group) ?? []), s])
  }
  return groups
}

/** The split figures of a trained model (Dice only: one forward pass a slice), cached beside it in splits.json. */
export async function splitFigures(modelDir: string, heldOut: LabelledSlice[], semiseg: LabelledSlice[], folds: number, seed: number): Promise<SplitFigures> {
  const cache = join(modelDir, '..', 'splits.json')
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as SplitFigures
  const network = loadNetwork(modelDir)
  try {
    if (!isInfNet(network)) throw new Error(`${modelDir} is not single-class Inf-Net`)
    const dice = async (slices: LabelledSlice[]): Promise<number> => {
      const maps = await segmentSlices(network, slices.map((s) => ({ data: s.image, width: s.width, height: s.height })))
      return summariseScores(maps.map((m, i) => scoreImage(m, { width: slices[i].width, height: slices[i].height, data: slices[i].mask }, slices[i].name))).dice
    }
    const heldOutGroups: Record<string, number> = {}
    for (const [group, slices] of byGroup(heldOut)) heldOutGroups[group] = await dice(slices)
    const semisegFolds: number[] = []
    for (let fold = 0; fold < folds; fold++) semisegFolds.push(await dice(foldSplit(semiseg.length, folds, fold, seed).validation.map((i) => semiseg[i])))
    const figures = { heldOutGroups, semisegFolds }
    writeAtomically(cache, JSON.stringify(figures, null, 1))
    return figures
  } finally {
    network.dispose()
  }
}

/** The coach pretraining the `coach` rows start from (resumable; skipped once its model exists). */
export async function coachPretraining(
  ablations: Ablations,
  options: { images: string[]; out: string; inputSize: number; batchSize?: number; seed?: number; onEvent?: (e: InpaintingEvent) => void; shouldStop?: () => boolean }
): Promise<string | undefined> {
  if (existsSync(join(options.out, 'model.json'))) return options.out
  const r = await pretrainInpainting(
    {
      images: options.images,
      out: options.out,
      backbone: 'lite',
      inputSize: options.inputSize,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      coach: true,
      ...ablations.pretrain
    },
    { resume: true, onEvent: options.onEvent, shouldStop: options.shouldStop }
  )
  return r.status === 'finished' ? options.out : undefined
}

/** Per-split differences row − pool, with their mean and how many splits the row won. */
export function pairedDifference(row: SplitFigures, pool: SplitFigures): { differences: number[]; mean: number; wins: number } {
  const differences = [
    ...Object.keys(pool.heldOutGroups).map((g) => (row.heldOutGroups[g] ?? Number.NaN) - pool.heldOutGroups[g]),
    ...pool.semisegFolds.map((d, i) => row.semisegFolds[i] - d)
  ]
  return { differences, mean: differences.reduce((a, b) => a + b, 0) / differences.length, wins: differences.filter((d) => d > 0).length }
}

interface AblationResultRow {
  name: string
  seconds: number
  trainingSlices: number
  heldOut?: { dice: number }
  semiseg?: { dice: number }
  splits?: SplitFigures
  versusPool?: { mean: number; wins: number; differences: number[] }
}

/** The ablation rows as a markdown table: held-out zenodo and COVID-SemiSeg Dice, and the paired differences against the pool. */
export function ablationTable(rows: AblationResultRow[]): string {
  const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(3))
  const lines = [
    '| row | slices | train min | held-out zenodo Dice | COVID-SemiSeg Dice (unseen) | vs pool: mean paired difference | splits better |',
    '|---|---:|---:|---:|---:|---:|---:|'
  ]
  for (const r of rows) {
    const vs = r.versusPool
    // the pool is not scored on all 50 as one set: its folds' mean is the same figure (equal folds)
    const folds = r.splits?.semisegFolds
    const semiseg = r.semiseg?.dice ?? (folds ? folds.reduce((a, b) => a + b, 0) / folds.length : undefined)
    lines.push(
      `| ${r.name} | ${r.trainingSlices} | ${Math.round(r.seconds / 60)} | ${f(r.heldOut?.dice)} | ${f(semiseg)} | ${vs ? (vs.mean >= 0 ? '+' : '') + vs.mean.toFixed(3) : '–'} | ${vs ? `${vs.wins}/${vs.differences.length}` : '–'} |`
    )
  }
  return lines.join('\n') + '\n'
}
