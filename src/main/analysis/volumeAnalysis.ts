/**
 * The automatic severity pipeline of one series: infection segmentation (volumeInference.ts), the
 * anatomical lobes and the CT-SS regions within them, and the scores, with how long each part took.
 */
import type { Volume } from '../volume/volume'
import { anatomicalRegions, type LobeSegmentation } from '../regions/regions'
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
  /** the lobe segmentation (fissure fit) and the regions within the lobes */
  lobesMs: number
  scoringMs: number
  totalMs: number
  slices: number
  slicesInferred: number
}

export interface VolumeAnalysis {
  inference: VolumeInference
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
  /** the anatomical lobes, their fissures and fit figures */
  lobes: LobeSegmentation
  report: SeverityReport
  /** the CT pattern category proposed from the segmentation */
  pattern: CtPattern
  timing: AnalysisTiming
}

export async function analyseVolume(volume: Volume, options: VolumeAnalysisOptions): Promise<VolumeAnalysis> {
  const start = performance.now()
  const inference = await inferVolume(volume, options)
  const lobesStart = performance.now()
  const { lobes, regionLabels } = anatomicalRegions(volume, inference.lungs.labels)
  const scoringStart = performance.now()
  const { report } = scoreMask(
    { geometry: volume, lungLabels: inference.lungs.labels, regionLabels, infectionLabels: inference.labels, referenceInfection: options.referenceInfection },
    options.scoring
  )
  const pattern = ctPatternOf({ geometry: volume, lungLabels: inference.lungs.labels, regionLabels, infectionLabels: inference.labels })
  const end = performance.now()
  return {
    inference,
    regionLabels,
    lobes,
    report,
    pattern,
    timing: {
      lungsMs: inference.lungsMs,
      inferenceMs: inference.inferenceMs,
      lobesMs: scoringStart - lobesStart,
      scoringMs: end - scoringStart,
      totalMs: end - start,
      slices: volume.dimensions[2],
      slicesInferred: inference.slicesInferred
    }
  }
}
