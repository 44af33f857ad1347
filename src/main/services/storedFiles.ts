import { randomUUID } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeVolume } from '../volume'
import type { Volume } from '../volume/volume'

/** Prefix of files being written; a name with it is never referenced by the database. */
export const TEMPORARY_PREFIX = '.tmp-'

/** Flushes a file's bytes to the disk, so a rename never publishes a name whose data is still in flight. */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Flushes a folder's entries (the renames into it); not possible on Windows, where a rename is already durable. */
export function syncFolder(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // EISDIR/EPERM on Windows: folders cannot be opened for fsync there.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Writes a file into `folder` under a temporary name, flushes it and renames it into place, so the
 * final name only ever holds a complete file. Returns the path relative to `dataDir`. Files are
 * named by a random id so a path never reveals patient data or a version number that a concurrent
 * save could also claim.
 */
async function storeDurably(dataDir: string, folder: string, extension: string, write: (tmp: string) => Promise<void> | void): Promise<string> {
  const dir = join(dataDir, folder)
  mkdirSync(dir, { recursive: true })
  const name = `${randomUUID()}${extension}`
  const tmp = join(dir, `${TEMPORARY_PREFIX}${name}`)
  try {
    await write(tmp)
    syncFile(tmp)
    renameSync(tmp, join(dir, name))
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  syncFolder(dir)
  return join(folder, name)
}

/**
 * A complete file written elsewhere in the data folder (the compute process's label volumes), moved
 * into `folder` under a random name: flushed, renamed, the folder flushed. Returns the path relative to `dataDir`.
 */
export function adoptFile(dataDir: string, folder: string, file: string): string {
  const dir = join(dataDir, folder)
  mkdirSync(dir, { recursive: true })
  const name = `${randomUUID()}${file.endsWith('.nii.gz') ? '.nii.gz' : ''}`
  syncFile(file)
  renameSync(file, join(dir, name))
  syncFolder(dir)
  return join(folder, name)
}

/** A label volume (masks/, analysis/), stored atomically; see storeDurably. */
export function storeLabelVolume(dataDir: string, folder: string, volume: Volume): Promise<string> {
  return storeDurably(dataDir, folder, '.nii.gz', (tmp) => writeVolume(tmp, volume))
}

/** Bytes (a signed report's PDF), stored atomically; see storeDurably. */
export function storeBytes(dataDir: string, folder: string, extension: string, bytes: Uint8Array): Promise<string> {
  return storeDurably(dataDir, folder, extension, (tmp) => writeFileSync(tmp, bytes))
}

/**
 * Removes files in `folder` that no database row references: interrupted temporary writes, and
 * complete files whose row was never committed (a crash between the rename and the commit).
 */
export function removeUnreferenced(dataDir: string, folder: string, referenced: Set<string>): void {
  const dir = join(dataDir, folder)
  mkdirSync(dir, { recursive: true })
  for (const name of readdirSync(dir)) if (!referenced.has(join(folder, name))) rmSync(join(dir, name), { force: true, recursive: true })
}
