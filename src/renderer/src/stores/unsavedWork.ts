import { defineStore } from 'pinia'
import { computed } from 'vue'
import { useMasksStore } from './masks'
import { useReportStore } from './report'
import { useUiStore } from './ui'

/**
 * Unsaved work of the open series (mask edits, report edits) and the one question asked before it
 * would be dropped: switching series, closing it, deleting its study. Leaving or reloading the page
 * is asked by the browser itself (beforeunload, App.vue), which can only offer to stay or leave.
 */
export const useUnsavedWorkStore = defineStore('unsavedWork', () => {
  const masks = useMasksStore()
  const report = useReportStore()
  const ui = useUiStore()

  const reportDirty = computed(() => report.dirty && !report.signed)
  const pending = computed(() => masks.hasUnsavedEdits || reportDirty.value)

  /** "mask edits on 2 slices and report changes", for the prompt. */
  const description = computed(() => {
    const parts: string[] = []
    const slices = masks.changedSlices.length
    if (masks.hasUnsavedEdits) parts.push(`mask edits on ${slices} slice${slices === 1 ? '' : 's'}`)
    if (reportDirty.value) parts.push('report changes (scores, findings or impression)')
    return parts.join(' and ')
  })

  async function saveAll(): Promise<boolean> {
    if (masks.hasUnsavedEdits && !(await masks.save())) return false
    if (reportDirty.value && !(await report.save())) return false
    return true
  }

  /**
   * Asks before `action` ("open another series", "close this series") drops unsaved work; true
   * when it may go ahead (nothing pending, saved, or discarded on purpose), false to keep editing.
   */
  async function confirmLeave(action: string): Promise<boolean> {
    if (!pending.value) return true
    const choice = await ui.choose({
      title: 'Unsaved changes',
      message: `You have unsaved ${description.value}. Save them before you ${action}, discard them, or keep editing.`,
      cancelLabel: 'Keep editing',
      alternativeLabel: 'Discard changes',
      confirmLabel: 'Save and continue'
    })
    if (choice === 'cancel') return false
    if (choice === 'alternative') {
      masks.discardEdits()
      return true
    }
    // A refused save (a conflict, a lost connection) keeps the user here with its message shown.
    return saveAll()
  }

  return { pending, description, confirmLeave }
})
