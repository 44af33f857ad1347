import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ApiEvent, ImportResult, StudySummary } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'
import { formatPersonName, formatStudyDate } from '../format/dicom'

export interface ImportProgress {
  label: string
  done: number
  total: number
}

export interface ImportState {
  open: boolean
  /** What the user typed; kept across failures and reopenings. */
  path: string
  running: boolean
  error: string | null
  progress: ImportProgress | null
  /** Why a drop could not be imported directly (a browser does not reveal a dropped file's path). */
  dropHint: string | null
}

/** A path pasted from a file manager often arrives quoted. */
export function normaliseImportPath(text: string): string {
  const trimmed = text.trim()
  const quoted = /^(["'])(.*)\1$/s.exec(trimmed)
  return (quoted ? quoted[2] : trimmed).trim()
}

function matchesQuery(study: StudySummary, query: string): boolean {
  if (!query) return true
  const haystack = [
    study.patientName,
    formatPersonName(study.patientName),
    study.patientId,
    study.studyDate,
    formatStudyDate(study.studyDate),
    study.description,
    ...study.series.map((series) => series.description)
  ]
    .join('\n')
    .toLowerCase()
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term.length > 0)
    .every((term) => haystack.includes(term))
}

export const useStudiesStore = defineStore('studies', () => {
  const studies = ref<StudySummary[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const loadError = ref<string | null>(null)
  const query = ref('')
  const selectedStudyId = ref<number | null>(null)
  const importState = ref<ImportState>({
    open: false,
    path: '',
    running: false,
    error: null,
    progress: null,
    dropHint: null
  })
  /** One line telling the outcome of the last import, cleared when dismissed. */
  const notice = ref<string | null>(null)
  let loadSequence = 0
  let stopEvents: (() => void) | null = null

  const filteredStudies = computed(() => studies.value.filter((study) => matchesQuery(study, query.value.trim())))
  const selectedStudy = computed(() => studies.value.find((study) => study.id === selectedStudyId.value) ?? null)

  async function load(): Promise<void> {
    const sequence = ++loadSequence
    loading.value = true
    try {
      const result = await getClient().invoke('studies.list', {})
      if (sequence !== loadSequence) return
      studies.value = result
      loadError.value = null
      loaded.value = true
    } catch (error) {
      if (sequence === loadSequence) loadError.value = errorMessage(error)
    } finally {
      if (sequence === loadSequence) loading.value = false
    }
  }

  function handleEvent(event: ApiEvent): void {
    if (event.type === 'studies-changed') void load()
    else if (event.type === 'progress' && importState.value.running) {
      importState.value.progress = { label: event.label, done: event.done, total: event.total }
    }
  }

  function listen(): void {
    if (!stopEvents) stopEvents = getClient().onEvent(handleEvent)
  }

  function selectStudy(id: number | null): void {
    selectedStudyId.value = id
  }

  function openImport(dropHint: string | null = null): void {
    importState.value.open = true
    importState.value.error = null
    importState.value.dropHint = dropHint
  }

  function closeImport(): void {
    if (!importState.value.running) importState.value.open = false
  }

  function describeImport(result: ImportResult): string {
    const createdSeries = result.studies
      .flatMap((study) => study.series)
      .filter((series) => result.created.includes(series.id))
    const slices = createdSeries.reduce((sum, series) => sum + series.slices, 0)
    if (result.created.length === 0 && result.existing.length > 0) {
      return `Already in the database: ${result.existing.length} series, nothing new imported.`
    }
    const existing = result.existing.length > 0 ? `; ${result.existing.length} already present` : ''
    return `Imported ${result.created.length} series (${slices} slices)${existing}.`
  }

  async function runImport(paths?: string[]): Promise<ImportResult | null> {
    const state = importState.value
    const path = paths?.length ? paths[0] : normaliseImportPath(state.path)
    if (!path) {
      state.error =
        'Enter the path of a DICOM folder, a NIfTI/NRRD/MetaImage file or a PNG/JPG slice on this workstation.'
      return null
    }
    state.running = true
    state.error = null
    state.progress = null
    try {
      const result = await getClient().invoke('studies.import', { paths: paths?.length ? paths : [path] })
      state.open = false
      notice.value = describeImport(result)
      await load()
      const first = result.studies[0]
      if (first) {
        selectedStudyId.value = first.id
        query.value = ''
      }
      return result
    } catch (error) {
      state.error = errorMessage(error)
      return null
    } finally {
      state.running = false
      state.progress = null
    }
  }

  /** Paths dropped on the window: shown in the import dialog and imported straight away. */
  function importDropped(paths: string[]): Promise<ImportResult | null> {
    importState.value.path = paths.join(', ')
    importState.value.open = true
    importState.value.dropHint = null
    return runImport(paths)
  }

  const deleting = ref<number | null>(null)
  const deleteError = ref<string | null>(null)

  async function deleteStudy(id: number): Promise<boolean> {
    deleting.value = id
    try {
      const { deleted } = await getClient().invoke('studies.delete', { studyId: id })
      if (selectedStudyId.value === id) selectedStudyId.value = null
      notice.value = deleted
        ? 'The study was deleted from the database; its source files were not touched.'
        : 'The study was already gone.'
      await load()
      return true
    } catch (error) {
      loadError.value = null
      notice.value = null
      deleteError.value = errorMessage(error)
      return false
    } finally {
      deleting.value = null
    }
  }

  return {
    deleting,
    deleteError,
    importDropped,
    deleteStudy,
    studies,
    loading,
    loaded,
    loadError,
    query,
    selectedStudyId,
    importState,
    notice,
    filteredStudies,
    selectedStudy,
    load,
    listen,
    selectStudy,
    openImport,
    closeImport,
    runImport
  }
})
