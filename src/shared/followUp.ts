/**
 * Follow-up: how a patient's lungs changed between two analysed CT studies. The contract's shape of
 * a comparison, the rule that calls a change "resolved", "improved", "stable" or "worse", and the
 * matching of axial levels between two scans. Pure; imports nothing from Node or the DOM.
 */
import { z } from 'zod'
import { DEFAULT_MIN_INVOLVED_ML, DEFAULT_NOISE_FLOOR_PERCENT } from './severityScoring'

/**
 * A change in percent infected counts only when it is at least this many percentage points…
 * Set when the bundled model marked 1.3 % of a normal chest CT (normal002) as infected, false
 * positives that can come and go between two scans of unchanged lungs. The model shipped since marks
 * 0.04 % of it, so the floor is now conservative; it stays until repeat scans of unchanged lungs
 * measure the real spread.
 */
export const TREND_MIN_POINTS = 2

/**
 * …and at least this fraction of the larger of the two values. A repeat CT taken at another depth
 * of inspiration changes the lung volume by 10–20 %, and with it the infected share of unchanged
 * lesions by about as much; a change has to exceed that to be more than the breath the patient took.
 */
export const TREND_MIN_RELATIVE = 0.25


export type Trend = 'resolved' | 'improved' | 'stable' | 'worse'

/** Improved, stable or worse by percentage points alone (less infected is improved). */
export function percentTrend(before: number, after: number): Exclude<Trend, 'resolved'> {
  const change = after - before
  const larger = Math.max(Math.abs(before), Math.abs(after))
  if (Math.abs(change) < TREND_MIN_POINTS || Math.abs(change) < TREND_MIN_RELATIVE * larger) return 'stable'
  return change < 0 ? 'improved' : 'worse'
}

/**
 * The measurement noise of the infected volume between two scans of unchanged lungs, mL. Measured
 * with the shipped models (docs/follow-up.md): the same scan imported and analysed twice differs by
 * 0.0 mL everywhere (the engine is deterministic); a normal scan (normal002) carries 2.2 mL of false
 * positives in both lungs together (1.16 mL right, in the RLL; 1.05 mL left, in the LLL), which a
 * second normal scan could equally well show or not. A change in mL counts only beyond this.
 */
export const TREND_NOISE_ML = 2.5

export const TREND_RULE =
  `Resolved: involved before (≥ ${DEFAULT_MIN_INVOLVED_ML} mL and ≥ ${DEFAULT_NOISE_FLOOR_PERCENT} % infected, and more than the ${TREND_NOISE_ML} mL noise), ` +
  `now under the involvement rule or left with less than the noise, and down by more than the noise. ` +
  `Improved / worse: the infected volume moves by at least ${TREND_NOISE_ML} mL (the measured noise: 0 mL for the same scan twice, 2.2 mL of false positives on a normal scan) ` +
  `and by at least ${Math.round(TREND_MIN_RELATIVE * 100)} % of the larger value (the lung volume changes 10–20 % with inspiration), ` +
  `or the percent infected moves by at least ${TREND_MIN_POINTS} points and ${Math.round(TREND_MIN_RELATIVE * 100)} %; less is stable.`

/** Infected enough to be involved: the involvement rule of the scores (≥ 0.5 mL and ≥ 0.1 %). */
export function involved(infectedMl: number, percent: number): boolean {
  return infectedMl >= DEFAULT_MIN_INVOLVED_ML && percent >= DEFAULT_NOISE_FLOOR_PERCENT
}

/** One lung, lobe, region or the whole lungs at one study. */
export interface Extent {
  infectedMl: number
  percent: number
}

/**
 * Clear at follow-up: not involved by the involvement rule, or left with no more infection than the
 * measurement noise (what the model marks on a normal scan: P002's LLL went from 95.6 mL to the
 * 0.8 mL of normal002's own false positives there, which is resolution, not a lobe still involved).
 */
export function clear(e: Extent): boolean {
  return !involved(e.infectedMl, e.percent) || e.infectedMl < TREND_NOISE_ML
}

/**
 * Resolved, improved, stable or worse, as a radiologist reads a follow-up:
 * - resolved: involved before (the involvement rule) and beyond the noise, clear now, the fall beyond the noise;
 * - improved / worse: the infected volume moves by more than TREND_NOISE_ML and by at least
 *   TREND_MIN_RELATIVE of the larger value (a breath's change of lung volume is 10–20 %), or the
 *   percent infected moves by the points rule;
 * - stable: anything less.
 * A lobe going from 11.5 mL to 0.4 mL is resolved; the same scan twice is stable everywhere.
 */
export function extentTrend(before: Extent, after: Extent): Trend {
  const change = after.infectedMl - before.infectedMl
  const larger = Math.max(before.infectedMl, after.infectedMl)
  const beyondNoise = Math.abs(change) >= TREND_NOISE_ML && Math.abs(change) >= TREND_MIN_RELATIVE * larger
  if (change < 0 && beyondNoise && !clear(before) && clear(after)) return 'resolved'
  if (beyondNoise) return change < 0 ? 'improved' : 'worse'
  return percentTrend(before.percent, after.percent)
}

/** The lungs' craniocaudal extent in one series: the first and last slice holding lung, apex and base. */
export interface LungExtent {
  /** slice index of the lungs' most superior slice */
  apexSlice: number
  /** slice index of the lungs' most inferior slice */
  baseSlice: number
}

/**
 * The slice of series B at the same level as slice `k` of series A, by table position relative to
 * the lungs' extent: the same fraction of the way from apex to base. An approximation: breathing,
 * posture and a different field of view move organs between scans.
 */
export function matchedSlice(k: number, from: LungExtent, to: LungExtent, toSlices: number): number {
  const span = from.baseSlice - from.apexSlice
  const fraction = span === 0 ? 0 : (k - from.apexSlice) / span
  const target = Math.round(to.apexSlice + fraction * (to.baseSlice - to.apexSlice))
  return Math.min(Math.max(target, 0), Math.max(toSlices - 1, 0))
}

const change = z.object({ before: z.number(), after: z.number(), change: z.number() })
const trend = z.enum(['resolved', 'improved', 'stable', 'worse'])
const lungShares = z.object({ total: z.number(), left: z.number(), right: z.number() })

export const ComparedStudy = z.object({
  seriesId: z.number().int(),
  studyId: z.number().int(),
  /** as stored (DICOM YYYYMMDD); '' when unknown */
  studyDate: z.string(),
  studyDescription: z.string(),
  seriesDescription: z.string(),
  reportId: z.number().int(),
  signedBy: z.string().nullable(),
  signedAt: z.string().nullable(),
  maskVersion: z.number().int().nullable(),
  slices: z.number().int(),
  lungExtent: z.object({ apexSlice: z.number().int(), baseSlice: z.number().int() }).nullable()
})
export type ComparedStudy = z.infer<typeof ComparedStudy>

export const LobeChange = z.object({
  id: z.string(),
  name: z.string(),
  /** percent infected */
  before: z.number(),
  after: z.number(),
  change: z.number(),
  trend,
  infectedVolumeMl: change,
  ggoVolumeMl: change,
  consolidationVolumeMl: change,
  /** the reports' final lobar score of the lobe (radiologist's region scores included) */
  score: change
})
export type LobeChange = z.infer<typeof LobeChange>

export const RegionChange = z.object({
  id: z.string(),
  name: z.string(),
  lobe: z.string(),
  before: z.number(),
  after: z.number(),
  change: z.number(),
  trend,
  /** the reports' final CT-SS region score */
  score: change
})

/** One analysed study of the patient, for the trend chart. */
export const HistoryPoint = z.object({
  seriesId: z.number().int(),
  studyDate: z.string(),
  percentInfected: z.number(),
  ctss: z.number().int(),
  lobar: z.number().int()
})
export type HistoryPoint = z.infer<typeof HistoryPoint>

export const SeriesComparison = z.object({
  /** the earlier study */
  before: ComparedStudy,
  /** the later study */
  after: ComparedStudy,
  /** how the two were recognised as one patient */
  samePatientBy: z.enum(['patient-id', 'pseudonym']),
  /** days from the earlier study to the later; null when a study date is unknown */
  interval_days: z.number().int().nullable(),
  lungVolumeMl: change,
  infectedVolumeMl: change,
  ggoVolumeMl: change,
  consolidationVolumeMl: change,
  percentInfected: z.object({ before: lungShares, after: lungShares, change: lungShares, trend: z.object({ total: trend, left: trend, right: trend }) }),
  /** infected mL of both lungs and each, the volumes the trends weigh with the percentages */
  infectedMlByLung: z.object({ before: lungShares, after: lungShares }),
  lobes: z.array(LobeChange),
  regions: z.array(RegionChange),
  ctss: change,
  lobar: change,
  severity: z.object({ before: z.string(), after: z.string() }),
  /** the whole lungs' trend by the rule (extentTrend) */
  trend,
  rule: z.string(),
  /** plain-language lines: one for the lungs, one per lobe */
  summary: z.array(z.string()),
  /** every analysed study of the patient, oldest first */
  history: z.array(HistoryPoint)
})
export type SeriesComparison = z.infer<typeof SeriesComparison>

/** Percent as the summary writes it: one decimal, two under 1 %. */
export function formatSharePercent(p: number): string {
  return `${p !== 0 && Math.abs(p) < 1 ? p.toFixed(2) : p.toFixed(1)} %`
}

/** "LLL 12.0 % → 4.1 % (95.2 → 32.1 mL), improved" */
export function lobeSummary(lobe: Pick<LobeChange, 'id' | 'before' | 'after' | 'trend' | 'infectedVolumeMl'>): string {
  const ml = lobe.infectedVolumeMl
  return `${lobe.id} ${formatSharePercent(lobe.before)} → ${formatSharePercent(lobe.after)} (${ml.before.toFixed(1)} → ${ml.after.toFixed(1)} mL), ${lobe.trend}`
}

/** A signed integer change: "−7", "+2", "±0". */
const signedChange = (x: number): string => (x > 0 ? `+${x}` : x < 0 ? `−${-x}` : '±0')

/**
 * The summary's first line: the lungs' trend as a radiologist would say it, with the volumes and
 * the CT-SS and lobar score changes. "Lungs 2.88 % → 0.05 % infected (114.2 → 2.2 mL), resolved over
 * 14 days; CT-SS 9 → 2 (−7) of 40, lobar score 4 → 1 (−3) of 25; resolved: LUL, LLL."
 */
export function lungsSummary(
  c: Pick<SeriesComparison, 'infectedVolumeMl' | 'trend' | 'interval_days' | 'ctss' | 'lobar'> & {
    percentInfected: Pick<SeriesComparison['percentInfected'], 'before' | 'after'>
    lobes: ReadonlyArray<Pick<LobeChange, 'id' | 'trend'>>
  }
): string {
  const over = c.interval_days === null ? '' : ` over ${c.interval_days} day${c.interval_days === 1 ? '' : 's'}`
  const byTrend = (t: Trend): string[] => c.lobes.filter((l) => l.trend === t).map((l) => l.id)
  const lobes = (['resolved', 'improved', 'worse'] as const).flatMap((t) => (byTrend(t).length ? [`${t}: ${byTrend(t).join(', ')}`] : []))
  return (
    `Lungs ${formatSharePercent(c.percentInfected.before.total)} → ${formatSharePercent(c.percentInfected.after.total)} infected ` +
    `(${c.infectedVolumeMl.before.toFixed(1)} → ${c.infectedVolumeMl.after.toFixed(1)} mL), ${c.trend}${over}; ` +
    `CT-SS ${c.ctss.before} → ${c.ctss.after} (${signedChange(c.ctss.change)}) of 40, lobar score ${c.lobar.before} → ${c.lobar.after} (${signedChange(c.lobar.change)}) of 25` +
    `${lobes.length ? `; ${lobes.join('; ')}` : '; every lobe stable'}.`
  )
}
