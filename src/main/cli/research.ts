/**
 * The researcher's commands: train, segment and evaluate 2D slices. They run the tensor engine in
 * this process (a terminal run is its own compute process).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { initEngine, type BackendChoice } from '../ml/engine'
import { evaluateFolders, readGreyImage, scoreImage, summariseScores, type GreyImage } from '../ml/metrics'
import { loadNetwork, type InfNetNetwork } from '../ml/models/infnet'
import { segmentSlices, segmentSlicesEnsemble, isInfNet } from '../ml/inference/segmentSlices'
import { gateProbabilities, lungGateSlice } from '../analysis/lungGate'
import { DEFAULT_VOLUME_INFERENCE } from '../analysis/volumeInference'
import { DEFAULT_GREY_LUNG_SEGMENTATION } from '../lungs/lungMask'
import { defaultModelDir } from '../ml/defaultModel'
import { trainSupervised } from '../training/supervised'
import { readRaster, writePng8 } from '../volume'
import { findImageByStem, rasterFilesIn } from '../volume/raster'
import { trainingLine } from './progressLine'

export interface CommandIo {
  print(line: string): void
  log(line: string): void
}

async function imageFilesOf(input: string): Promise<string[]> {
  if (!existsSync(input)) throw new Error(`${input} does not exist`)
  if (!statSync(input).isDirectory()) return [input]
  const files = await rasterFilesIn(input)
  if (files.length === 0) throw new Error(`${input} holds no PNG or JPEG slices`)
  return files
}

export async function startEngine(backend: string | undefined, io: CommandIo): Promise<void> {
  await initEngine({ backend: (backend ?? 'auto') as BackendChoice, log: io.log })
}

export function loadInfNet(modelDir: string | undefined): InfNetNetwork {
  const dir = modelDir ?? defaultModelDir('infection')
  if (!existsSync(join(dir, 'model.json'))) throw new Error(`No model in ${dir} (model.json missing)`)
  const network = loadNetwork(dir)
  if (!isInfNet(network)) throw new Error(`${dir} holds a ${network.config.architecture} network, not single-class Inf-Net`)
  return network
}

export async function trainCommand(
  o: { data: string; out: string; backbone?: string; epochs?: number; folds?: number; fold?: number; resume: boolean; inputSize?: number; batchSize?: number; checkpointEvery?: number; init?: string; learningRate?: number; decayEpoch?: number; scales?: number[] },
  io: CommandIo,
  shouldStop: () => boolean
): Promise<void> {
  const result = await trainSupervised(
    {
      data: o.data,
      out: o.out,
      ...(o.backbone ? { backbone: o.backbone as 'lite' | 'res2net50' } : {}),
      ...(o.epochs ? { epochs: o.epochs } : {}),
      ...(o.inputSize ? { inputSize: o.inputSize } : {}),
      ...(o.batchSize ? { batchSize: o.batchSize } : {}),
      ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
      ...(o.folds !== undefined ? { folds: o.folds, fold: o.fold ?? 0 } : {}),
      ...(o.init ? { init: o.init } : {}),
      ...(o.learningRate ? { learningRate: o.learningRate } : {}),
      ...(o.scales ? { scales: o.scales } : {}),
      ...(o.decayEpoch ? { decayEpoch: o.decayEpoch } : {})
    },
    { resume: o.resume, onEvent: (e) => io.log(trainingLine(e)), shouldStop }
  )
  if (result.status === 'stopped') io.print(`Stopped at step ${result.globalStep}; continue with --resume.`)
  else {
    io.print(`Trained ${result.globalStep} steps in ${(result.elapsedMs / 1000).toFixed(0)} s; model in ${o.out}`)
    if (result.validation) io.print(JSON.stringify({ validation: result.validation }))
  }
}

/** Writes, per input slice, an 8-bit probability map with the input's name (.png) and size. */
export async function segmentImagesCommand(o: { input: string; out: string; model?: string; flip?: boolean }, io: CommandIo): Promise<void> {
  const network = loadInfNet(o.model)
  const files = await imageFilesOf(o.input)
  mkdirSync(o.out, { recursive: true })
  for (const [i, file] of files.entries()) {
    const v = await readRaster(file)
    const [map] = await segmentSlices(network, [{ data: v.data as Uint8Array, width: v.dimensions[0], height: v.dimensions[1] }], { flip: o.flip })
    const png = new Uint8Array(map.data.length)
    for (let j = 0; j < png.length; j++) png[j] = Math.round(map.data[j] * 255)
    const target = join(o.out, basename(file, extname(file)) + '.png')
    await writePng8(target, png, map.width, map.height)
    io.log(`segmented ${i + 1}/${files.length} ${file} → ${target}`)
  }
  network.dispose()
  io.print(`Wrote ${files.length} probability map(s) to ${o.out}`)
}

/** The zenodo slices' pixel: 256 px over the 350 mm field of view the grey lung segmentation assumes. */
export const ZENODO_PIXEL_MM = DEFAULT_GREY_LUNG_SEGMENTATION.assumedFieldOfViewMm / 256

export interface EvaluateOptions {
  pred?: string
  gt: string
  /** one model, or several whose maps are averaged (an ensemble) */
  models?: string[]
  images?: string
  flip?: boolean
  /** lung masks of the slices (same names): maps gated as the analysis gates a volume's */
  lungs?: string
  lungMarginMm?: number
  pixelMm?: number
}

/**
 * Inf-Net's protocol on a folder of slices: the maps read from `pred`, or made by `models` from
 * `images` (then `seconds` is the networks' wall time), gated by `lungs` when given.
 */
export async function evaluateCommand(o: EvaluateOptions, io: CommandIo): Promise<Record<string, number>> {
  if (o.pred && !o.lungs) return { ...(await evaluateFolders(o.pred, o.gt)) }
  if (!o.pred && !o.images) throw new Error('pulmo evaluate needs --pred DIR, or --model MODEL_DIR with --images DIR')
  const networks = o.pred ? [] : (o.models?.length ? o.models : [undefined]).map((m) => loadInfNet(m))
  const margin = o.lungMarginMm ?? DEFAULT_VOLUME_INFERENCE.lungMarginMm
  const pixel = o.pixelMm ?? ZENODO_PIXEL_MM
  const scores = []
  let networkMs = 0
  try {
    for (const file of await imageFilesOf(o.pred ?? o.images!)) {
      const stem = basename(file, extname(file))
      const gtFile = findImageByStem(o.gt, stem)
      if (!gtFile) throw new Error(`${file} has no ground truth in ${o.gt}`)
      let map: GreyImage
      if (o.pred) map = await readGreyImage(file)
      else {
        const v = await readRaster(file)
        const started = performance.now()
        ;[map] = await segmentSlicesEnsemble(networks, [{ data: v.data as Uint8Array, width: v.dimensions[0], height: v.dimensions[1] }], { flip: o.flip })
        networkMs += performance.now() - started
      }
      if (o.lungs) {
        const lungFile = findImageByStem(o.lungs, stem)
        if (!lungFile) throw new Error(`${file} has no lung mask in ${o.lungs}`)
        const lung = await readGreyImage(lungFile)
        const gate = new Uint8Array(map.width * map.height)
        try {
          lungGateSlice(lung.data, map.width, map.height, margin, [pixel, pixel], gate)
        } catch {
          throw new Error(`${lungFile} is ${lung.width}×${lung.height}, the map ${map.width}×${map.height}`)
        }
        map = { ...map, data: gateProbabilities(map.data, gate) }
      }
      scores.push(scoreImage(map, await readGreyImage(gtFile), stem))
      io.log(`scored ${stem}`)
    }
  } finally {
    for (const n of networks) n.dispose()
  }
  return { ...summariseScores(scores), ...(networks.length ? { seconds: networkMs / 1000 } : {}) }
}
