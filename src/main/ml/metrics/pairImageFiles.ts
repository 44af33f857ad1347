/**
 * Pairs prediction maps with ground-truth masks by base name, ignoring the extension (a network
 * writes `12.png` for the ground truth `12.png` or `12.jpg`). Every file must find its partner:
 * a silently skipped image would change the averages without anyone noticing.
 */
import { readdir } from 'node:fs/promises'
import { extname, join, parse } from 'node:path'
import { MetricsInputError } from './metricsInputError'

export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg']

export interface ImagePair {
  /** The shared base name, e.g. "12". */
  name: string
  prediction: string
  groundTruth: string
}

/** Image files of a folder by base name; two files with one base name are ambiguous. */
async function imagesByBaseName(dir: string, role: string): Promise<Map<string, string>> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new MetricsInputError(dir, `cannot list the ${role} folder: ${detail}`, { cause: error })
  }
  const byName = new Map<string, string>()
  for (const entry of entries) {
    if (!IMAGE_EXTENSIONS.includes(extname(entry).toLowerCase())) continue
    const name = parse(entry).name
    const previous = byName.get(name)
    if (previous !== undefined) {
      throw new MetricsInputError(join(dir, entry), `has the same base name as ${previous}; which ${role} is meant?`)
    }
    byName.set(name, entry)
  }
  return byName
}

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare

export async function pairImageFiles(predDir: string, gtDir: string): Promise<ImagePair[]> {
  const predictions = await imagesByBaseName(predDir, 'prediction')
  const truths = await imagesByBaseName(gtDir, 'ground truth')
  const problems: string[] = []
  for (const [name, file] of predictions) {
    if (!truths.has(name)) problems.push(`${join(predDir, file)} has no ground truth ${name}.* in ${gtDir}`)
  }
  for (const [name, file] of truths) {
    if (!predictions.has(name)) problems.push(`${join(gtDir, file)} has no prediction map ${name}.* in ${predDir}`)
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ')
    const more = problems.length > 10 ? `; and ${problems.length - 10} more` : ''
    throw new MetricsInputError(predDir, `unpaired images: ${shown}${more}`)
  }
  if (predictions.size === 0) {
    throw new MetricsInputError(predDir, `holds no ${IMAGE_EXTENSIONS.join('/')} images`)
  }
  return [...predictions.keys()].sort(naturalOrder).map((name) => ({
    name,
    prediction: join(predDir, predictions.get(name) ?? ''),
    groundTruth: join(gtDir, truths.get(name) ?? '')
  }))
}
