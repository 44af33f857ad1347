import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ApiEvent, ModelSummary, Params, TrainingRun, TrainingStep } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'

/** Loss outputs of Inf-Net training, in the order the monitor draws them. */
export const lossKeys = ['total', 'global', 's5', 's4', 's3', 'edge'] as const

/** Runs that can still change. */
export function isActiveRun(run: TrainingRun): boolean {
  return run.status === 'queued' || run.status === 'running' || run.status === 'paused'
}

/**
 * Retraining: the models, the runs, the run being watched with its live history (its steps come in
 * as 'training-progress' events and are appended to what 'training.list' returned).
 */
export const runStatusLabels: Record<TrainingRun['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  cancelled: 'Cancelled',
  failed: 'Failed',
  finished: 'Finished'
}

export const useTrainingStore = defineStore('training', () => {
  const models = ref<ModelSummary[]>([])
  const runs = ref<TrainingRun[]>([])
  const modelsError = ref<string | null>(null)
  const runsError = ref<string | null>(null)
  const actionError = ref<string | null>(null)
  const notice = ref<string | null>(null)
  const selectedRunId = ref<number | null>(null)
  const starting = ref(false)
  const busyRun = ref<number | null>(null)
  /** Backend reported by the latest progress event of each run. */
  const liveBackend = ref<Record<number, string>>({})
  let stopEvents: (() => void) | null = null

  const selectedRun = computed(() => runs.value.find((run) => run.id === selectedRunId.value) ?? null)
  const activeModel = computed(() => models.value.find((model) => model.active) ?? null)

  async function loadModels(): Promise<void> {
    try {
      models.value = await getClient().invoke('models.list', {})
      modelsError.value = null
    } catch (failure) {
      modelsError.value = errorMessage(failure)
    }
  }

  async function loadRuns(): Promise<void> {
    try {
      const list = await getClient().invoke('training.list', {})
      // Keep steps that arrived as events if the listing is older than them.
      runs.value = list.map((run) => {
        const known = runs.value.find((r) => r.id === run.id)
        return known && known.history.length > run.history.length && known.globalStep >= run.globalStep
          ? { ...run, history: known.history }
          : run
      })
      runsError.value = null
      if (selectedRunId.value === null || !runs.value.some((run) => run.id === selectedRunId.value)) {
        selectedRunId.value = runs.value.find(isActiveRun)?.id ?? runs.value.at(-1)?.id ?? null
      }
    } catch (failure) {
      runsError.value = errorMessage(failure)
    }
  }

  async function load(): Promise<void> {
    await Promise.all([loadModels(), loadRuns()])
  }

  function upsert(run: TrainingRun): void {
    const index = runs.value.findIndex((r) => r.id === run.id)
    if (index < 0) runs.value = [...runs.value, run]
    else
      runs.value = runs.value.map((r, i) =>
        i === index ? { ...run, history: run.history.length >= r.history.length ? run.history : r.history } : r
      )
  }

  function handleEvent(event: ApiEvent): void {
    if (event.type === 'training-progress') {
      const run = runs.value.find((r) => r.id === event.runId)
      liveBackend.value = { ...liveBackend.value, [event.runId]: event.backend }
      if (!run) {
        void loadRuns()
        return
      }
      const history: TrainingStep[] = run.history.some((s) => s.step === event.step.step)
        ? run.history
        : [...run.history, event.step]
      const validationDice =
        event.validationDice === undefined
          ? run.validationDice
          : [...run.validationDice, { epoch: event.step.epoch, dice: event.validationDice }]
      upsert({
        ...run,
        status: run.status === 'queued' ? 'running' : run.status,
        history,
        validationDice,
        globalStep: event.globalStep,
        totalSteps: event.totalSteps,
        etaSeconds: event.etaSeconds,
        backend: event.backend
      })
    } else if (event.type === 'task-ended' && event.kind === 'training') {
      notice.value = event.message
      void load()
    }
  }

  function listen(): void {
    if (!stopEvents) stopEvents = getClient().onEvent(handleEvent)
  }

  // Validation results and messages are not streamed; while a run is active the monitor refreshes them.
  let pollTimer: ReturnType<typeof setInterval> | null = null
  function watchRuns(on: boolean): void {
    if (pollTimer) clearInterval(pollTimer)
    pollTimer = on
      ? setInterval(() => {
          if (runs.value.some(isActiveRun)) void loadRuns()
        }, 8000)
      : null
  }

  async function start(params: Params<'training.start'>): Promise<void> {
    starting.value = true
    actionError.value = null
    notice.value = null
    try {
      const run = await getClient().invoke('training.start', params)
      upsert(run)
      selectedRunId.value = run.id
    } catch (failure) {
      actionError.value = errorMessage(failure)
    } finally {
      starting.value = false
    }
  }

  async function control(action: 'pause' | 'resume' | 'cancel', runId: number): Promise<void> {
    busyRun.value = runId
    actionError.value = null
    notice.value = null
    try {
      const method = action === 'pause' ? 'training.pause' : action === 'resume' ? 'training.resume' : 'training.cancel'
      upsert(await getClient().invoke(method, { runId }))
    } catch (failure) {
      actionError.value = errorMessage(failure)
    } finally {
      busyRun.value = null
    }
  }

  async function activate(modelId: number): Promise<void> {
    actionError.value = null
    try {
      models.value = await getClient().invoke('models.activate', { modelId })
      const model = models.value.find((m) => m.id === modelId)
      if (model) notice.value = `Analyses now use ${model.name} ${model.version}.`
    } catch (failure) {
      actionError.value = errorMessage(failure)
    }
  }

  /** "Inf-Net 1.2" for a model id, as the run list and the monitor name it. */
  function modelName(id: number | null): string {
    if (id === null) return ''
    const model = models.value.find((m) => m.id === id)
    return model ? `${model.name} ${model.version}` : `model ${id}`
  }

  return {
    models,
    runs,
    modelsError,
    runsError,
    actionError,
    notice,
    selectedRunId,
    selectedRun,
    activeModel,
    starting,
    busyRun,
    liveBackend,
    load,
    loadModels,
    loadRuns,
    listen,
    watchRuns,
    start,
    control,
    activate,
    modelName
  }
})
