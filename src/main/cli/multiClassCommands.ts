/**
 * Multi-class Inf-Net on the command line: `pulmo train-multiclass` and `pulmo segment --multiclass`
 * for 2D slices. The tensor engine runs in this process, as for the other research commands.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { AugmentConfig } from '../ml/augment'
import { defaultModelDir } from '../ml/defaultModel'
import { isInfNet, labelSlices, segmentSlices } from '../ml/inference/segmentSlices'
import { loadNetwork, type MultiClassNetwork } from '../ml/models/infnet'
import { trainMultiClass, type MultiClassTrainingEvent } from '../training/multiClass'
import { readRaster, writePng8 } from '../volume'
import { rasterFilesIn } from '../volume/raster'
import { trainingLine } from './progressLine'
import { loadInfNet, type CommandIo } from './research'

const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(4))

/** One terminal line per multi-class training event. */
export function multiClassTrainingLine(e: MultiClassTrainingEvent): string {
  switch (e.kind) {
    case 'validation':
      return (
        `validation (epoch ${e.epoch}, ${e.slices} slices): loss ${fmt(e.loss)} Dice ground-glass ${e.diceGroundGlass.toFixed(4)} ` +
        `consolidation ${e.diceConsolidation.toFixed(4)} mean ${e.meanDice.toFixed(4)} ` +
        `(ground-glass on ${e.slicesWithGroundGlass}, consolidation on ${e.slicesWithConsolidation} slices)`
      )
    default:
      return trainingLine(e)
  }
}

export interface TrainMultiClassOptions {
  data: string
  out: string
  prior: string
  epochs?: number
  inputSize?: number
  batchSize?: number
  learningRate?: number
  decayEpoch?: number
  folds?: number
  fold?: number
  checkpointEvery?: number
  baseFilters?: number
  init?: string
  augment: boolean
  resume: boolean
}

export async function trainMultiClassCommand(o: TrainMultiClassOptions, io: CommandIo, shouldStop: () => boolean): Promise<void> {
  const result = await trainMultiClass(
    {
      data: o.data,
      out: o.out,
      prior: o.prior,
      ...(o.epochs ? { epochs: o.epochs } : {}),
      ...(o.inputSize ? { inputSize: o.inputSize } : {}),
      ...(o.batchSize ? { batchSize: o.batchSize } : {}),
      ...(o.learningRate ? { learningRate: o.learningRate } : {}),
      ...(o.decayEpoch ? { decayEpoch: o.decayEpoch } : {}),
      ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
      ...(o.baseFilters ? { baseFilters: o.baseFilters } : {}),
      ...(o.folds !== undefined ? { folds: o.folds, fold: o.fold ?? 0 } : {}),
      ...(o.init ? { init: o.init } : {}),
      ...(o.augment ? { augment: AugmentConfig.parse({}) } : {})
    },
    { resume: o.resume, onEvent: (e) => io.log(multiClassTrainingLine(e)), shouldStop }
  )
  if (result.status === 'stopped') io.print(`Stopped at step ${result.globalStep}; continue with --resume.`)
  else {
    io.print(`Trained ${result.globalStep} steps in ${(result.elapsedMs / 1000).toFixed(0)} s; model in ${o.out}`)
    if (result.validation) io.print(JSON.stringify({ validation: result.validation }))
  }
}

/** The multi-class U-Net in `dir` (default: the bundled one), with a clear error when there is none. */
export function loadMultiClass(modelDir: string | undefined): MultiClassNetwork {
  const dir = modelDir ?? defaultModelDir('multiclass')
  if (!existsSync(join(dir, 'model.json'))) {
    throw new Error(
      `No multi-class model in ${dir} (model.json missing). Train one with \`pulmo train-multiclass\` ` +
        '(or `npm run train:infection` for the bundled one), or name one with --model MODEL_DIR.'
    )
  }
  const network = loadNetwork(dir)
  if (isInfNet(network)) {
    network.dispose()
    throw new Error(`${dir} holds a single-class Inf-Net; --multiclass needs a multi-class model (pulmo train-multiclass)`)
  }
  return network
}

/**
 * Per input slice, an 8-bit PNG label map with the input's name (.png) and size: 0 background,
 * 1 ground-glass, 2 consolidation. The prior is single-class Inf-Net's σ(S_3) on the same slice.
 */
export async function segmentMultiClassCommand(
  o: { input: string; out: string; model?: string; priorModel?: string },
  io: CommandIo
): Promise<void> {
  if (!existsSync(o.input)) throw new Error(`${o.input} does not exist`)
  const files = statSync(o.input).isDirectory() ? await rasterFilesIn(o.input) : [o.input]
  if (files.length === 0) throw new Error(`${o.input} holds no PNG or JPEG slices`)
  const multiclass = loadMultiClass(o.model)
  let prior
  try {
    prior = loadInfNet(o.priorModel)
  } catch (e) {
    multiclass.dispose()
    throw e
  }
  try {
    mkdirSync(o.out, { recursive: true })
    for (const [i, file] of files.entries()) {
      const v = await readRaster(file)
      const slice = { data: v.data as Uint8Array, width: v.dimensions[0], height: v.dimensions[1] }
      const maps = await segmentSlices(prior, [slice])
      const [labels] = await labelSlices(multiclass, [slice], maps)
      const target = join(o.out, basename(file, extname(file)) + '.png')
      await writePng8(target, labels, slice.width, slice.height)
      io.log(`labelled ${i + 1}/${files.length} ${file} → ${target}`)
    }
  } finally {
    multiclass.dispose()
    prior.dispose()
  }
  io.print(`Wrote ${files.length} label map(s) (0 background, 1 ground-glass, 2 consolidation) to ${o.out}`)
}
