import { mkdirSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { loadNetwork, readModelCard, type InfNetNetwork, type MultiClassNetwork } from '../ml/models/infnet'
import { modelInputWindow, modelTestTimeFlip } from '../ml/inference/preprocess'
import { checkChestCt } from '../analysis/chestCtCheck'
import { analyseVolume } from '../analysis/volumeAnalysis'
import { checksum, readNifti, writeVolume } from '../volume'
import type { Volume } from '../volume/volume'
import type { AnalyzeJob, AnalyzeResult, ComputeEvent, WrittenLabels } from './computeProtocol'

// Networks stay loaded between jobs: loading costs more than a small series' inference.
const networks = new Map<string, ReturnType<typeof loadNetwork>>()
function network(dir: string): ReturnType<typeof loadNetwork> {
  let n = networks.get(dir)
  if (!n) {
    n = loadNetwork(dir)
    networks.set(dir, n)
  }
  return n
}

function labelVolume(like: Volume, data: Uint8Array): Volume {
  return { ...like, data, unit: 'label', metadata: undefined }
}

async function writeAtomically(path: string, volume: Volume): Promise<WrittenLabels> {
  const tmp = path.replace(/\.nii\.gz$/, '.partial.nii.gz')
  await writeVolume(tmp, volume)
  renameSync(tmp, path)
  return { file: path, checksum: checksum(volume) }
}

/**
 * Checks that a stored series is a chest CT (refused with NotChestCtError, whose message names the
 * reason), segments and scores it, and writes its label volumes next to each other.
 */
export async function runAnalyzeJob(
  job: AnalyzeJob,
  emit: (e: ComputeEvent) => void,
  cancelled: () => boolean
): Promise<AnalyzeResult> {
  // The data folder stores every series as NIfTI (studies.ts): no other format to try.
  const volume = await readNifti(job.volumePath)
  // The stored NIfTI does not carry the modality; the service checked it and passes it on.
  volume.modality = job.modality
  emit({ kind: 'progress', done: 0, total: 1, label: 'lungs' })
  const check = checkChestCt(volume)
  const infection = network(job.modelDir)
  if (infection.config.architecture !== 'infnet') throw new Error(`${job.modelDir} is not a single-class Inf-Net model`)
  const multiclass = job.multiclassModelDir ? network(job.multiclassModelDir) : undefined
  const analysis = await analyseVolume(volume, {
    infection: infection as InfNetNetwork,
    multiclass: multiclass?.config.architecture === 'infnet-multiclass' ? (multiclass as MultiClassNetwork) : undefined,
    lungs: check.lungs,
    inputWindow: modelInputWindow(readModelCard(job.modelDir)),
    flip: modelTestTimeFlip(readModelCard(job.modelDir)),
    onProgress: (done, total, label) => emit({ kind: 'progress', done, total, label }),
    cancelled
  })
  mkdirSync(job.outDir, { recursive: true })
  const labels = await writeAtomically(join(job.outDir, 'labels.nii.gz'), labelVolume(volume, analysis.inference.labels))
  const lungs = await writeAtomically(join(job.outDir, 'lungs.nii.gz'), labelVolume(volume, analysis.inference.lungs.labels))
  const lobesFile = join(job.outDir, 'lobes.nii.gz')
  const regionsFile = join(job.outDir, 'regions.nii.gz')
  await writeAtomically(lobesFile, labelVolume(volume, analysis.lobes.labels))
  await writeAtomically(regionsFile, labelVolume(volume, analysis.regionLabels))
  return { report: analysis.report, pattern: analysis.pattern, timing: analysis.timing, labels, lungs, lobesFile, regionsFile, warnings: check.warnings }
}
