import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { semisegTrain, tempDir } from './paths'

/** A training folder with the first `n` COVID-SemiSeg slices (images, masks, edges), in a temp dir. */
export function tinyTrainingSet(n: number): { path: string; remove(): void } {
  const dir = tempDir('pulmo-tiny-')
  const names = readdirSync(join(semisegTrain, 'images'))
    .filter((f) => f.endsWith('.jpg'))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .slice(0, n)
    .map((f) => f.replace(/\.jpg$/, ''))
  for (const sub of ['images', 'masks', 'edges']) mkdirSync(join(dir.path, sub))
  for (const name of names) {
    copyFileSync(join(semisegTrain, 'images', name + '.jpg'), join(dir.path, 'images', name + '.jpg'))
    copyFileSync(join(semisegTrain, 'masks', name + '.png'), join(dir.path, 'masks', name + '.png'))
    copyFileSync(join(semisegTrain, 'edges', name + '.png'), join(dir.path, 'edges', name + '.png'))
  }
  return dir
}
