/**
 * The 20 lung regions of the chest CT severity score (CT-SS, Yang et al., Radiology: Cardiothoracic
 * Imaging 2020): the 18 bronchopulmonary segments, with the left apicoposterior and anteromedial
 * basal segments each split in two. Ids R1–R10 and L1–L10 follow the order of that paper's list,
 * so on the left L7 is anterior basal and L8 medial basal, while on the right R7 is medial basal
 * and R8 anterior basal (the usual segment numbers).
 *
 * Segments are not visible on CT without fissure and bronchus analysis, so each region is a box in
 * the lung's own normalised coordinates, a geometric approximation of the typical anatomy:
 * - craniocaudal c: 0 at the lung's apex, 1 at its base, from the lung's own slice extent;
 * - anteroposterior a: 0 at the lung's most anterior voxel in that slice, 1 at its most posterior;
 * - mediolateral m: 0 at the lung's most medial voxel in that slice, 1 at its most lateral.
 * Normalising a and m per slice keeps the halves balanced where the lung narrows (apex, base).
 *
 * Rules (intervals half-open, [from, to)):
 * - upper third (c < 1/3): the upper lobe. Its top half (c < 1/6) is the apical segment; below,
 *   the anterior half is the anterior segment and the posterior half the posterior segment.
 * - middle third (1/3 ≤ c < 2/3), anterior half: right, the middle lobe, split medial/lateral;
 *   left, the lingula, split superior (upper half of the third) / inferior (lower half).
 * - middle third, posterior half: the superior segment of the lower lobe (the oblique fissure runs
 *   from high at the back to low at the front, which this staircase approximates).
 * - lower third (c ≥ 2/3): the basal segments by quadrant — anterior-medial = medial basal,
 *   anterior-lateral = anterior basal, posterior-lateral = lateral basal, posterior-medial =
 *   posterior basal (their order around the inferior vena cava and the spine).
 */
export type LungSide = 'right' | 'left'

export type LobeId = 'RUL' | 'RML' | 'RLL' | 'LUL' | 'LLL'

// prettier-ignore
export type RegionId =
  | 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7' | 'R8' | 'R9' | 'R10'
  | 'L1' | 'L2' | 'L3' | 'L4' | 'L5' | 'L6' | 'L7' | 'L8' | 'L9' | 'L10'

export type UnitInterval = readonly [from: number, to: number]

export interface RegionRule {
  id: RegionId
  name: string
  lung: LungSide
  lobe: LobeId
  craniocaudal: UnitInterval
  anteroposterior: UnitInterval
  mediolateral: UnitInterval
}

const ALL: UnitInterval = [0, 1]
const UPPER_APEX: UnitInterval = [0, 1 / 6]
const UPPER_REST: UnitInterval = [1 / 6, 1 / 3]
const MIDDLE: UnitInterval = [1 / 3, 2 / 3]
const MIDDLE_UPPER: UnitInterval = [1 / 3, 1 / 2]
const MIDDLE_LOWER: UnitInterval = [1 / 2, 2 / 3]
const LOWER: UnitInterval = [2 / 3, 1]
const ANTERIOR: UnitInterval = [0, 1 / 2]
const POSTERIOR: UnitInterval = [1 / 2, 1]
const MEDIAL: UnitInterval = [0, 1 / 2]
const LATERAL: UnitInterval = [1 / 2, 1]

// prettier-ignore
const RULE_TABLE: ReadonlyArray<readonly [RegionId, string, LobeId, UnitInterval, UnitInterval, UnitInterval]> = [
  // id    name                 lobe   craniocaudal  anteroposterior  mediolateral
  ['R1',  'apical',             'RUL', UPPER_APEX,   ALL,             ALL],
  ['R2',  'posterior',          'RUL', UPPER_REST,   POSTERIOR,       ALL],
  ['R3',  'anterior',           'RUL', UPPER_REST,   ANTERIOR,        ALL],
  ['R4',  'lateral',            'RML', MIDDLE,       ANTERIOR,        LATERAL],
  ['R5',  'medial',             'RML', MIDDLE,       ANTERIOR,        MEDIAL],
  ['R6',  'superior',           'RLL', MIDDLE,       POSTERIOR,       ALL],
  ['R7',  'medial basal',       'RLL', LOWER,        ANTERIOR,        MEDIAL],
  ['R8',  'anterior basal',     'RLL', LOWER,        ANTERIOR,        LATERAL],
  ['R9',  'lateral basal',      'RLL', LOWER,        POSTERIOR,       LATERAL],
  ['R10', 'posterior basal',    'RLL', LOWER,        POSTERIOR,       MEDIAL],
  ['L1',  'apical',             'LUL', UPPER_APEX,   ALL,             ALL],
  ['L2',  'posterior',          'LUL', UPPER_REST,   POSTERIOR,       ALL],
  ['L3',  'anterior',           'LUL', UPPER_REST,   ANTERIOR,        ALL],
  ['L4',  'superior lingular',  'LUL', MIDDLE_UPPER, ANTERIOR,        ALL],
  ['L5',  'inferior lingular',  'LUL', MIDDLE_LOWER, ANTERIOR,        ALL],
  ['L6',  'superior',           'LLL', MIDDLE,       POSTERIOR,       ALL],
  ['L7',  'anterior basal',     'LLL', LOWER,        ANTERIOR,        LATERAL],
  ['L8',  'medial basal',       'LLL', LOWER,        ANTERIOR,        MEDIAL],
  ['L9',  'lateral basal',      'LLL', LOWER,        POSTERIOR,       LATERAL],
  ['L10', 'posterior basal',    'LLL', LOWER,        POSTERIOR,       MEDIAL]
]

/** Region label value n in a region label map stands for CTSS_REGION_RULES[n − 1]. */
export const CTSS_REGION_RULES: readonly RegionRule[] = RULE_TABLE.map(
  ([id, name, lobe, craniocaudal, anteroposterior, mediolateral]) => ({
    id,
    name,
    lung: id.startsWith('R') ? 'right' : 'left',
    lobe,
    craniocaudal,
    anteroposterior,
    mediolateral
  })
)

export interface LobeDefinition {
  id: LobeId
  name: string
  lung: LungSide
  /** the CT-SS regions whose union is the lobe */
  regionIds: readonly RegionId[]
}

/** Lobe label value n in a lobe label map stands for LOBES[n − 1]. */
export const LOBES: readonly LobeDefinition[] = [
  { id: 'RUL', name: 'right upper lobe', lung: 'right', regionIds: ['R1', 'R2', 'R3'] },
  { id: 'RML', name: 'right middle lobe', lung: 'right', regionIds: ['R4', 'R5'] },
  { id: 'RLL', name: 'right lower lobe', lung: 'right', regionIds: ['R6', 'R7', 'R8', 'R9', 'R10'] },
  { id: 'LUL', name: 'left upper lobe', lung: 'left', regionIds: ['L1', 'L2', 'L3', 'L4', 'L5'] },
  { id: 'LLL', name: 'left lower lobe', lung: 'left', regionIds: ['L6', 'L7', 'L8', 'L9', 'L10'] }
]

/** The region label value (1..20) of a region id. */
export function regionLabelOf(id: RegionId): number {
  return CTSS_REGION_RULES.findIndex((rule) => rule.id === id) + 1
}

/** The lobe label value (1..5) of a lobe id. */
export function lobeLabelOf(id: LobeId): number {
  return LOBES.findIndex((lobe) => lobe.id === id) + 1
}
