import { copyFileSync, mkdirSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { axialOrientation } from '../../src/main/volume/volumeGeometry'
import { readVolumes } from '../../src/main/volume'
import { projectRoot } from './paths'

/** Two colour photographs of a circuit board (see test/fixtures/photographs/README.md). */
export const photographs = resolve(projectRoot, 'test/fixtures/photographs')

/**
 * Copies the `count` most inferior slices of a DICOM series (by their position along the patient's
 * feet–head axis, not by file name) into `dir`; returns their file names.
 */
export async function copyMostInferiorSlices(seriesDir: string, count: number, dir: string): Promise<string[]> {
  const [volume] = await readVolumes([seriesDir])
  const files = volume.metadata?.sourceFiles
  if (!files) throw new Error(`${seriesDir} has no source files`)
  // Slice k runs towards the head when towardSuperior is +1: the first slices are the lowest.
  const inferior = axialOrientation(volume.direction).towardSuperior === 1 ? files.slice(0, count) : files.slice(-count)
  mkdirSync(dir, { recursive: true })
  for (const f of inferior) copyFileSync(f, join(dir, basename(f)))
  return inferior.map((f) => basename(f))
}
