/**
 * Validation of the anatomical lobes (src/main/regions/lobeSegmentation.ts) on the two real
 * COVID-CT-MD series, printing the figures docs/lobes.md quotes:
 * - P002: per lobe, the slice-level AUC of the lobe's predicted infected volume against the readers'
 *   per-slice lobe labels (P002-labels.csv; row r is InstanceNumber r + 1, volume index 132 − r), for
 *   the anatomical lobes and for the geometric lobes (partitionLungRegions) on the same predictions;
 * - P002 and normal002: lobe volume fractions of the lungs beside the healthy-volunteer ranges of
 *   Yamada et al. (Respiration 2020);
 * - the fissure fit: evidence columns, mean distance fitted surface ↔ evidence (and prior ↔ evidence);
 * - robustness: both lower lobes of normal002 painted consolidated (+40 HU) up to 10 mm below the
 *   fitted fissure: how far the fissure then lies from the clean fit and from the prior;
 * - the lobe step's time per series;
 * and writes coronal and sagittal pictures with the fitted fissures to docs/images/lobes-<series>.png.
 *
 *   npm run build && npx jiti scripts/validate-lobes.ts
 *
 * The infection predictions and the analysis lung masks come from `pulmo segment` (the built CLI,
 * ~25 s per series) and are cached in runs/lobe-validation/<series>/; delete that folder to redo them.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { readDicomSeries, readNifti } from '../src/main/volume'
import type { Volume } from '../src/main/volume/volume'
import { lobeLabelMap, LOBES, partitionLobeRegions, partitionLungRegions } from '../src/main/regions/regions'
import { FISSURE_MODELS, heightGapMm, labelLobes, segmentLobes, type FissureId, type LobeSegmentation } from '../src/main/regions/lobeSegmentation'
import { writeLobePicture } from './lobePicture'
import { surfaceHeight } from '../src/main/regions/fissureSurface'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const shared = resolve(root, '../shared/data/dicom/covid-ct-md')
const cache = join(root, 'runs/lobe-validation')
const YAMADA: Record<string, [number, number]> = { RUL: [11.8, 22.7], RML: [6.6, 13.8], RLL: [22.3, 34.0], LUL: [18.1, 26.6], LLL: [19.4, 28.7] }

async function cached(series: string): Promise<{ volume: Volume; lungs: Uint8Array; infection: Uint8Array }> {
  const dir = join(cache, series)
  if (!existsSync(join(dir, 'summary.json'))) {
    mkdirSync(dir, { recursive: true })
    const r = spawnSync(process.execPath, [join(root, 'bin/pulmo.js'), 'segment', join(shared, series), '--out', dir, '--data-dir', join(cache, 'data')], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`pulmo segment ${series} failed: ${r.stderr}`)
  }
  const [volume] = await readDicomSeries(join(shared, series))
  const lungs = (await readNifti(join(dir, 'lungs.nii.gz'), { unit: 'label' })).data as Uint8Array
  const infection = (await readNifti(join(dir, 'infection.nii.gz'), { unit: 'label' })).data as Uint8Array
  return { volume, lungs, infection }
}

function fractions(lobes: Uint8Array): Record<string, number> {
  const counts = new Array<number>(LOBES.length + 1).fill(0)
  for (const l of lobes) counts[l]++
  const total = counts.slice(1).reduce((a, b) => a + b, 0)
  return Object.fromEntries(LOBES.map((lobe, n) => [lobe.id, Math.round((1000 * counts[n + 1]) / total) / 10]))
}

/** Mann–Whitney AUC (ties count ½) of scores against 0/1 labels. */
function auc(scores: number[], labels: number[]): number {
  let pairs = 0
  let wins = 0
  scores.forEach((p, a) => {
    if (labels[a] !== 1) return
    scores.forEach((q, b) => {
      if (labels[b] !== 0) return
      pairs++
      wins += p > q ? 1 : p === q ? 0.5 : 0
    })
  })
  return pairs ? wins / pairs : NaN
}

function sliceAucs(lobes: Uint8Array, infection: Uint8Array, volume: Volume): Record<string, number> {
  const [nx, ny, nz] = volume.dimensions
  const rows = readFileSync(join(shared, 'P002-labels.csv'), 'utf8').trim().split('\n')
  const header = rows[0].split(',')
  const table = rows.slice(1).map((l) => l.split(',').map(Number))
  if (table.length !== nz) throw new Error(`P002-labels.csv has ${table.length} rows for ${nz} slices`)
  const result: Record<string, number> = {}
  for (const lobe of LOBES) {
    const column = header.indexOf(lobe.id)
    const labels = table.map((row) => row[column])
    if (!labels.includes(1)) continue
    const value = LOBES.indexOf(lobe) + 1
    const scores = table.map((_, r) => {
      const k = nz - 1 - r
      let n = 0
      for (let v = k * nx * ny; v < (k + 1) * nx * ny; v++) if (infection[v] && lobes[v] === value) n++
      return n
    })
    result[lobe.id] = Math.round(1000 * auc(scores, labels)) / 1000
  }
  return result
}

function fissureFigures(s: LobeSegmentation): Record<string, unknown> {
  return Object.fromEntries(
    s.fissures.map((f) => [
      f.id,
      {
        evidence: `${f.evidenceColumns}/${f.searchedColumns}`,
        fitMm: Math.round(f.meanDistanceMm * 100) / 100,
        priorMm: Math.round(f.priorDistanceMm * 100) / 100,
        shiftFromPriorMm: Math.round(f.shiftFromPriorMm * 10) / 10
      }
    ])
  )
}

for (const series of ['P002', 'normal002']) {
  const { volume, lungs, infection } = await cached(series)
  const started = performance.now()
  const cpuStarted = process.cpuUsage()
  const anatomical = segmentLobes(volume, lungs)
  const regions = partitionLobeRegions(anatomical.labels, volume)
  const lobeMs = performance.now() - started
  const cpu = process.cpuUsage(cpuStarted)
  const geometric = lobeLabelMap(partitionLungRegions(lungs, volume))
  // Wall and CPU time of the lobe step (lobes + regions): on a shared machine the wall time includes waiting.
  const line: Record<string, unknown> = {
    series,
    lobeSeconds: Math.round(lobeMs / 100) / 10,
    lobeCpuSeconds: Math.round((cpu.user + cpu.system) / 100_000) / 10,
    regionVoxels: regions.reduce((n, r) => n + (r > 0 ? 1 : 0), 0)
  }
  const f = fractions(anatomical.labels)
  line.fractions = f
  line.outsideYamada = Object.entries(f).filter(([id, p]) => p < YAMADA[id][0] || p > YAMADA[id][1]).map(([id]) => id)
  line.geometricFractions = fractions(geometric)
  if (series === 'P002') {
    line.sliceAuc = sliceAucs(anatomical.labels, infection, volume)
    line.geometricSliceAuc = sliceAucs(geometric, infection, volume)
  }
  line.fissures = fissureFigures(anatomical)
  if (series === 'normal002') line.robustness = await robustness(volume, lungs, anatomical)
  await writeLobePicture(join(root, `docs/images/lobes-${series}.png`), volume, anatomical)
  console.log(JSON.stringify(line))
}

/** Paints both lower lobes consolidated (+40 HU) from 10 mm below the fitted fissure down; refits. */
async function robustness(volume: Volume, lungs: Uint8Array, clean: LobeSegmentation): Promise<Record<string, unknown>> {
  const painted = { ...volume, data: Int16Array.from(volume.data as Int16Array) }
  // The clean fit moved 10 mm down (the constant term of each height field) marks where the paint starts.
  const lowered = new Map<FissureId, number[]>()
  for (const f of clean.fissures) {
    const frame = clean.frames[f.lung]!
    lowered.set(f.id, f.coefficients.map((c, r) => (r === 0 && f.id !== 'rightHorizontal' ? c - 10 / frame.sdMm[2] : c)))
  }
  const shifted = labelLobes(lungs, volume, clean.frames, lowered)
  let voxels = 0
  for (let v = 0; v < lungs.length; v++) {
    if (shifted[v] === 3 || shifted[v] === 5) {
      painted.data[v] = 40
      voxels++
    }
  }
  const refit = segmentLobes(painted, lungs)
  await writeLobePicture(join(root, 'docs/images/lobes-normal002-consolidated.png'), painted, refit)
  const out: Record<string, unknown> = { paintedMl: Math.round((voxels * volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000) }
  for (const f of refit.fissures) {
    if (f.id === 'rightHorizontal') continue
    const c = clean.fissures.find((g) => g.id === f.id)!
    out[f.id] = {
      evidence: `${f.evidenceColumns}/${f.searchedColumns} (clean ${c.evidenceColumns})`,
      fromCleanFitMm: Math.round(heightGapMm(f.coefficients, c.coefficients, c.columns, refit.frames[f.lung]!) * 10) / 10,
      fromPriorMm: Math.round(heightGapMm(f.coefficients, FISSURE_MODELS.find((m) => m.id === f.id)!.mean, c.columns, refit.frames[f.lung]!) * 10) / 10,
      cleanFitFromPriorMm: Math.round(c.shiftFromPriorMm * 10) / 10,
      // + up, away from the paint; − down, toward it (the paint starts at −10)
      signedShiftFromCleanFitMm: Math.round(signedGapMm(f.coefficients, c.coefficients, c.columns, refit.frames[f.lung]!.sdMm[2]) * 10) / 10,
      paintedEdgeFromCleanFitMm: -10
    }
  }
  return out
}

/** The mean of (a − b) heights over the columns, mm (+ superior). */
function signedGapMm(a: number[], b: number[], columns: Float32Array, sdZMm: number): number {
  let sum = 0
  for (let t = 0; t < columns.length; t += 2) sum += surfaceHeight(a, columns[t], columns[t + 1]) - surfaceHeight(b, columns[t], columns[t + 1])
  return (2 * sum * sdZMm) / columns.length
}
