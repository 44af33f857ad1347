/**
 * The score scales and the final scores of a report: one source for the services, the PDF, the CLI
 * and the renderer (which recomputes the final scores live while the radiologist edits). Pure
 * functions; imports nothing.
 */

/**
 * Noise floor: a region whose infected fraction is below this scores 0. Radiologists score what
 * they see; a model's scattered false-positive voxels should not turn a clear region into
 * "involved". 0.1 % of a typical 100–300 mL region is 0.1–0.3 mL, about a 6–8 mm sphere.
 */
export const DEFAULT_NOISE_FLOOR_PERCENT = 0.1

/**
 * A region or lobe is involved only when at least this much of it (mL) is infected, as well as the
 * noise floor's fraction: the fraction alone lets a speck count in a small region. Set on the real
 * scans with the shipped model: normal002's false-positive components are 0.6 and 1.1 mL, P002's
 * lesions 2–30 mL (docs/experiments.md, "Scores that mean what they say").
 */
export const DEFAULT_MIN_INVOLVED_ML = 0.5

/**
 * Infected components smaller than this (mL, 3-D) are dropped from the segmentation before scoring:
 * isolated specks are the model's noise, and each would otherwise lift a region from 0 to 1.
 */
export const DEFAULT_MIN_LESION_ML = 0.1

/** What makes an automatic region or lobe score count, in words: the report and the workstation say it beside the scales. */
export const INVOLVEMENT_RULE =
  `An automatic region or lobe score is above 0 only when at least ${DEFAULT_MIN_INVOLVED_ML} mL and ` +
  `${DEFAULT_NOISE_FLOOR_PERCENT} % of it are infected; infected components the model marks under ${DEFAULT_MIN_LESION_ML} mL are dropped as specks ` +
  '(a corrected mask is scored as drawn).'

/** Infected percentage of the whole lung above which infection is declared present (provisional). */
export const DEFAULT_INFECTION_PRESENT_PERCENT = 0.1

/** Yang et al. 2020: CT-SS above 19.5 (of 40) identified severe COVID-19. */
export const CTSS_SEVERE_THRESHOLD = 19.5

export const CTSS_MAX = 40
export const LOBAR_MAX = 25

export type SeverityClass = 'none' | 'mild' | 'moderate' | 'severe'

/** Upper bounds (inclusive) of the lobar total for 'mild' and 'moderate'; above is 'severe'. */
export interface SeverityCutoffs {
  mildMaxLobarTotal: number
  moderateMaxLobarTotal: number
}

/**
 * Bands of the 25-point lobar total in common use for COVID-19 (1–7 mild, 8–17 moderate,
 * 18–25 severe). 'none' when no infection is present. A convention, not a standard.
 */
export const DEFAULT_SEVERITY_CUTOFFS: SeverityCutoffs = { mildMaxLobarTotal: 7, moderateMaxLobarTotal: 17 }

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

export function ctssSevere(total: number): boolean {
  return total > CTSS_SEVERE_THRESHOLD
}

/** What the final scores are computed from: the automatic measurement of one mask version. */
export interface AutomaticScores {
  regions: ReadonlyArray<{ id: string; lobe: string; lungVolumeMl: number; percent: number; score: number }>
  lobes: ReadonlyArray<{ id: string; lungVolumeMl: number; percent: number; score: number }>
  lungVolumeMl: number
  percentInfected: number
  options: { noiseFloorPercent: number; infectionPresentPercent: number; severityCutoffs: SeverityCutoffs }
}

/** The automatic part of a report as the contract carries it (SeverityReportView), for the rule. */
export function automaticScoresOfView(view: {
  regions: ReadonlyArray<{ id: string; lobe: string; lungVolumeMl: number; percent: number; score: number }>
  lobes: ReadonlyArray<{ id: string; lungVolumeMl: number; percent: number; score: number }>
  lungVolumeMl: number
  percentInfected: { total: number }
  scoring: AutomaticScores['options']
}): AutomaticScores {
  return {
    regions: view.regions.map((r) => ({
      id: r.id,
      lobe: r.lobe,
      lungVolumeMl: r.lungVolumeMl,
      percent: r.percent,
      score: r.score
    })),
    lobes: view.lobes.map((l) => ({ id: l.id, lungVolumeMl: l.lungVolumeMl, percent: l.percent, score: l.score })),
    lungVolumeMl: view.lungVolumeMl,
    percentInfected: view.percentInfected.total,
    options: view.scoring
  }
}

/** A radiologist's score of one CT-SS region. */
export interface RegionEdit {
  regionId: string
  score: number
  by: string
  /** ISO date-time */
  at: string
}

/** A region's edit as the contract carries it on the region (RegionScore.edited): the latest, when it changed the score. */
export interface RegionEdited {
  score: number
  by: string
  at: string
}

/** The latest edit wins: the score a region stands at, its edit's when it has one, else the automatic one. */
export function regionFinalScore(region: { score: number; edited?: { score: number } | null }): number {
  return region.edited?.score ?? region.score
}

/** The one adapter from a stored edit to the region's `edited` field: null when no edit changed the automatic score. */
export function regionEdited(edit: RegionEdit | undefined, automaticScore: number): RegionEdited | null {
  return edit && edit.score !== automaticScore ? { score: edit.score, by: edit.by, at: edit.at } : null
}

export interface FinalRegion {
  id: string
  automatic: number
  final: number
  /** the edit that set the final score, when there is one */
  edit?: RegionEdit
  /** the infected share the lobe and the severity count for this region, % */
  countedPercent: number
}

export interface FinalLobe {
  id: string
  automatic: number
  final: number
  automaticPercent: number
  finalPercent: number
}

export interface FinalScores {
  regions: FinalRegion[]
  lobes: FinalLobe[]
  ctss: { automatic: number; final: number; severe: boolean; automaticSevere: boolean }
  lobar: { automatic: number; final: number }
  severity: { automatic: SeverityClass; final: SeverityClass }
  infectionPresent: { automatic: boolean; final: boolean }
  /** a region score was edited (whether or not it changed a total) */
  edited: boolean
}

/**
 * The latest edit of each region. Edits apply in time order (ties keep their stored order), so the
 * radiologist's last word on a region wins; an edit back to the automatic score counts too.
 */
export function latestRegionEdits(edits: readonly RegionEdit[]): Map<string, RegionEdit> {
  const ordered = edits.map((e, n) => ({ e, n })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.n - b.n)
  const latest = new Map<string, RegionEdit>()
  for (const { e } of ordered) latest.set(e.regionId, e)
  return latest
}

/**
 * The infected share of a region that agrees with the radiologist's score and is nearest to the
 * measured one: the measurement when the score confirms it, else the nearest edge of the band the
 * radiologist chose (0 → 0 %, 1 → between the noise floor and just under 50 %, 2 → at least 50 %).
 */
export function shareAgreeingWith(score: number, measuredPercent: number, noiseFloorPercent: number): number {
  if (score === 0) return 0
  if (score === 1) return Math.min(Math.max(measuredPercent, Math.max(noiseFloorPercent, 1e-6)), 49.999)
  return Math.max(measuredPercent, 50)
}

/**
 * The report's final scores from the automatic values and the radiologist's region edits.
 * CT-SS: each region's latest edit, else its automatic score. Lobar score and severity class
 * follow the edits too: an edited region counts with the infected share nearest its measured one
 * that agrees with the radiologist's score (see shareAgreeingWith); each lobe's share is the
 * lung-volume-weighted mean of its regions' (the plain mean when the scan shows none of the lobe), scored on the lobar scale,
 * at least 1 when any of its regions scores above 0 and 0 when none does; a lobe with no changed
 * region keeps its automatic score. Infection is present when the (so adjusted) whole-lung share
 * exceeds the threshold or the radiologist scored any region above 0.
 */
export function finalScores(automatic: AutomaticScores, edits: readonly RegionEdit[]): FinalScores {
  const { noiseFloorPercent, infectionPresentPercent, severityCutoffs } = automatic.options
  const known = new Set(automatic.regions.map((r) => r.id))
  for (const e of edits) {
    if (!known.has(e.regionId)) throw new Error(`edit of unknown region ${e.regionId}`)
    if (e.score !== 0 && e.score !== 1 && e.score !== 2)
      throw new Error(`region ${e.regionId}: a CT-SS score is 0, 1 or 2, got ${e.score}`)
  }
  const latest = latestRegionEdits(edits)
  const regions: FinalRegion[] = automatic.regions.map((r) => {
    const edit = latest.get(r.id)
    const final = regionFinalScore({ score: r.score, edited: edit })
    const countedPercent =
      edit && edit.score !== r.score ? shareAgreeingWith(edit.score, r.percent, noiseFloorPercent) : r.percent
    return { id: r.id, automatic: r.score, final, ...(edit ? { edit } : {}), countedPercent }
  })
  const lobes: FinalLobe[] = automatic.lobes.map((lobe) => {
    const members = automatic.regions.map((r, n) => ({ r, f: regions[n] })).filter(({ r }) => r.lobe === lobe.id)
    const changed = members.some(({ f }) => f.final !== f.automatic)
    if (!changed)
      return {
        id: lobe.id,
        automatic: lobe.score,
        final: lobe.score,
        automaticPercent: lobe.percent,
        finalPercent: lobe.percent
      }
    const volume = members.reduce((sum, { r }) => sum + r.lungVolumeMl, 0)
    const infected = members.reduce((sum, { r, f }) => sum + (r.lungVolumeMl * f.countedPercent) / 100, 0)
    // A lobe the scan does not show (no lung volume) takes its regions' plain mean: the radiologist's word.
    const finalPercent =
      volume > 0
        ? (100 * infected) / volume
        : members.reduce((sum, { f }) => sum + f.countedPercent, 0) / Math.max(members.length, 1)
    // The lobe agrees with its regions: involved (at least 1) when any of them scores above 0, else
    // 0. The share alone would let a region the radiologist scored 1 vanish in the lobe's mean, or a
    // speck the regions' minimums left at 0 count once the lobe was recomputed.
    const involved = members.some(({ f }) => f.final > 0)
    return {
      id: lobe.id,
      automatic: lobe.score,
      final: involved ? Math.max(1, lobarScore(finalPercent, 0)) : 0,
      automaticPercent: lobe.percent,
      finalPercent
    }
  })
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)
  const ctssAutomatic = sum(regions.map((r) => r.automatic))
  const ctssFinal = sum(regions.map((r) => r.final))
  const lobarAutomatic = sum(lobes.map((l) => l.automatic))
  const lobarFinal = sum(lobes.map((l) => l.final))
  const anyChange = regions.some((r) => r.final !== r.automatic)
  const infectedMl = sum(automatic.regions.map((r, n) => (r.lungVolumeMl * regions[n].countedPercent) / 100))
  const regionVolume = sum(automatic.regions.map((r) => r.lungVolumeMl))
  const presentAutomatic = automatic.percentInfected > infectionPresentPercent
  const presentFinal = anyChange
    ? (regionVolume > 0 && (100 * infectedMl) / regionVolume > infectionPresentPercent) ||
      regions.some((r) => r.final > 0)
    : presentAutomatic
  return {
    regions,
    lobes,
    ctss: {
      automatic: ctssAutomatic,
      final: ctssFinal,
      severe: ctssSevere(ctssFinal),
      automaticSevere: ctssSevere(ctssAutomatic)
    },
    lobar: { automatic: lobarAutomatic, final: lobarFinal },
    severity: {
      automatic: severityClass(lobarAutomatic, presentAutomatic, severityCutoffs),
      final: severityClass(lobarFinal, presentFinal, severityCutoffs)
    },
    infectionPresent: { automatic: presentAutomatic, final: presentFinal },
    edited: latest.size > 0
  }
}
