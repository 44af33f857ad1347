/**
 * The lobes and CT-SS regions of an analysed CT: anatomical lobes (lobeSegmentation.ts) and the
 * regions within them (lobeRegions.ts). What the analysis, the rescoring and `pulmo segment` use.
 */
import { partitionLobeRegions } from './lobeRegions'
import { segmentLobes, type LobeSegmentation } from './lobeSegmentation'

export interface AnatomicalRegions {
  lobes: LobeSegmentation
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
}

/** segmentLobes' arguments (the CT, its lung mask, options); the regions are cut within its lobes. */
export function anatomicalRegions(...args: Parameters<typeof segmentLobes>): AnatomicalRegions {
  const lobes = segmentLobes(...args)
  return { lobes, regionLabels: partitionLobeRegions(lobes.labels, args[0]) }
}
