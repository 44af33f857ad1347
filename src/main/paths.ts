import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The application root (the folder holding package.json), found by walking up from this module:
 * the bundler may place this code in out/main or in a chunk folder below it.
 */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('Cannot find the Pulmo application folder (no package.json above the code).')
    dir = parent
  }
}

export const rendererDir = (): string => join(appRoot(), 'out', 'renderer')
export const resourcesDir = (): string => join(appRoot(), 'resources')
