/**
 * The score scales, as functions of the percentage of a region or lobe that is infected.
 *
 * Noise floor: a region whose infected fraction is below DEFAULT_NOISE_FLOOR_PERCENT scores 0.
 * Radiologists score what they see; a model's scattered false-positive voxels should not turn a
 * clear region into "involved". 0.1 % of a typical 100–300 mL region is 0.1–0.3 mL, about a 6–8 mm
 * sphere — below what a reader would call involvement of the region. Pass 0 to score any voxel.
 */
export const DEFAULT_NOISE_FLOOR_PERCENT = 0.1

/**
 * A region or lobe is involved only when at least this much of it (mL) is infected, as well as the
 * noise floor's fraction: the fraction alone lets a 5 mL speck of a 3 mL region count. Set from the
 * real scans (see MIN_INVOLVED_ML_NOTE in docs/experiments.md and scripts/bench-analysis.ts).
 */
export const DEFAULT_MIN_INVOLVED_ML = 0.5

/**
 * Infected percentage of the whole lung above which infection is declared present.
 * Provisional: to be chosen by cross-validation on the labelled slices.
 */
export const DEFAULT_INFECTION_PRESENT_PERCENT = 0.1

/** Yang et al. 2020: CT-SS above 19.5 (of 40) identified severe COVID-19. */
export const CTSS_SEVERE_THRESHOLD = 19.5

/** CT-SS per region (Yang et al. 2020): 0 none, 1 below 50 %, 2 at or above 50 % opacified. */
export function ctssRegionScore(percent: number, noiseFloorPercent = DEFAULT_NOISE_FLOOR_PERCENT, infectedMl = Infinity, minInvolvedMl = 0): 0 | 1 | 2 {
  if (percent <= 0 || percent < noiseFloorPercent || infectedMl < minInvolvedMl) return 0
  return percent < 50 ? 1 : 2
}

/**
 * Lobar score (Pan et al., Radiology 2020): 0 none, 1 < 5 %, 2 5–25 %, 3 26–49 %, 4 50–75 %,
 * 5 > 75 %. The published bands have gaps between integers; here 25 < p < 50 is 3 and a band's
 * upper bound belongs to it (25 % → 2, 75 % → 4).
 */
export function lobarScore(percent: number, noiseFloorPercent = DEFAULT_NOISE_FLOOR_PERCENT, infectedMl = Infinity, minInvolvedMl = 0): 0 | 1 | 2 | 3 | 4 | 5 {
  if (percent <= 0 || percent < noiseFloorPercent || infectedMl < minInvolvedMl) return 0
  if (percent < 5) return 1
  if (percent <= 25) return 2
  if (percent < 50) return 3
  if (percent <= 75) return 4
  return 5
}

export type SeverityClass = 'none' | 'mild' | 'moderate' | 'severe'

/** Upper bounds (inclusive) of the lobar total for 'mild' and 'moderate'; above is 'severe'. */
export interface SeverityCutoffs {
  mildMaxLobarTotal: number
  moderateMaxLobarTotal: number
}

/**
 * Bands of the 25-point lobar total in common use for COVID-19 (1–7 mild, 8–17 moderate,
 * 18–25 severe; ≥ 18 being the band repeatedly associated with poor outcome). 'none' when no
 * infection is present. Configurable because the bands are a convention, not a standard.
 */
export const DEFAULT_SEVERITY_CUTOFFS: SeverityCutoffs = { mildMaxLobarTotal: 7, moderateMaxLobarTotal: 17 }

export function severityClass(
  lobarTotal: number,
  infectionPresent: boolean,
  cutoffs: SeverityCutoffs = DEFAULT_SEVERITY_CUTOFFS
): SeverityClass {
  if (!infectionPresent) return 'none'
  if (lobarTotal <= cutoffs.mildMaxLobarTotal) return 'mild'
  if (lobarTotal <= cutoffs.moderateMaxLobarTotal) return 'moderate'
  return 'severe'
}
