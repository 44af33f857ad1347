import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Where Pulmo keeps its database and voxel files: an explicit option wins, then PULMO_DATA_DIR,
 * then the platform's per-user application data folder (the same place Electron's userData uses).
 */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit)
  if (process.env.PULMO_DATA_DIR) return resolve(process.env.PULMO_DATA_DIR)
  const home = homedir()
  switch (process.platform) {
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Pulmo')
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Pulmo')
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'Pulmo')
  }
}
