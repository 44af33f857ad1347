import { resolve } from 'node:path'
import { envDataDir, platformDataDir } from '../env'

/**
 * Where Pulmo keeps its database and voxel files: an explicit option wins, then PULMO_DATA_DIR,
 * then the platform's per-user application data folder (the same place Electron's userData uses).
 */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit)
  return envDataDir() ?? platformDataDir()
}
