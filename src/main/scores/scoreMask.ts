import { partitionLungRegions } from '../regions/regions'
import type { VolumeGeometry } from '../volume/volumeGeometry'
import type { Volume } from '../volume/volume'
import { computeSeverity, type SeverityOptions, type SeverityReport } from './scores'

export interface MaskToScore {
  /** the series' voxel grid, which the lung and infection labels share */
  geometry: VolumeGeometry & Pick<Volume, 'spacing'>
  /** 0 background, 1 right lung, 2 left lung (the analysis's lung mask) */
  lungLabels: Uint8Array
  /** 0 none, 1 ground-glass, 2 consolidation: the model's segmentation or a corrected mask version */
  infectionLabels: Uint8Array
  /** a reference infection mask (nonzero = infected) for the Dice coefficient */
  referenceInfection?: ArrayLike<number>
  /**
   * 0 outside, n for CTSS_REGION_RULES[n − 1]: the regions within the anatomical lobes the analysis
   * found (regions/anatomicalRegions). Absent, the lungs are partitioned geometrically.
   */
  regionLabels?: Uint8Array
}

/**
 * The one way a mask becomes scores: the CT-SS regions (the analysis's anatomical ones, or
 * partitioned from the lung mask), then the severity measured on them. Analysis (in the compute process) and rescoring a mask version (in
 * the service) both call it, so a corrected mask is scored exactly as the model's would be.
 */
export function scoreMask(input: MaskToScore, options: Partial<SeverityOptions> = {}): { regionLabels: Uint8Array; report: SeverityReport } {
  const regionLabels = input.regionLabels ?? partitionLungRegions(input.lungLabels, input.geometry)
  const report = computeSeverity(
    {
      geometry: input.geometry,
      lungLabels: input.lungLabels,
      regionLabels,
      infectionLabels: input.infectionLabels,
      referenceInfection: input.referenceInfection
    },
    options
  )
  return { regionLabels, report }
}
