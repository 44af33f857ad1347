import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { appRoot, resourcesDir } from '../paths'
import { maskEdge } from '../training/labelledSlices'
import { applyWindow, LUNG_WINDOW, writePng8 } from '../volume'
import type { Volume } from '../volume/volume'

/** Where a workstation's own copy of the training slices goes: inside its data folder. */
export const ADDED_TRAINING_FOLDER = 'training-slices'
const LAYOUT = ['images', 'masks', 'edges'] as const

/**
 * The bundled training slices (COVID-SemiSeg layout: images/, masks/, edges/). COVID-SemiSeg is
 * licensed for non-commercial research only, so installers do not ship it: it is found in the data
 * folder's training-slices/ (where the retraining screen tells a user to copy it), under
 * resources/training when a build is allowed to carry it, or in the project's shared data folder
 * beside a development checkout.
 */
export function bundledTrainingDir(dataDir: string): string | undefined {
  const candidates = [
    join(dataDir, ADDED_TRAINING_FOLDER),
    join(resourcesDir(), 'training'),
    resolve(appRoot(), '..', 'shared', 'data', 'covid-semiseg', 'train')
  ]
  return candidates.find((d) => LAYOUT.every((sub) => existsSync(join(d, sub))))
}

/** How many bundled slices this workstation has, and where a user adds them when it has none. */
export function bundledTrainingSlices(dataDir: string): { slices: number; addTo: string } {
  const dir = bundledTrainingDir(dataDir)
  return { slices: dir ? readdirSync(join(dir, 'images')).length : 0, addTo: join(dataDir, ADDED_TRAINING_FOLDER) }
}

/** Writes one corrected slice as a training example: lung-windowed image, binary mask, edge map. */
export async function writeTrainingSlice(dir: string, name: string, volume: Volume, labels: Uint8Array, k: number): Promise<void> {
  const [nx, ny] = volume.dimensions
  const size = nx * ny
  const image =
    volume.unit === 'HU' ? applyWindow(volume.data.subarray(k * size, (k + 1) * size), LUNG_WINDOW.center, LUNG_WINDOW.width) : Uint8Array.from(volume.data.subarray(k * size, (k + 1) * size))
  const mask = new Uint8Array(size)
  for (let i = 0; i < size; i++) mask[i] = labels[k * size + i] > 0 ? 255 : 0
  for (const sub of ['images', 'masks', 'edges']) mkdirSync(join(dir, sub), { recursive: true })
  await writePng8(join(dir, 'images', `${name}.png`), image, nx, ny)
  await writePng8(join(dir, 'masks', `${name}.png`), mask, nx, ny)
  await writePng8(join(dir, 'edges', `${name}.png`), maskEdge(mask, nx, ny), nx, ny)
}

export function copyBundledSlices(dataDir: string, dir: string): number {
  const source = bundledTrainingDir(dataDir)
  if (!source) {
    throw new Error(
      `The bundled training slices are not installed (COVID-SemiSeg is not shipped: its licence is non-commercial research only). ` +
        `Copy its train split's images/, masks/ and edges/ folders into ${join(dataDir, ADDED_TRAINING_FOLDER)}, or train on corrected slices alone.`
    )
  }
  for (const sub of LAYOUT) cpSync(join(source, sub), join(dir, sub), { recursive: true })
  return readdirSync(join(source, 'images')).length
}
