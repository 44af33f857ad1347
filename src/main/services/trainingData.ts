import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { appRoot, resourcesDir } from '../paths'
import { maskEdge } from '../training/labelledSlices'
import { applyWindow, LUNG_WINDOW, writePng8 } from '../volume'
import type { Volume } from '../volume/volume'

/**
 * The bundled training slices (COVID-SemiSeg layout): shipped under resources/training when the
 * licence allows it, else the project's shared data folder beside a development checkout.
 */
export function bundledTrainingDir(): string | undefined {
  const candidates = [join(resourcesDir(), 'training'), resolve(appRoot(), '..', 'shared', 'data', 'covid-semiseg', 'train')]
  return candidates.find((d) => existsSync(join(d, 'images')))
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

export function copyBundledSlices(dir: string): number {
  const source = bundledTrainingDir()
  if (!source) throw new Error('The bundled training slices are not installed.')
  for (const sub of ['images', 'masks', 'edges']) cpSync(join(source, sub), join(dir, sub), { recursive: true })
  return readdirSync(join(source, 'images')).length
}
