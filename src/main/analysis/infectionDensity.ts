/**
 * Ground glass or consolidation by density, where no multi-class model decides. Ground glass raises
 * aerated lung (about −850 HU) to roughly −700…−300 HU with vessels still visible; consolidation
 * hides them and approaches soft tissue (−100…+50 HU). −200 HU lies in the gap between the ranges.
 */
import { applyWindow, LUNG_WINDOW } from '../volume/window'
import type { Volume } from '../volume/volume'

/** Density from which an infected voxel counts as consolidation. */
export const CONSOLIDATION_MIN_HU = -200

/**
 * The voxel value from which an infected voxel is consolidation: CONSOLIDATION_MIN_HU, or for grey
 * images (assumed lung-windowed, as Pulmo's model input is) its grey level through LUNG_WINDOW.
 */
export function consolidationThreshold(volume: Pick<Volume, 'unit'>): number {
  if (volume.unit === 'HU') return CONSOLIDATION_MIN_HU
  return applyWindow(Float32Array.of(CONSOLIDATION_MIN_HU), LUNG_WINDOW.center, LUNG_WINDOW.width)[0]
}
