import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { z } from 'zod'
import { loadNetwork, type InfNetNetwork } from '../ml/models/infnet'
import { segmentSlices } from '../ml/inference/segmentSlices'
import { readRaster, writePng8 } from '../volume'
import { rasterFilesIn } from '../volume/raster'
import { maskEdge } from './labelledSlices'
import type { TrainingEvent, TrainingHooks, ValidationReport } from './progress'
import { SupervisedConfig, trainSupervised } from './supervised'

export const SemiSupervisedConfig = z.object({
  /** The supervised settings shared by every stage (data = the labelled folder, out = the run folder). */
  supervised: SupervisedConfig,
  /** Folder of unlabelled slices (COVID-SemiSeg: unlabeled/images). */
  unlabeled: z.string(),
  /** How many unlabelled slices to pseudo-label (name order; 0 = all 1600 as in the paper). */
  unlabeledLimit: z.number().int().min(0).default(0),
  /** Pseudo-labels are generated this many slices at a time, the model fine-tuned between groups (the paper: 5). */
  groupSize: z.number().int().positive().default(5),
  /** Epochs of fine-tuning after each group, on the labelled slices plus every pseudo-labelled one so far. */
  fineTuneEpochs: z.number().int().positive().default(1),
  /** Epochs of the Semi-Inf-Net training on the pseudo-labelled slices. */
  pseudoEpochs: z.number().int().positive().default(10),
  /** Epochs of the final fine-tuning on the labelled slices. */
  labelledEpochs: z.number().int().positive().default(10),
  /** A supervised model trained on the same labelled slices (same fold) to start from; trained here when absent. */
  teacher: z.string().optional(),
  /** Probability above which a pixel is pseudo-labelled infection. */
  threshold: z.number().gt(0).lt(1).default(0.5)
})
export type SemiSupervisedConfig = z.infer<typeof SemiSupervisedConfig>

const stem = (f: string): string => basename(f, extname(f))
const done = (dir: string): boolean => existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'card.json'))

/** Writes pseudo-labels (mask and edge PNGs, and the image) of `files` by `network` into `dir`. */
async function pseudoLabel(network: InfNetNetwork, files: string[], dir: string, threshold: number): Promise<void> {
  for (const sub of ['images', 'masks', 'edges']) mkdirSync(join(dir, sub), { recursive: true })
  for (const file of files) {
    const v = await readRaster(file)
    const [w, h] = v.dimensions
    const [map] = await segmentSlices(network, [{ data: v.data as Uint8Array, width: w, height: h }])
    const mask = new Uint8Array(w * h)
    for (let i = 0; i < mask.length; i++) mask[i] = map.data[i] > threshold ? 255 : 0
    copyFileSync(file, join(dir, 'images', basename(file)))
    await writePng8(join(dir, 'masks', stem(file) + '.png'), mask, w, h)
    await writePng8(join(dir, 'edges', stem(file) + '.png'), maskEdge(mask, w, h), w, h)
  }
}

/**
 * Semi-Inf-Net (Fan et al. 2020): a teacher trained on the labelled slices pseudo-labels the
 * unlabelled slices `groupSize` at a time, and is fine-tuned on the labelled plus all pseudo-labelled
 * slices after each group, so later groups get better labels. A network is then trained on the
 * pseudo-labelled slices and fine-tuned on the labelled ones. With folds, only the training fold is
 * ever labelled data; the held-out fold is validated at the end, as in supervised training.
 *
 * Every stage writes into its own folder under `supervised.out` and is skipped when finished, and
 * each stage's training resumes from its checkpoint, so a killed run continues with `resume`.
 */
export async function trainSemiSupervised(
  input: z.input<typeof SemiSupervisedConfig>,
  options: TrainingHooks & { resume?: boolean } = {}
): Promise<{ status: 'finished' | 'stopped'; validation?: ValidationReport; model: string }> {
  const config = SemiSupervisedConfig.parse(input)
  const emit = options.onEvent ?? ((_: TrainingEvent) => {})
  const root = config.supervised.out
  mkdirSync(root, { recursive: true })
  const base = { ...config.supervised, pretrained: undefined }
  const stage = async (name: string, c: Partial<SupervisedConfig>): Promise<{ status: string; validation?: ValidationReport; dir: string }> => {
    const dir = join(root, name)
    if (done(dir)) {
      const result = existsSync(join(dir, 'validation.json')) ? (JSON.parse(readFileSync(join(dir, 'validation.json'), 'utf8')) as ValidationReport) : undefined
      return { status: 'finished', validation: result, dir }
    }
    emit({ kind: 'log', message: `Semi-Inf-Net: ${name}` })
    const r = await trainSupervised({ ...base, ...c, out: dir }, { ...options, resume: true })
    if (r.validation) writeFileSync(join(dir, 'validation.json'), JSON.stringify(r.validation))
    return { status: r.status, validation: r.validation, dir }
  }

  // 1. The teacher: supervised Inf-Net on the labelled slices (or one already trained on the same fold).
  let teacher = config.teacher
  if (!teacher) {
    const t = await stage('teacher', { pretrained: config.supervised.pretrained })
    if (t.status === 'stopped') return { status: 'stopped', model: t.dir }
    teacher = t.dir
  }

  // 2. Pseudo-labels in groups, fine-tuning between groups.
  const all = await rasterFilesIn(config.unlabeled)
  const files = config.unlabeledLimit > 0 ? all.slice(0, config.unlabeledLimit) : all
  const groups = Math.ceil(files.length / config.groupSize)
  let current = teacher
  const pseudoDirs: string[] = []
  for (let g = 0; g < groups; g++) {
    const pseudoDir = join(root, 'pseudo', `group-${String(g).padStart(4, '0')}`)
    pseudoDirs.push(pseudoDir)
    if (!existsSync(join(pseudoDir, 'complete'))) {
      const network = loadNetwork(current) as InfNetNetwork
      try {
        await pseudoLabel(network, files.slice(g * config.groupSize, (g + 1) * config.groupSize), pseudoDir, config.threshold)
      } finally {
        network.dispose()
      }
      writeFileSync(join(pseudoDir, 'complete'), '')
    }
    // The last group's labels need no fine-tuning after them: the teacher's job is done.
    if (g === groups - 1) break
    const tuned = await stage(`finetune-${String(g).padStart(4, '0')}`, {
      init: current,
      epochs: config.fineTuneEpochs,
      extraData: [...pseudoDirs],
      // Fine-tuning validates nothing: the held-out fold is scored once, at the end.
      folds: config.supervised.folds,
      fold: config.supervised.fold,
      decayEpoch: 1000
    })
    if (tuned.status === 'stopped') return { status: 'stopped', model: tuned.dir }
    current = tuned.dir
    emit({ kind: 'log', message: `Semi-Inf-Net: pseudo-labelled ${Math.min((g + 1) * config.groupSize, files.length)}/${files.length}` })
  }

  // 3. Semi-Inf-Net on the pseudo-labelled slices alone (no labelled data: an empty fold-free set).
  const pseudo = await stage('pseudo-trained', {
    epochs: config.pseudoEpochs,
    data: pseudoDirs[0],
    extraData: pseudoDirs.slice(1),
    folds: undefined,
    fold: undefined,
    pretrained: config.supervised.pretrained
  })
  if (pseudo.status === 'stopped') return { status: 'stopped', model: pseudo.dir }

  // 4. Fine-tuning on the labelled slices; validation of the held-out fold.
  const final = await stage('final', { init: pseudo.dir, epochs: config.labelledEpochs })
  return { status: final.status === 'stopped' ? 'stopped' : 'finished', validation: final.validation, model: final.dir }
}
