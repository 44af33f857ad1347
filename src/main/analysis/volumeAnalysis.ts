/**
 * The automatic severity pipeline of one series: infection segmentation (volumeInference.ts), the
 * CT-SS region partition, and the scores, with how long each part took.
 */
import type { Volume } from '../volume/volume'
import { scoreMask } from '../scores/scoreMask'
import type { SeverityOptions, SeverityReport } from '../scores/scores'
import { ctPatternOf } from '../pattern/ctPatternOf'
import type { CtPattern } from '../../shared/ctPattern'
import { inferVolume, type VolumeInference, type VolumeInferenceOptions } from './volumeInference'

export interface VolumeAnalysisOptions extends VolumeInferenceOptions {
  scoring?: Partial<SeverityOptions>
  /** a reference infection mask (nonzero = infected) for the Dice coefficient */
  referenceInfection?: ArrayLike<number>
}

export interface AnalysisTiming {
  lungsMs: number
  inferenceMs: number
  scoringMs: number
  totalMs: number
  slices: number
  slicesInferred: number
}

export interface VolumeAnalysis {
  inference: VolumeInference
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
  report: SeverityReport
  /** the CT pattern category proposed from the segmentation */
  pattern: CtPattern
  timing: AnalysisTiming
}

export async function analyseVolume(volume: Volume, options: VolumeAnalysisOptions): Promise<VolumeAnalysis> {
  const start = performance.now()
  const inference = await inferVolume(volume, options)
  const scoringStart = performance.now()
  const { regionLabels, report } = scoreMask(
    { geometry: volume, lungLabels: inference.lungs.labels, infectionLabels: inference.labels, referenceInfection: options.referenceInfection },
    options.scoring
  )
  const pattern = ctPatternOf({ geometry: volume, lungLabels: inference.lungs.labels, regionLabels, infectionLabels: inference.labels })
  const end = performance.now()
  return {
    inference,
    regionLabels,
    report,
    pattern,
    timing: {
      lungsMs: inference.lungsMs,
      inferenceMs: inference.inferenceMs,
      scoringMs: end - scoringStart,
      totalMs: end - start,
      slices: volume.dimensions[2],
      slicesInferred: inference.slicesInferred
    }
  }
}
