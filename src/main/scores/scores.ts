import type { Volume } from '../volume/volume'
import { diceCoefficient } from './dice'
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL } from '../lungs/lungSeparation'
import { CTSS_REGION_RULES, LOBES, type LobeId, type LungSide, type RegionId } from '../regions/regionRules'
import {
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
import { voxelVolumeMm3 } from '../volume/volumeGeometry'

/** Infection label values: what the multi-class segmentation writes. */
export const INFECTION_LABEL = { none: 0, groundGlass: 1, consolidation: 2 } as const

export interface SeverityInput {
  /** the voxel grid the label maps share (only the spacing matters here) */
  geometry: Pick<Volume, 'spacing'>
  /** 0 background, 1 right lung, 2 left lung */
  lungLabels: Uint8Array
  /** 0 outside the lungs, n for CTSS_REGION_RULES[n − 1] (see partitionLungRegions) */
  regionLabels: Uint8Array
  /**
   * 0 none, 1 ground-glass, 2 consolidation. Any other nonzero value (a binary mask's 1 would be
   * read as ground glass, so pass 255 for "infected, type unknown") counts as infected but neither.
   */
  infectionLabels: Uint8Array
  /** a reference infection mask (nonzero = infected) to report the Dice coefficient against */
  referenceInfection?: ArrayLike<number>
}

export interface SeverityOptions {
  noiseFloorPercent: number
  /** infected mL below which a region or lobe scores 0 (see DEFAULT_MIN_INVOLVED_ML) */
  minInvolvedMl: number
  infectionPresentPercent: number
  severityCutoffs: SeverityCutoffs
}

export const DEFAULT_SEVERITY_OPTIONS: SeverityOptions = {
  noiseFloorPercent: DEFAULT_NOISE_FLOOR_PERCENT,
  minInvolvedMl: DEFAULT_MIN_INVOLVED_ML,
  infectionPresentPercent: DEFAULT_INFECTION_PRESENT_PERCENT,
  severityCutoffs: DEFAULT_SEVERITY_CUTOFFS
}

export interface InfectionVolumes {
  lungVolumeMl: number
  infectedVolumeMl: number
  ggoVolumeMl: number
  consolidationVolumeMl: number
  /** infected over lung volume, % (0 for an empty lung) */
  percent: number
}

export interface RegionSeverity extends InfectionVolumes {
  id: RegionId
  name: string
  lung: LungSide
  lobe: LobeId
  /** CT-SS region score 0–2 */
  score: number
}

export interface LobeSeverity extends InfectionVolumes {
  id: LobeId
  name: string
  lung: LungSide
  /** lobar score 0–5 */
  score: number
}

export interface SeverityReport {
  lungVolumeMl: number
  infectedVolumeMl: number
  ggoVolumeMl: number
  consolidationVolumeMl: number
  percentInfected: { total: number; left: number; right: number }
  lungs: { right: InfectionVolumes; left: InfectionVolumes }
  /** infection labelled outside the lung mask, not counted anywhere else (a quality signal) */
  infectionOutsideLungsMl: number
  ctss: { total: number; severe: boolean; regions: RegionSeverity[] }
  lobar: { total: number; lobes: LobeSeverity[] }
  severity: SeverityClass
  infectionPresent: boolean
  /** Dice of the infection mask against `referenceInfection`, when given */
  dice?: number
  /** the options the scores were computed with */
  options: SeverityOptions
}

/** Voxel counts: lung, infected, ground glass, consolidation. */
type Counts = [number, number, number, number]

/**
 * Measures the infection per region, lobe, lung and whole, and scores it (CT-SS, lobar score,
 * severity class). All label maps share one grid; volumes are voxel counts × voxel volume.
 */
export function computeSeverity(input: SeverityInput, options: Partial<SeverityOptions> = {}): SeverityReport {
  const settings = { ...DEFAULT_SEVERITY_OPTIONS, ...options }
  const { lungLabels, regionLabels, infectionLabels } = input
  if (regionLabels.length !== lungLabels.length || infectionLabels.length !== lungLabels.length) {
    throw new Error('lung, region and infection label maps must have the same size')
  }
  const voxelMl = voxelVolumeMm3(input.geometry.spacing) / 1000

  const regionCounts: Counts[] = Array.from({ length: CTSS_REGION_RULES.length + 1 }, () => [0, 0, 0, 0])
  const lungCounts: Counts[] = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0]
  ]
  // Local copies: bundlers' module bindings can cost a getter call per access in a hot loop.
  const rightLabel = RIGHT_LUNG_LABEL
  const leftLabel = LEFT_LUNG_LABEL
  const infectedOutside = infectedOutsideLungs(infectionLabels, lungLabels, rightLabel, leftLabel)
  // The lungs' voxels, four at a time past the words that hold none.
  const count = (v: number): void => {
    const lung = lungLabels[v]
    if (lung !== rightLabel && lung !== leftLabel) return
    const infection = infectionLabels[v]
    addVoxel(lungCounts[lung], infection)
    const region = regionLabels[v]
    if (region > 0 && region < regionCounts.length) addVoxel(regionCounts[region], infection)
  }
  const lungWords = lungLabels.byteOffset % 4 === 0 ? new Uint32Array(lungLabels.buffer, lungLabels.byteOffset, lungLabels.length >> 2) : undefined
  if (lungWords)
    for (let i = 0; i < lungWords.length; i++) {
      if (lungWords[i] === 0) continue
      for (let v = i << 2; v < (i << 2) + 4; v++) count(v)
    }
  for (let v = lungWords ? lungWords.length << 2 : 0; v < lungLabels.length; v++) count(v)

  const right = toVolumes(lungCounts[RIGHT_LUNG_LABEL], voxelMl)
  const left = toVolumes(lungCounts[LEFT_LUNG_LABEL], voxelMl)
  const whole = toVolumes(sumCounts([lungCounts[RIGHT_LUNG_LABEL], lungCounts[LEFT_LUNG_LABEL]]), voxelMl)

  const regions: RegionSeverity[] = CTSS_REGION_RULES.map((rule, index) => {
    const volumes = toVolumes(regionCounts[index + 1], voxelMl)
    return {
      id: rule.id,
      name: rule.name,
      lung: rule.lung,
      lobe: rule.lobe,
      ...volumes,
      score: ctssRegionScore(volumes.percent, settings.noiseFloorPercent, volumes.infectedVolumeMl, settings.minInvolvedMl)
    }
  })
  const lobes: LobeSeverity[] = LOBES.map((lobe) => {
    const counts = sumCounts(
      lobe.regionIds.map((id) => regionCounts[CTSS_REGION_RULES.findIndex((rule) => rule.id === id) + 1])
    )
    const volumes = toVolumes(counts, voxelMl)
    return {
      id: lobe.id,
      name: lobe.name,
      lung: lobe.lung,
      ...volumes,
      score: lobarScore(volumes.percent, settings.noiseFloorPercent, volumes.infectedVolumeMl, settings.minInvolvedMl)
    }
  })

  const ctssTotal = regions.reduce((sum, region) => sum + region.score, 0)
  const lobarTotal = lobes.reduce((sum, lobe) => sum + lobe.score, 0)
  const infectionPresent = whole.percent > settings.infectionPresentPercent
  const report: SeverityReport = {
    lungVolumeMl: whole.lungVolumeMl,
    infectedVolumeMl: whole.infectedVolumeMl,
    ggoVolumeMl: whole.ggoVolumeMl,
    consolidationVolumeMl: whole.consolidationVolumeMl,
    percentInfected: { total: whole.percent, left: left.percent, right: right.percent },
    lungs: { right, left },
    infectionOutsideLungsMl: infectedOutside * voxelMl,
    ctss: { total: ctssTotal, severe: ctssTotal > CTSS_SEVERE_THRESHOLD, regions },
    lobar: { total: lobarTotal, lobes },
    severity: severityClass(lobarTotal, infectionPresent, settings.severityCutoffs),
    infectionPresent,
    options: settings
  }
  if (input.referenceInfection !== undefined) {
    report.dice = diceCoefficient(infectionLabels, input.referenceInfection)
  }
  return report
}

function addVoxel(counts: Counts, infection: number): void {
  counts[0]++
  if (infection === 0) return
  counts[1]++
  if (infection === INFECTION_LABEL.groundGlass) counts[2]++
  else if (infection === INFECTION_LABEL.consolidation) counts[3]++
}

function sumCounts(all: readonly Counts[]): Counts {
  const total: Counts = [0, 0, 0, 0]
  for (const counts of all) for (let n = 0; n < 4; n++) total[n] += counts[n]
  return total
}

function toVolumes(counts: Counts, voxelMl: number): InfectionVolumes {
  return {
    lungVolumeMl: counts[0] * voxelMl,
    infectedVolumeMl: counts[1] * voxelMl,
    ggoVolumeMl: counts[2] * voxelMl,
    consolidationVolumeMl: counts[3] * voxelMl,
    percent: counts[0] > 0 ? (100 * counts[1]) / counts[0] : 0
  }
}

/** Infected voxels (any non-zero label) outside both lungs; words of four uninfected voxels are skipped at once. */
function infectedOutsideLungs(infection: Uint8Array, lungs: Uint8Array, right: number, left: number): number {
  let count = 0
  const outside = (v: number): boolean => infection[v] !== 0 && lungs[v] !== right && lungs[v] !== left
  const words = infection.byteOffset % 4 === 0 ? new Uint32Array(infection.buffer, infection.byteOffset, infection.length >> 2) : undefined
  if (words)
    for (let i = 0; i < words.length; i++) {
      if (words[i] === 0) continue
      for (let v = i << 2; v < (i << 2) + 4; v++) if (outside(v)) count++
    }
  for (let v = words ? words.length << 2 : 0; v < infection.length; v++) if (outside(v)) count++
  return count
}
