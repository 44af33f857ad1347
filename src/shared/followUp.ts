/**
 * Follow-up: how a patient's lungs changed between two analysed CT studies. The contract's shape of
 * a comparison, the rule that calls a change "improved", "stable" or "worse", and the matching of
 * axial levels between two scans. Pure; imports nothing from Node or the DOM.
 */
import { z } from 'zod'

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

export const TREND_RULE =
  `A change counts when the percent infected moves by at least ${TREND_MIN_POINTS} percentage points and by at least ` +
  `${Math.round(TREND_MIN_RELATIVE * 100)} % of the larger value; less is read as stable (measurement noise: the model's ` +
  `false positives on normal lungs, under 2 points, and the lung volume's change with inspiration, 10–20 %).`

export type Trend = 'improved' | 'stable' | 'worse'

/** Improved, stable or worse by the stated rule (less infected is improved). */
export function percentTrend(before: number, after: number): Trend {
  const change = after - before
  const larger = Math.max(Math.abs(before), Math.abs(after))
  if (Math.abs(change) < TREND_MIN_POINTS || Math.abs(change) < TREND_MIN_RELATIVE * larger) return 'stable'
  return change < 0 ? 'improved' : 'worse'
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
const trend = z.enum(['improved', 'stable', 'worse'])
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
  /** set when the lung volume changed by more than LUNG_VOLUME_CHANGE_LIMIT (src/shared/lungVolumeChange.ts) */
  lungVolumeWarning: z.string().nullable(),
  infectedVolumeMl: change,
  ggoVolumeMl: change,
  consolidationVolumeMl: change,
  percentInfected: z.object({ before: lungShares, after: lungShares, change: lungShares, trend: z.object({ total: trend, left: trend, right: trend }) }),
  lobes: z.array(LobeChange),
  regions: z.array(RegionChange),
  ctss: change,
  lobar: change,
  severity: z.object({ before: z.string(), after: z.string() }),
  /** the whole lungs' trend: the total percent infected by the rule */
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

/** "LLL 12.0 % → 4.1 %, improved" */
export function lobeSummary(lobe: Pick<LobeChange, 'id' | 'before' | 'after' | 'trend'>): string {
  return `${lobe.id} ${formatSharePercent(lobe.before)} → ${formatSharePercent(lobe.after)}, ${lobe.trend}`
}
