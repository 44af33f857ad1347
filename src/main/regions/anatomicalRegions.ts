/**
 * The lobes and CT-SS regions of an analysed CT: anatomical lobes (lobeSegmentation.ts) and the
 * regions within them (lobeRegions.ts). What the analysis, the rescoring and `pulmo segment` use.
 */
import type { Volume } from '../volume/volume'
import { partitionLobeRegions } from './lobeRegions'
import { segmentLobes, type LobeSegmentation, type LobeSegmentationOptions } from './lobeSegmentation'

export interface AnatomicalRegions {
  lobes: LobeSegmentation
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] */
  regionLabels: Uint8Array
}

export function anatomicalRegions(
  volume: Pick<Volume, 'dimensions' | 'spacing' | 'direction' | 'data' | 'unit'>,
  lungLabels: Uint8Array,
  options: Partial<LobeSegmentationOptions> = {}
): AnatomicalRegions {
  const lobes = segmentLobes(volume, lungLabels, options)
  return { lobes, regionLabels: partitionLobeRegions(lobes.labels, volume) }
}
