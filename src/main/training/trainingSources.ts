/**
 * The labelled data of ../shared/data turned into training folders of one layout (images/, masks/,
 * edges/, as COVID-SemiSeg), each prepared the way inference prepares a series:
 * - zenodo-train/, zenodo-heldout/: the radiologist-labelled zenodo slices, split by whole volume
 *   group (never one volume on both sides), each cropped to its group's lung extent plus the margin
 *   inference crops with (60 mm), the Radiopaedia groups turned right side up, each slice's lung mask
 *   beside it in lungs/ (for evaluating with the analysis' lung gate, `pulmo evaluate --lungs`);
 * - pseudo/: the unlabelled COVID-SemiSeg slices with their published Semi-Inf-Net pseudo-labels,
 *   without the slices of held-out coronacases volumes (the unlabelled slices come from the same 20
 *   patients; the Radiopaedia file names cannot be matched to zenodo groups, which is why only
 *   coronacases groups are ever held out);
 * - negatives-p002/, negatives-normal002/: slices without infection cut from the real DICOM series by
 *   inferVolume's own crop and input window, with empty masks (P002: the slices its readers marked
 *   uninfected; normal002: every slice with lung). normal002 stays out of the default recipe so the
 *   normal scan the model is judged on is never trained on.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { readDicomSeries, readRaster, writePng8 } from '../volume'
import type { Volume } from '../volume/volume'
import { segmentLungs } from '../lungs/lungMask'
import { networkInputSlices } from '../analysis/volumeInference'
import { maskEdge } from './labelledSlices'
import { shuffled } from './folds'

/** Zenodo groups held out by default: three whole coronacases volumes (417 slices). */
export const DEFAULT_HELD_OUT_GROUPS = ['coronacases-02', 'coronacases-05', 'coronacases-08']

/** 60 mm at the zenodo slices' pixel size (512 px of a ≈ 350 mm field of view, halved to 256). */
const ZENODO_CROP_MARGIN_PX = 44

export interface PreparedSources {
  zenodoTrain: number
  zenodoHeldOut: number
  pseudo: number
  negativesP002: number
  negativesNormal002: number
  heldOutGroups: string[]
}

interface Plane {
  data: Uint8Array
  width: number
  height: number
}

async function readPlane(path: string): Promise<Plane> {
  const v = await readRaster(path)
  return { data: v.data as Uint8Array, width: v.dimensions[0], height: v.dimensions[1] }
}

function cropPlane(p: Plane, box: { x0: number; y0: number; x1: number; y1: number }, flip: boolean): Plane {
  const width = box.x1 - box.x0 + 1
  const height = box.y1 - box.y0 + 1
  const data = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    const sy = flip ? p.height - 1 - (box.y0 + y) : box.y0 + y
    data.set(p.data.subarray(sy * p.width + box.x0, sy * p.width + box.x0 + width), y * width)
  }
  return { data, width, height }
}

function binarise(p: Plane): Plane {
  for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i] > 128 ? 255 : 0
  return p
}

async function writeSample(dir: string, name: string, image: Plane, mask: Uint8Array): Promise<void> {
  await writePng8(join(dir, 'images', `${name}.png`), image.data, image.width, image.height)
  await writePng8(join(dir, 'masks', `${name}.png`), mask, image.width, image.height)
  await writePng8(join(dir, 'edges', `${name}.png`), maskEdge(mask, image.width, image.height), image.width, image.height)
}

function freshLayout(dir: string, extra: string[] = []): void {
  rmSync(dir, { recursive: true, force: true })
  for (const sub of ['images', 'masks', 'edges', ...extra]) mkdirSync(join(dir, sub), { recursive: true })
}

/** volumes.csv: file → volume group. */
export function zenodoGroups(zenodoDir: string): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const line of readFileSync(join(zenodoDir, 'volumes.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [file, group] = line.split(',')
    if (!groups.has(group)) groups.set(group, [])
    groups.get(group)?.push(file)
  }
  return groups
}

async function prepareZenodo(zenodoDir: string, out: string, heldOut: string[], log: (l: string) => void): Promise<{ train: number; heldOut: number }> {
  const counts = { train: 0, heldOut: 0 }
  // the zenodo folders also carry each slice's lung mask, cropped alike (`pulmo evaluate --lungs`)
  freshLayout(join(out, 'zenodo-train'), ['lungs'])
  freshLayout(join(out, 'zenodo-heldout'), ['lungs'])
  for (const [group, files] of zenodoGroups(zenodoDir)) {
    const held = heldOut.includes(group)
    const target = join(out, held ? 'zenodo-heldout' : 'zenodo-train')
    const flip = group.startsWith('radiopaedia')
    const lungs = await Promise.all(files.map((f) => readPlane(join(zenodoDir, 'lungs', f))))
    // one crop per volume group, as inference crops a series once
    const { width, height } = lungs[0]
    let x0 = width
    let y0 = height
    let x1 = -1
    let y1 = -1
    for (const l of lungs) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (l.data[y * width + x] <= 128) continue
          const fy = flip ? height - 1 - y : y
          x0 = Math.min(x0, x)
          x1 = Math.max(x1, x)
          y0 = Math.min(y0, fy)
          y1 = Math.max(y1, fy)
        }
      }
    }
    const box = {
      x0: Math.max(0, x0 - ZENODO_CROP_MARGIN_PX),
      y0: Math.max(0, y0 - ZENODO_CROP_MARGIN_PX),
      x1: Math.min(width - 1, x1 + ZENODO_CROP_MARGIN_PX),
      y1: Math.min(height - 1, y1 + ZENODO_CROP_MARGIN_PX)
    }
    for (const [i, f] of files.entries()) {
      const name = `${group}-${basename(f, extname(f))}`
      const image = cropPlane(await readPlane(join(zenodoDir, 'images', f)), box, flip)
      const mask = binarise(cropPlane(await readPlane(join(zenodoDir, 'infection', f)), box, flip))
      await writeSample(target, name, image, mask.data)
      const lung = binarise(cropPlane(lungs[i], box, flip))
      await writePng8(join(target, 'lungs', `${name}.png`), lung.data, lung.width, lung.height)
    }
    counts[held ? 'heldOut' : 'train'] += files.length
    log(`zenodo ${group}: ${files.length} slices → ${held ? 'held out' : 'training'} (crop ${box.x1 - box.x0 + 1}×${box.y1 - box.y0 + 1}${flip ? ', turned right side up' : ''})`)
  }
  writeFileSync(join(out, 'zenodo-heldout', 'groups.json'), JSON.stringify({ heldOut }, null, 1) + '\n')
  return counts
}

/** "Data-1_coronacases_org_004_12" → "coronacases-04"; Radiopaedia names have no zenodo group. */
export function unlabeledGroup(stem: string): string | undefined {
  const m = /coronacases_org_0*(\d+)_/.exec(stem)
  return m ? `coronacases-${m[1].padStart(2, '0')}` : undefined
}

/**
 * The JPEG slices are re-encoded as grey PNG (lossless, the decoded JPEG exactly): a training run
 * then loads them in milliseconds instead of ITK's ≈ 0.4 s a file.
 */
async function preparePseudo(semisegDir: string, out: string, heldOut: string[]): Promise<number> {
  const dir = join(out, 'pseudo')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'images'), { recursive: true })
  mkdirSync(join(dir, 'masks'), { recursive: true })
  let n = 0
  for (const f of readdirSync(join(semisegDir, 'unlabeled', 'images')).sort()) {
    const stem = basename(f, extname(f))
    const group = unlabeledGroup(stem)
    if (group && heldOut.includes(group)) continue
    const label = join(semisegDir, 'unlabeled', 'pseudo-labels', `${stem}.png`)
    if (!existsSync(label)) continue
    const image = await readPlane(join(semisegDir, 'unlabeled', 'images', f))
    await writePng8(join(dir, 'images', `${stem}.png`), image.data, image.width, image.height)
    copyFileSync(label, join(dir, 'masks', `${stem}.png`))
    n++
  }
  return n
}

async function prepareNegatives(series: string, out: string, uninfected: (k: number, volume: Volume) => boolean, prefix: string): Promise<number> {
  freshLayout(out)
  const [volume] = await readDicomSeries(series)
  const lungs = segmentLungs(volume)
  const [nx, ny, nz] = volume.dimensions
  const slice = nx * ny
  // a slice counts as holding lung above 10 cm² of it: the caps of the lungs look like nothing the
  // network is asked about
  const minVoxels = 1000 / (volume.spacing[0] * volume.spacing[1])
  const ks: number[] = []
  for (let k = 0; k < nz; k++) {
    let n = 0
    for (let i = k * slice; i < (k + 1) * slice; i++) if (lungs.labels[i] !== 0) n++
    if (n >= minVoxels && uninfected(k, volume)) ks.push(k)
  }
  const slices = networkInputSlices(volume, lungs, ks)
  for (const [i, k] of ks.entries()) {
    const s = slices[i]
    await writeSample(out, `${prefix}-${String(k).padStart(3, '0')}`, s, new Uint8Array(s.width * s.height))
  }
  return ks.length
}

/** Writes every training folder into `out` from the shared data folder. */
export async function prepareTrainingSources(
  shared: string,
  out: string,
  options: { heldOutGroups?: string[]; log?: (line: string) => void } = {}
): Promise<PreparedSources> {
  const log = options.log ?? (() => {})
  const heldOut = options.heldOutGroups ?? DEFAULT_HELD_OUT_GROUPS
  const zenodo = await prepareZenodo(join(shared, 'zenodo-covid19-ct-seg'), out, heldOut, log)
  const pseudo = await preparePseudo(join(shared, 'covid-semiseg'), out, heldOut)
  log(`pseudo-labels: ${pseudo} slices (held-out volumes' slices left out)`)
  // P002-labels.csv row r is InstanceNumber r + 1, at volume index nz − 1 − r (the volume runs caudal to cranial)
  const labels = readFileSync(join(shared, 'dicom/covid-ct-md/P002-labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number))
  const negativesP002 = await prepareNegatives(join(shared, 'dicom/covid-ct-md/P002'), join(out, 'negatives-p002'), (k, v) => labels[v.dimensions[2] - 1 - k]?.[1] === 0, 'p002')
  log(`negatives: ${negativesP002} uninfected P002 slices`)
  const negativesNormal002 = await prepareNegatives(join(shared, 'dicom/covid-ct-md/normal002'), join(out, 'negatives-normal002'), () => true, 'normal002')
  log(`negatives: ${negativesNormal002} normal002 slices (not in the default recipe)`)
  return { zenodoTrain: zenodo.train, zenodoHeldOut: zenodo.heldOut, pseudo, negativesP002, negativesNormal002, heldOutGroups: heldOut }
}

/**
 * A seeded sample of prepared training folders copied into one folder of the same layout, marked
 * done when complete (a stage that trains on it waits for that mark):
 * - `perSource`: that many slices of each folder, drawn with seed + the folder's index, names kept
 *   (the replay of the fine-tuning);
 * - `total`: that many slices of all the folders together, drawn with the seed and named
 *   SOURCE-SLICE so two folders' names cannot collide (a row that sees a fraction of the pool).
 */
export function sampleSlices(sources: string[], out: string, size: { perSource: number } | { total: number }, seed: number): void {
  const files = (dir: string): string[] => readdirSync(join(dir, 'images')).sort()
  const picked: { dir: string; file: string; as: string }[] =
    'perSource' in size
      ? sources.flatMap((dir, n) => shuffled(files(dir), seed + n).slice(0, size.perSource).map((file) => ({ dir, file, as: file })))
      : shuffled(
          sources.flatMap((dir) => files(dir).map((file) => ({ dir, file, as: `${basename(dir)}-${file}` }))),
          seed
        ).slice(0, size.total)
  const seen = new Set<string>()
  for (const { dir: _dir, as } of picked) {
    if (seen.has(as)) throw new Error(`sampling ${sources.join(', ')}: two slices are named ${as}`)
    seen.add(as)
  }
  freshLayout(out)
  for (const { dir, file, as } of picked) {
    const stem = file.replace(/\.[^.]+$/, '')
    const target = as.replace(/\.[^.]+$/, '')
    copyFileSync(join(dir, 'images', file), join(out, 'images', as))
    copyFileSync(join(dir, 'masks', `${stem}.png`), join(out, 'masks', `${target}.png`))
    const edge = join(dir, 'edges', `${stem}.png`)
    if (existsSync(edge)) copyFileSync(edge, join(out, 'edges', `${target}.png`))
  }
  writeFileSync(join(out, 'done'), '')
}
