import type { Volume } from '../../src/main/volume/volume'
import { segmentLungs, segmentLungsGrey, type LungMask } from '../../src/main/lungs/lungMask'
import { partitionLungRegions } from '../../src/main/regions/regions'
import { computeSeverity, type SeverityReport } from '../../src/main/scores/scores'

export interface SeverityAssessment {
  lungs: LungMask
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
  report: SeverityReport
}

/**
 * The severity pipeline for one volume and its infection label map (0 none, 1 ground glass,
 * 2 consolidation, same grid) without the model: lungs, regions, then scores, for tests that need a
 * real report of a stored mask. HU volumes and lung-window grey images take their own lung
 * segmentation.
 */
export function assessSeverity(volume: Volume, infectionLabels: Uint8Array): SeverityAssessment {
  const lungs = volume.unit === 'grey' ? segmentLungsGrey(volume) : segmentLungs(volume)
  const regionLabels = partitionLungRegions(lungs.labels, volume)
  const report = computeSeverity({ geometry: volume, lungLabels: lungs.labels, regionLabels, infectionLabels })
  return { lungs, regionLabels, report }
}
