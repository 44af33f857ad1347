import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { RegionScore, ReportRecord, SeverityReportView } from '../../../shared/api'
import { automaticScoresOfView, finalScores, regionFinalScore, type FinalScores, type RegionEdit } from '../../../shared/severityScoring'
import type { RsnaCategory } from '../../../shared/ctPattern'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'

export { CTSS_MAX, CTSS_SEVERE_THRESHOLD, LOBAR_MAX } from '../../../shared/severityScoring'

export function finalScore(region: RegionScore): number {
  return regionFinalScore(region)
}

/**
 * The severity report of the open series: the automatic values, the radiologist's edits (pending
 * ones kept here until saved), free text, sign-off and PDF export.
 */
export const useReportStore = defineStore('report', () => {
  const seriesId = ref<number | null>(null)
  const report = ref<SeverityReportView | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  /** Region scores changed here and not saved yet: regionId → score. */
  const draftScores = ref<Record<string, number>>({})
  const findings = ref('')
  const impression = ref('')
  const busy = ref<'save' | 'sign' | 'export' | null>(null)
  const actionError = ref<string | null>(null)
  const notice = ref<string | null>(null)
  let loadSequence = 0

  const signed = computed(() => report.value?.signedAt != null)

  function adopt(view: SeverityReportView | null): void {
    report.value = view
    draftScores.value = {}
    findings.value = view?.findings ?? ''
    impression.value = view?.impression ?? ''
  }

  async function load(id: number | null): Promise<void> {
    const sequence = ++loadSequence
    seriesId.value = id
    error.value = null
    actionError.value = null
    notice.value = null
    viewingRecord.value = null
    if (id === null) {
      adopt(null)
      history.value = []
      loaded.value = false
      return
    }
    if (report.value?.seriesId !== id) adopt(null)
    loading.value = true
    try {
      const [view, list] = await Promise.all([
        getClient().invoke('reports.get', { seriesId: id }),
        getClient().invoke('reports.list', { seriesId: id })
      ])
      if (sequence !== loadSequence) return
      adopt(view)
      history.value = list
      loaded.value = true
    } catch (failure) {
      if (sequence === loadSequence) error.value = errorMessage(failure)
    } finally {
      if (sequence === loadSequence) loading.value = false
    }
  }

  /**
   * Reloads the current report after the service rescored it (a mask version was saved), keeping
   * the radiologist's unsaved scores and text.
   */
  async function refresh(): Promise<void> {
    const id = seriesId.value
    if (id === null) return
    const pendingScores = { ...draftScores.value }
    const text = dirty.value ? { findings: findings.value, impression: impression.value } : null
    await load(id)
    if (seriesId.value !== id || !report.value || report.value.signedAt) return
    draftScores.value = pendingScores
    if (text) {
      findings.value = text.findings
      impression.value = text.impression
    }
  }

  function shownScore(region: RegionScore): number {
    return draftScores.value[region.id] ?? finalScore(region)
  }

  function setScore(region: RegionScore, score: number): void {
    const next = { ...draftScores.value }
    if (score === finalScore(region)) delete next[region.id]
    else next[region.id] = score
    draftScores.value = next
    notice.value = null
  }

  /**
   * The final scores as they stand with the unsaved region scores too, by the same rule the
   * service and the PDF use (src/shared/severityScoring.ts).
   */
  const live = computed<FinalScores | null>(() => {
    const view = report.value
    if (!view) return null
    const edits: RegionEdit[] = view.regions
      .filter((r) => shownScore(r) !== r.score)
      .map((r) => ({ regionId: r.id, score: shownScore(r), by: '', at: '' }))
    return finalScores(automaticScoresOfView(view), edits)
  })
  const liveCtss = computed(() => live.value?.ctss.final ?? 0)
  const liveSevere = computed(() => live.value?.ctss.severe ?? false)
  const liveLobar = computed(() => live.value?.lobar.final ?? 0)
  const liveSeverity = computed(() => live.value?.severity.final ?? 'none')
  function liveLobeScore(lobeId: string): number {
    return live.value?.lobes.find((l) => l.id === lobeId)?.final ?? 0
  }

  /** The series' reports, oldest first: drafts, signed reports, amendments. */
  const history = ref<ReportRecord[]>([])
  /** A report of the history shown instead of the current one (read-only), or null. */
  const viewingRecord = ref<SeverityReportView | null>(null)

  async function loadHistory(id: number): Promise<void> {
    try {
      const list = await getClient().invoke('reports.list', { seriesId: id })
      if (seriesId.value === id) history.value = list
    } catch (failure) {
      if (seriesId.value === id) actionError.value = errorMessage(failure)
    }
  }

  async function viewRecord(reportId: number): Promise<void> {
    actionError.value = null
    try {
      viewingRecord.value =
        reportId === report.value?.id ? null : await getClient().invoke('reports.view', { reportId })
    } catch (failure) {
      actionError.value = errorMessage(failure)
    }
  }

  /** The PDF a report was signed as, unchanged. */
  async function signedPdf(reportId: number): Promise<Uint8Array | null> {
    actionError.value = null
    try {
      return await getClient().invoke('reports.signedPdf', { reportId })
    } catch (failure) {
      actionError.value = errorMessage(failure)
      return null
    }
  }

  /** Runs one action on the report: `busy` says which meanwhile; a failure is shown and gives `failed`. */
  async function act<T>(kind: 'save' | 'sign' | 'export', failed: T, action: () => Promise<T>): Promise<T> {
    busy.value = kind
    actionError.value = null
    try {
      return await action()
    } catch (failure) {
      actionError.value = errorMessage(failure)
      return failed
    } finally {
      busy.value = null
    }
  }

  /** Rescores the report from a mask version, without running the model. */
  async function rescore(maskVersion: number): Promise<boolean> {
    const id = seriesId.value
    if (id === null) return false
    return act('save', false, async () => {
      const view = await getClient().invoke('reports.rescore', { seriesId: id, maskVersion })
      if (seriesId.value !== id) return true
      const keepText = dirty.value ? { findings: findings.value, impression: impression.value } : null
      adopt(view)
      if (keepText) {
        findings.value = keepText.findings
        impression.value = keepText.impression
      }
      notice.value = view.amends
        ? `Rescored from mask version ${maskVersion} as a new draft amending signed report ${view.amends.reportId}.`
        : `Rescored from mask version ${maskVersion}.`
      await loadHistory(id)
      return true
    })
  }
  const dirty = computed(
    () =>
      report.value !== null &&
      (Object.keys(draftScores.value).length > 0 ||
        findings.value !== report.value.findings ||
        impression.value !== report.value.impression)
  )

  /** Saves the pending region scores and text, with `change` (the pattern category) when given. */
  async function saveDraft(change: { pattern?: { rsna: RsnaCategory; coRads: number; note: string } | null }, saved: string): Promise<boolean> {
    const current = report.value
    if (!current || signed.value) return false
    notice.value = null
    return act('save', false, async () => {
      const regionScores = Object.entries(draftScores.value).map(([regionId, score]) => ({ regionId, score }))
      const view = await getClient().invoke('reports.update', {
        reportId: current.id,
        ...(regionScores.length > 0 ? { regionScores } : {}),
        findings: findings.value,
        impression: impression.value,
        ...change
      })
      adopt(view)
      notice.value = saved
      return true
    })
  }

  function save(): Promise<boolean> {
    return saveDraft({}, 'Report saved.')
  }

  /**
   * Sets the radiologist's CT pattern category in place of Pulmo's proposal (null: back to the
   * proposal), saved at once with any pending scores and text: the category is what gets signed.
   */
  function setPattern(pattern: { rsna: RsnaCategory; coRads: number; note: string } | null): Promise<boolean> {
    return saveDraft({ pattern }, pattern ? 'CT pattern category set.' : 'CT pattern back to Pulmo’s proposal.')
  }

  async function sign(): Promise<void> {
    const current = report.value
    if (!current || signed.value) return
    if (dirty.value && !(await save())) return
    await act('sign', undefined, async () => {
      adopt(await getClient().invoke('reports.sign', { reportId: current.id }))
      notice.value = `Signed by ${report.value?.signedBy ?? ''}.`
      if (seriesId.value !== null) await loadHistory(seriesId.value)
    })
  }

  /**
   * Writes the PDF to `path` (desktop) or returns its bytes for a download (browser); de-identified
   * unless `identified` is set.
   */
  async function pdf(path?: string, identified = false): Promise<Uint8Array | { path: string } | null> {
    const current = report.value
    if (!current) return null
    if (dirty.value && !signed.value && !(await save())) return null
    return act('export', null, () =>
      getClient().invoke(
        'reports.pdf',
        path ? { reportId: current.id, path, identified } : { reportId: current.id, identified }
      )
    )
  }

  return {
    seriesId,
    report,
    loading,
    loaded,
    error,
    draftScores,
    findings,
    impression,
    busy,
    actionError,
    notice,
    signed,
    liveCtss,
    liveSevere,
    liveLobar,
    liveSeverity,
    liveLobeScore,
    history,
    viewingRecord,
    dirty,
    load,
    refresh,
    loadHistory,
    viewRecord,
    signedPdf,
    rescore,
    shownScore,
    setScore,
    save,
    setPattern,
    sign,
    pdf
  }
})
