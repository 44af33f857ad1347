import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { writeVolume } from '../volume'
import type { Volume } from '../volume/volume'

/**
 * Label volumes kept in the data folder (masks/, analysis/): written under a temporary name and
 * renamed, named by a random id so a path never reveals patient data or a version number that a
 * concurrent save could also claim.
 */
export async function storeLabelVolume(dataDir: string, folder: string, volume: Volume): Promise<string> {
  const dir = join(dataDir, folder)
  mkdirSync(dir, { recursive: true })
  const name = `${randomUUID()}.nii.gz`
  const tmp = join(dir, `.tmp-${name}`)
  await writeVolume(tmp, volume)
  renameSync(tmp, join(dir, name))
  return join(folder, name)
}

/** Removes files in `folder` that no database row references (left by a crash between write and commit). */
export function removeUnreferenced(dataDir: string, folder: string, referenced: Set<string>): void {
  const dir = join(dataDir, folder)
  mkdirSync(dir, { recursive: true })
  for (const name of readdirSync(dir)) if (!referenced.has(join(folder, name))) rmSync(join(dir, name), { force: true, recursive: true })
}
