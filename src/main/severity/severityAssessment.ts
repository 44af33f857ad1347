import type { Volume } from '../volume/volume'
import {
  segmentLungs,
  segmentLungsGrey,
  type GreyLungSegmentationOptions,
  type LungMask,
  type LungSegmentationOptions
} from './lungMask'
import { partitionLungRegions } from './regions'
import { computeSeverity, type SeverityOptions, type SeverityReport } from './scores'

export interface SeverityAssessment {
  lungs: LungMask
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
  report: SeverityReport
}

export interface SeverityAssessmentOptions {
  lungSegmentation?: Partial<LungSegmentationOptions>
  greyLungSegmentation?: Partial<GreyLungSegmentationOptions>
  scoring?: Partial<SeverityOptions>
  /** a reference infection mask to report the Dice coefficient against */
  referenceInfection?: ArrayLike<number>
}

/**
 * The whole severity pipeline for one volume and its infection label map (0 none, 1 ground glass,
 * 2 consolidation, same grid): lungs, regions, then scores. HU volumes and lung-window grey images
 * take their own lung segmentation.
 */
export function assessSeverity(
  volume: Volume,
  infectionLabels: Uint8Array,
  options: SeverityAssessmentOptions = {}
): SeverityAssessment {
  const lungs =
    volume.unit === 'grey'
      ? segmentLungsGrey(volume, options.greyLungSegmentation)
      : segmentLungs(volume, options.lungSegmentation)
  const regionLabels = partitionLungRegions(lungs.labels, volume)
  const report = computeSeverity(
    {
      geometry: volume,
      lungLabels: lungs.labels,
      regionLabels,
      infectionLabels,
      referenceInfection: options.referenceInfection
    },
    options.scoring
  )
  return { lungs, regionLabels, report }
}
