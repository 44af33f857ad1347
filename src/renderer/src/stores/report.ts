import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { RegionScore, SeverityReportView } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'

/** CT-SS above 19.5 of 40 marks severe disease (Yang et al. 2020). */
export const ctssSevereThreshold = 19.5

export function finalScore(region: RegionScore): number {
  return region.edited?.score ?? region.score
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
    if (id === null) {
      adopt(null)
      loaded.value = false
      return
    }
    if (report.value?.seriesId !== id) adopt(null)
    loading.value = true
    try {
      const view = await getClient().invoke('reports.get', { seriesId: id })
      if (sequence !== loadSequence) return
      adopt(view)
      loaded.value = true
    } catch (failure) {
      if (sequence === loadSequence) error.value = errorMessage(failure)
    } finally {
      if (sequence === loadSequence) loading.value = false
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

  const liveCtss = computed(() => report.value?.regions.reduce((sum, region) => sum + shownScore(region), 0) ?? 0)
  const liveSevere = computed(() => liveCtss.value > ctssSevereThreshold)
  const dirty = computed(
    () =>
      report.value !== null &&
      (Object.keys(draftScores.value).length > 0 ||
        findings.value !== report.value.findings ||
        impression.value !== report.value.impression)
  )

  async function save(): Promise<boolean> {
    const current = report.value
    if (!current || signed.value) return false
    busy.value = 'save'
    actionError.value = null
    notice.value = null
    try {
      const regionScores = Object.entries(draftScores.value).map(([regionId, score]) => ({ regionId, score }))
      const view = await getClient().invoke('reports.update', {
        reportId: current.id,
        ...(regionScores.length > 0 ? { regionScores } : {}),
        findings: findings.value,
        impression: impression.value
      })
      adopt(view)
      notice.value = 'Report saved.'
      return true
    } catch (failure) {
      actionError.value = errorMessage(failure)
      return false
    } finally {
      busy.value = null
    }
  }

  async function sign(): Promise<void> {
    const current = report.value
    if (!current || signed.value) return
    if (dirty.value && !(await save())) return
    busy.value = 'sign'
    actionError.value = null
    try {
      adopt(await getClient().invoke('reports.sign', { reportId: current.id }))
      notice.value = `Signed by ${report.value?.signedBy ?? ''}.`
    } catch (failure) {
      actionError.value = errorMessage(failure)
    } finally {
      busy.value = null
    }
  }

  /**
   * Writes the PDF to `path` (desktop) or returns its bytes for a download (browser); de-identified
   * unless `identified` is set.
   */
  async function pdf(path?: string, identified = false): Promise<Uint8Array | { path: string } | null> {
    const current = report.value
    if (!current) return null
    if (dirty.value && !signed.value && !(await save())) return null
    busy.value = 'export'
    actionError.value = null
    try {
      return await getClient().invoke('reports.pdf', path ? { reportId: current.id, path, identified } : { reportId: current.id, identified })
    } catch (failure) {
      actionError.value = errorMessage(failure)
      return null
    } finally {
      busy.value = null
    }
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
    dirty,
    load,
    shownScore,
    setScore,
    save,
    sign,
    pdf
  }
})
