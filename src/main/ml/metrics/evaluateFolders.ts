/**
 * `pulmo evaluate --pred DIR --gt DIR`: scores every prediction map in one folder against the
 * ground truth of the same base name in another and summarises the set by Inf-Net's protocol.
 * Images are decoded and scored one at a time, so memory stays at one pair whatever the set size.
 */
import { pairImageFiles } from './pairImageFiles'
import { readGreyImage } from './readGreyImage'
import { scoreImage, type ImageScores } from './scoreImage'
import { summariseScores, type EvaluationSummary } from './summariseScores'

export interface EvaluateFoldersOptions {
  /** Called after each scored image, e.g. for a progress line. */
  onImage?: (name: string, done: number, total: number) => void
}

export async function evaluateFolders(
  predDir: string,
  gtDir: string,
  options: EvaluateFoldersOptions = {}
): Promise<EvaluationSummary> {
  const pairs = await pairImageFiles(predDir, gtDir)
  const scores: ImageScores[] = []
  for (const pair of pairs) {
    const prediction = await readGreyImage(pair.prediction)
    const groundTruth = await readGreyImage(pair.groundTruth)
    scores.push(scoreImage(prediction, groundTruth, pair.prediction))
    options.onImage?.(pair.name, scores.length, pairs.length)
  }
  return summariseScores(scores)
}
