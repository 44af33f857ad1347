import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AnalysisMaskBase, ApiEvent, TaskEndedEvent } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'
import { useMasksStore } from './masks'
import { useReportStore } from './report'
import { useViewerStore } from './viewer'

export interface AnalysisProgress {
  label: string
  done: number
  total: number
}

export interface AnalysisOutcome {
  seriesId: number
  status: TaskEndedEvent['status']
  message: string
}

function newTaskId(): string {
  const random = globalThis.crypto?.randomUUID?.()
  return `analysis-${random ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`
}

/** The analysis of the open series: start, progress events, cancel, and loading its results. */
export const useAnalysisStore = defineStore('analysis', () => {
  const taskId = ref<string | null>(null)
  const seriesId = ref<number | null>(null)
  const progress = ref<AnalysisProgress | null>(null)
  const cancelling = ref(false)
  const outcome = ref<AnalysisOutcome | null>(null)
  let stopEvents: (() => void) | null = null

  async function finish(event: TaskEndedEvent): Promise<void> {
    const id = event.seriesId ?? seriesId.value
    taskId.value = null
    progress.value = null
    cancelling.value = false
    if (id !== null && id !== undefined) outcome.value = { seriesId: id, status: event.status, message: event.message }
    if (event.status !== 'finished' || id === null || id === undefined) return
    const viewer = useViewerStore()
    if (viewer.series?.id !== id || !viewer.header) return
    // The masks and scores the analysis produced replace what the viewer showed.
    await Promise.all([useMasksStore().open(id, [...viewer.header.dimensions]), useReportStore().load(id)])
  }

  function handleEvent(event: ApiEvent): void {
    if (event.type === 'progress' && event.taskId === taskId.value) {
      progress.value = { label: event.label, done: event.done, total: event.total }
    } else if (event.type === 'task-ended' && event.kind === 'analysis') {
      if (event.taskId === taskId.value) {
        void finish(event)
      } else if (
        event.status === 'finished' &&
        event.seriesId !== undefined &&
        event.seriesId === useViewerStore().series?.id
      ) {
        // Analysed from another window: show the new results unless edits would be thrown away.
        const masks = useMasksStore()
        const viewer = useViewerStore()
        if (!masks.hasUnsavedEdits && viewer.header) void masks.open(event.seriesId, [...viewer.header.dimensions])
        void useReportStore().load(event.seriesId)
      }
    }
  }

  function listen(): void {
    if (!stopEvents) stopEvents = getClient().onEvent(handleEvent)
  }

  /** `maskBase`: what a corrected series is scored from afterwards (see AnalysisMaskBase). */
  async function start(id: number, maskBase?: AnalysisMaskBase): Promise<void> {
    if (taskId.value) return
    const task = newTaskId()
    taskId.value = task
    seriesId.value = id
    outcome.value = null
    cancelling.value = false
    progress.value = { label: 'Starting analysis', done: 0, total: 0 }
    try {
      await getClient().invoke('analysis.start', { seriesId: id, taskId: task, ...(maskBase ? { maskBase } : {}) })
    } catch (failure) {
      if (taskId.value !== task) return
      taskId.value = null
      progress.value = null
      outcome.value = {
        seriesId: id,
        status: 'failed',
        message: `The analysis could not start: ${errorMessage(failure)}`
      }
    }
  }

  async function cancel(): Promise<void> {
    const task = taskId.value
    if (!task || cancelling.value) return
    cancelling.value = true
    try {
      const { cancelled } = await getClient().invoke('analysis.cancel', { taskId: task })
      // The end arrives as a 'task-ended' event; if the task had already gone, say so now.
      if (!cancelled && taskId.value === task) {
        taskId.value = null
        progress.value = null
        cancelling.value = false
      }
    } catch (failure) {
      cancelling.value = false
      if (seriesId.value !== null)
        outcome.value = { seriesId: seriesId.value, status: 'failed', message: errorMessage(failure) }
    }
  }

  function dismiss(): void {
    outcome.value = null
  }

  return { taskId, seriesId, progress, cancelling, outcome, listen, start, cancel, dismiss }
})
