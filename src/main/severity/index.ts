/** Severity: lung segmentation, the CT-SS region partition, and the scores. */
export {
  DEFAULT_GREY_LUNG_SEGMENTATION,
  DEFAULT_LUNG_SEGMENTATION,
  LEFT_LUNG_LABEL,
  RIGHT_LUNG_LABEL,
  segmentLungs,
  segmentLungsGrey,
  type GreyLungSegmentationOptions,
  type LungMask,
  type LungSegmentationOptions
} from './lungMask'
export {
  CTSS_REGION_RULES,
  LOBES,
  lobeLabelMap,
  lobeLabelOf,
  partitionLungRegions,
  regionLabelOf,
  type LobeDefinition,
  type LobeId,
  type LungSide,
  type RegionId,
  type RegionRule
} from './regions'
export {
  computeSeverity,
  DEFAULT_SEVERITY_OPTIONS,
  INFECTION_LABEL,
  type InfectionVolumes,
  type LobeSeverity,
  type RegionSeverity,
  type SeverityInput,
  type SeverityOptions,
  type SeverityReport
} from './scores'
export {
  CTSS_SEVERE_THRESHOLD,
  ctssRegionScore,
  DEFAULT_INFECTION_PRESENT_PERCENT,
  DEFAULT_NOISE_FLOOR_PERCENT,
  DEFAULT_SEVERITY_CUTOFFS,
  lobarScore,
  severityClass,
  type SeverityClass,
  type SeverityCutoffs
} from './scoringRules'
export { diceCoefficient } from './dice'
export { assessSeverity, type SeverityAssessment, type SeverityAssessmentOptions } from './severityAssessment'
