/**
 * The CT pattern category Pulmo proposes for a study: the RSNA expert-consensus category and a
 * CO-RADS-like level, each from explicit rules on features measured from the segmentation
 * (src/main/pattern/patternFeatures.ts measures them). A proposal for the radiologist, who may
 * override it; the override is what is signed. Pure; imports nothing from Node or the DOM.
 *
 * Sources:
 * - RSNA: Simpson S et al. "Radiological Society of North America Expert Consensus Statement on
 *   Reporting Chest CT Findings Related to COVID-19." Radiology: Cardiothoracic Imaging 2020;2(2):e200152.
 *   Typical: peripheral, bilateral ground glass with or without consolidation (or crazy paving);
 *   multifocal rounded ground glass; reverse halo. Indeterminate: no typical features, and
 *   multifocal, diffuse, perihilar or unilateral ground glass with or without consolidation lacking a
 *   specific distribution, non-rounded or non-peripheral; few very small non-rounded, non-peripheral
 *   ground glass. Atypical: no typical or indeterminate features, and isolated lobar or segmental
 *   consolidation without ground glass; discrete small nodules (centrilobular, tree-in-bud);
 *   cavitation; smooth septal thickening with pleural effusion. Negative: no features of pneumonia.
 * - CO-RADS: Prokop M et al. "CO-RADS: A Categorical CT Assessment Scheme for Patients Suspected of
 *   Having COVID-19—Definition and Evaluation." Radiology 2020;296(2):E97–E104. 1 normal or
 *   non-infectious; 2 typical of another infection (lobar or segmental consolidation, tree-in-bud,
 *   cavitation); 3 equivocal (perihilar ground glass, homogeneous extensive ground glass, small ground
 *   glass not close to the pleura); 4 like 5 but with an atypical feature (unilateral ground glass,
 *   multifocal consolidation without other typical findings); 5 multiple bilateral ground glass close
 *   to the pleura, with or without consolidation.
 * - "Peripheral" as the outer part of the lung, close to the pleura: Bernheim A et al., Radiology
 *   2020;295:200463 (outer third); here the band within SUBPLEURAL_BAND_MM of the costal surface.
 *
 * What a segmentation cannot see and these rules therefore never use: crazy paving, reverse halo,
 * tree-in-bud, cavitation, septal thickening, effusion. A category that rests on those is the
 * radiologist's to give.
 */
import { z } from 'zod'
import { DEFAULT_INFECTION_PRESENT_PERCENT, DEFAULT_MIN_INVOLVED_ML } from './severityScoring'

/** A lesion is a 3D 6-connected infected component of at least this volume: the involvement rule's minimum. */
export const PATTERN_LESION_MIN_ML = DEFAULT_MIN_INVOLVED_ML

/**
 * A lung counts as involved, for "bilateral", when it holds a lesion of at least 2 mL (a focus of
 * about 16 mm). Set above the largest false-positive components the shipped model leaves in the
 * normal scan normal002 (1.16 mL right, 1.05 mL left): a speck of noise in the other lung must not
 * make a unilateral pneumonia bilateral.
 */
export const BILATERAL_MIN_LESION_ML = 2

/** "Subpleural": within 10 mm (1 cm) of the lungs' costal surface, in 3D at the scan's spacing. */
export const SUBPLEURAL_BAND_MM = 10

/**
 * Peripheral predominance: at least half the infected volume lies in the outer third of the lung
 * (per axial slice, within a third of the deepest lung voxel's distance from the costal surface;
 * Bernheim et al. 2020). The 10 mm subpleural band is reported too, but a lesion of a few cm that
 * touches the pleura has most of its volume deeper than 1 cm, so the band alone would call
 * peripheral disease central.
 */
export const PERIPHERAL_MIN_FRACTION = 0.5

/** Lower-lobe (basal) predominance: at least half the infected volume lies in the lower lobes. */
export const LOWER_LOBE_MIN_FRACTION = 0.5

/** Ground glass predominates when it is at least half the infected volume. */
export const GROUND_GLASS_MIN_FRACTION = 0.5

/**
 * "Consolidation without ground glass": ground glass under 20 % of the lesion. Not 0: the model
 * types the rim of a consolidation as ground glass, a partial-volume band of a few voxels.
 */
export const CONSOLIDATION_ONLY_MAX_GROUND_GLASS = 0.2

/**
 * Lobar or segmental: the lesion fills at least 20 % of its lobe. A lobe holds 2–5 segments, so a
 * segment is 20–50 % of its lobe.
 */
export const SEGMENTAL_MIN_LOBE_SHARE = 0.2

/** "Isolated": the one lesion holds at least 75 % of the infected volume. */
export const ISOLATED_MIN_SHARE = 0.75

/** Perihilar predominance: at least half the infected volume lies in the perihilar zone. */
export const PERIHILAR_MIN_FRACTION = 0.5

export const RsnaCategory = z.enum(['typical', 'indeterminate', 'atypical', 'negative'])
export type RsnaCategory = z.infer<typeof RsnaCategory>
export const CoRads = z.number().int().min(1).max(5)
export type CoRads = 1 | 2 | 3 | 4 | 5

export const LargestLesion = z.object({
  volumeMl: z.number(),
  /** the lobe holding most of it */
  lobe: z.string(),
  /** its volume in that lobe over the lobe's volume, 0–1 */
  lobeShare: z.number(),
  /** ground glass over its typed volume, 0–1 */
  groundGlassFraction: z.number(),
  /** of the whole infected volume, 0–1 */
  shareOfInfection: z.number(),
  roundness: z.number()
})

export const PatternFeatures = z.object({
  infectedVolumeMl: z.number(),
  percentInfected: z.number(),
  /** lesions: components of at least `lesionMinMl` */
  lesionCount: z.number().int(),
  lesionMinMl: z.number(),
  /** infected mL in lesions, per lung */
  rightLungMl: z.number(),
  leftLungMl: z.number(),
  /** a lesion of at least BILATERAL_MIN_LESION_ML in each lung */
  bilateral: z.boolean(),
  /** infected volume within `subpleuralBandMm` of the costal surface over the infected volume, 0–1 */
  subpleuralFraction: z.number(),
  subpleuralBandMm: z.number(),
  /** infected volume in the outer third of the lung (per slice, by depth from the costal surface) over the infected volume, 0–1 */
  peripheralFraction: z.number(),
  /** infected volume in the lower lobes (RLL, LLL) over the infected volume, 0–1 */
  lowerLobeFraction: z.number(),
  /** ground glass over the typed infected volume (ground glass + consolidation), 0–1 */
  groundGlassFraction: z.number(),
  consolidationFraction: z.number(),
  /** infected volume in the perihilar zone (middle third craniocaudally, inner third from the costal surface), 0–1 */
  perihilarFraction: z.number(),
  /** lesions' roundness (√(smallest / largest principal variance), 1 for a sphere), weighted by volume */
  roundness: z.number(),
  largestLesion: LargestLesion.nullable(),
  /** lobes with at least `lesionMinMl` of infection */
  lobesInvolved: z.array(z.string())
})
export type PatternFeatures = z.infer<typeof PatternFeatures>

export const CtPattern = z.object({
  rsna: RsnaCategory,
  coRads: CoRads,
  features: PatternFeatures,
  /** "bilateral, 82 % subpleural, lower-lobe predominant (64 %), ground glass 94 % → RSNA typical, CO-RADS 5" */
  evidence: z.string(),
  /** the rule that decided each category, in words */
  reasons: z.object({ rsna: z.string(), coRads: z.string() })
})
export type CtPattern = z.infer<typeof CtPattern>

/** The radiologist's category, replacing Pulmo's proposal. */
export const PatternOverride = z.object({
  rsna: RsnaCategory,
  coRads: CoRads,
  by: z.string(),
  at: z.string(),
  note: z.string()
})
export type PatternOverride = z.infer<typeof PatternOverride>

/** What a report states: the radiologist's category when given, else Pulmo's proposal. */
export const FinalPattern = z.object({
  rsna: RsnaCategory,
  coRads: CoRads,
  source: z.enum(['pulmo', 'radiologist']),
  evidence: z.string()
})
export type FinalPattern = z.infer<typeof FinalPattern>

export const RSNA_LABEL: Record<RsnaCategory, string> = {
  typical: 'typical appearance',
  indeterminate: 'indeterminate appearance',
  atypical: 'atypical appearance',
  negative: 'negative for pneumonia'
}

export const CO_RADS_LABEL: Readonly<Record<number, string>> = {
  1: 'very low (normal or non-infectious)',
  2: 'low (typical of another infection)',
  3: 'equivocal',
  4: 'high',
  5: 'very high'
}

const pct = (f: number): string => `${Math.round(f * 100)} %`

interface Findings {
  present: boolean
  peripheral: boolean
  groundGlass: boolean
  multifocal: boolean
  isolatedSegmentalConsolidation: boolean
  perihilar: boolean
}

function findings(f: PatternFeatures): Findings {
  const largest = f.largestLesion
  return {
    present: f.lesionCount > 0 && f.percentInfected >= DEFAULT_INFECTION_PRESENT_PERCENT,
    peripheral: f.peripheralFraction >= PERIPHERAL_MIN_FRACTION,
    groundGlass: f.groundGlassFraction >= GROUND_GLASS_MIN_FRACTION,
    multifocal: f.lesionCount >= 2,
    isolatedSegmentalConsolidation:
      largest !== null &&
      largest.groundGlassFraction < CONSOLIDATION_ONLY_MAX_GROUND_GLASS &&
      largest.lobeShare >= SEGMENTAL_MIN_LOBE_SHARE &&
      largest.shareOfInfection >= ISOLATED_MIN_SHARE,
    perihilar: f.perihilarFraction >= PERIHILAR_MIN_FRACTION
  }
}

/** The RSNA category by the rules above, first match wins, with the rule that matched. */
export function rsnaCategory(f: PatternFeatures): { category: RsnaCategory; reason: string } {
  const x = findings(f)
  if (!x.present) {
    return { category: 'negative', reason: `no lesion of ${f.lesionMinMl} mL or more, or under ${DEFAULT_INFECTION_PRESENT_PERCENT} % of the lungs infected` }
  }
  if (x.isolatedSegmentalConsolidation) {
    return { category: 'atypical', reason: 'isolated lobar or segmental consolidation without ground glass' }
  }
  if (f.bilateral && x.peripheral && x.groundGlass) {
    return { category: 'typical', reason: 'peripheral, bilateral ground glass with or without consolidation' }
  }
  const lacking = [!f.bilateral && 'unilateral', !x.peripheral && 'not peripheral', !x.groundGlass && 'consolidation predominant', x.perihilar && 'perihilar'].filter(Boolean)
  return { category: 'indeterminate', reason: `infection without the typical distribution (${lacking.join(', ')})` }
}

/** The CO-RADS-like level by the rules above, first match wins, with the rule that matched. */
export function coRadsLevel(f: PatternFeatures): { level: CoRads; reason: string } {
  const x = findings(f)
  if (!x.present) return { level: 1, reason: 'no infection found' }
  if (x.isolatedSegmentalConsolidation) return { level: 2, reason: 'lobar or segmental consolidation (typical of another infection)' }
  if (f.bilateral && x.multifocal && x.peripheral && x.groundGlass) {
    return { level: 5, reason: 'multifocal bilateral ground glass close to the pleura' }
  }
  if (!x.groundGlass && x.multifocal) return { level: 4, reason: 'multifocal consolidation without other typical findings' }
  if (x.perihilar) return { level: 3, reason: 'perihilar ground glass' }
  if (!x.peripheral) return { level: 3, reason: 'ground glass not close to the pleura (central or diffuse)' }
  return { level: 4, reason: f.bilateral ? 'peripheral bilateral ground glass, a single lesion' : 'unilateral peripheral ground glass' }
}

/** The features a reader checks, in words. */
export function featureEvidence(f: PatternFeatures): string {
  if (f.lesionCount === 0) return `no lesion of ${f.lesionMinMl} mL or more (${f.infectedVolumeMl.toFixed(1)} mL infected, ${f.percentInfected.toFixed(2)} %)`
  const parts = [
    f.bilateral ? 'bilateral' : `unilateral (${f.rightLungMl >= f.leftLungMl ? 'right' : 'left'})`,
    `${f.lesionCount} lesion${f.lesionCount === 1 ? '' : 's'} ≥ ${f.lesionMinMl} mL`,
    `${pct(f.peripheralFraction)} peripheral (outer third), ${pct(f.subpleuralFraction)} within ${f.subpleuralBandMm} mm of the pleura`,
    f.lowerLobeFraction >= LOWER_LOBE_MIN_FRACTION ? `lower-lobe predominant (${pct(f.lowerLobeFraction)})` : `lower lobes ${pct(f.lowerLobeFraction)}`,
    `ground glass ${pct(f.groundGlassFraction)}`,
    `perihilar ${pct(f.perihilarFraction)}`
  ]
  const l = f.largestLesion
  if (l) parts.push(`largest lesion ${l.volumeMl.toFixed(1)} mL, ${pct(l.lobeShare)} of the ${l.lobe}, roundness ${l.roundness.toFixed(2)}`)
  return parts.join(', ')
}

/** Both categories of a study and the evidence line that states them. */
export function ctPattern(features: PatternFeatures): CtPattern {
  const rsna = rsnaCategory(features)
  const coRads = coRadsLevel(features)
  return {
    rsna: rsna.category,
    coRads: coRads.level,
    features,
    evidence: `${featureEvidence(features)} → RSNA ${rsna.category}, CO-RADS ${coRads.level}`,
    reasons: { rsna: rsna.reason, coRads: coRads.reason }
  }
}

/** The category a report states: the override when the radiologist gave one. */
export function finalPattern(automatic: CtPattern, override: PatternOverride | null): FinalPattern {
  if (override) {
    const note = override.note ? `: ${override.note}` : ''
    return { rsna: override.rsna, coRads: override.coRads, source: 'radiologist', evidence: `set by ${override.by}${note} (Pulmo proposed RSNA ${automatic.rsna}, CO-RADS ${automatic.coRads})` }
  }
  return { rsna: automatic.rsna, coRads: automatic.coRads, source: 'pulmo', evidence: automatic.evidence }
}

/** Stated beside the category wherever it is shown. */
export const PATTERN_RULE =
  'Proposed by Pulmo from its segmentation (RSNA consensus, Simpson et al. 2020; CO-RADS, Prokop et al. 2020), for the radiologist to confirm: ' +
  `lesions are infected components ≥ ${PATTERN_LESION_MIN_ML} mL; bilateral = a lesion ≥ ${BILATERAL_MIN_LESION_ML} mL in each lung; peripheral = ≥ ${pct(PERIPHERAL_MIN_FRACTION)} of the infected volume in the outer third of the lung; ` +
  `ground glass predominant ≥ ${pct(GROUND_GLASS_MIN_FRACTION)}; lobar/segmental consolidation = one lesion with < ${pct(CONSOLIDATION_ONLY_MAX_GROUND_GLASS)} ground glass filling ≥ ${pct(SEGMENTAL_MIN_LOBE_SHARE)} of its lobe and holding ≥ ${pct(ISOLATED_MIN_SHARE)} of the infection. ` +
  'Crazy paving, reverse halo, tree-in-bud, cavitation and effusion are not assessed.'
