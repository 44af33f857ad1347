/**
 * The score scales, as functions of the percentage of a region or lobe that is infected. They live
 * in src/shared/severityScoring.ts so the renderer scores with the same rules and thresholds.
 */
export {
  CTSS_SEVERE_THRESHOLD,
  ctssRegionScore,
  DEFAULT_INFECTION_PRESENT_PERCENT,
  DEFAULT_MIN_INVOLVED_ML,
  DEFAULT_NOISE_FLOOR_PERCENT,
  DEFAULT_SEVERITY_CUTOFFS,
  lobarScore,
  severityClass,
  type SeverityClass,
  type SeverityCutoffs
} from '../../shared/severityScoring'
