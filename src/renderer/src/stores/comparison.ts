import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { matchedSlice, type SeriesComparison } from '../../../shared/followUp'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'

/**
 * The "Compare with…" view: two analysed studies of one patient, earlier → later, shown at matched
 * levels. The level is held as the earlier study's slice; the later one follows by the lungs' extent.
 */
export const useComparisonStore = defineStore('comparison', () => {
  const comparison = ref<SeriesComparison | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  /** slice index shown in the earlier study */
  const beforeSlice = ref(0)
  let sequence = 0

  const afterSlice = computed(() => {
    const c = comparison.value
    if (!c || !c.before.lungExtent || !c.after.lungExtent) return Math.min(beforeSlice.value, Math.max((c?.after.slices ?? 1) - 1, 0))
    return matchedSlice(beforeSlice.value, c.before.lungExtent, c.after.lungExtent, c.after.slices)
  })

  async function open(seriesA: number, seriesB: number): Promise<void> {
    const mine = ++sequence
    loading.value = true
    error.value = null
    comparison.value = null
    try {
      const result = await getClient().invoke('comparison.compare', { seriesA, seriesB })
      if (mine !== sequence) return
      comparison.value = result
      // Start at the middle of the lungs, where both studies show the most.
      const extent = result.before.lungExtent
      beforeSlice.value = extent ? Math.round((extent.apexSlice + extent.baseSlice) / 2) : Math.floor(result.before.slices / 2)
    } catch (e) {
      if (mine === sequence) error.value = errorMessage(e)
    } finally {
      if (mine === sequence) loading.value = false
    }
  }

  function setBeforeSlice(k: number): void {
    const slices = comparison.value?.before.slices ?? 1
    beforeSlice.value = Math.min(Math.max(Math.round(k), 0), slices - 1)
  }

  /** Scrolling the later study moves the level: the earlier one is found by the same matching, backwards. */
  function setAfterSlice(k: number): void {
    const c = comparison.value
    if (!c) return
    if (!c.before.lungExtent || !c.after.lungExtent) return setBeforeSlice(k)
    setBeforeSlice(matchedSlice(k, c.after.lungExtent, c.before.lungExtent, c.before.slices))
  }

  function close(): void {
    sequence++
    comparison.value = null
    error.value = null
    loading.value = false
  }

  return { comparison, loading, error, beforeSlice, afterSlice, open, setBeforeSlice, setAfterSlice, close }
})
