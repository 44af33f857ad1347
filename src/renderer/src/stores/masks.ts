import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { MaskVersion } from '../../../shared/api'
import { encodeRuns } from '../../../shared/runLength'
import { getClient } from '../api/client'
import { errorMessage, toApiError } from '../api/errors'
import { UndoHistory, type HistoryMemo } from '../annotation/history'
import { applyPatch, diffSlice, slicesEqual, type SlicePatch } from '../annotation/patch'
import { useMaskVersionListStore } from './maskVersionList'
import { useReportStore } from './report'
import { useToolSettingsStore } from './toolSettings'
import { useViewerStore } from './viewer'

export type MaskStatus = 'idle' | 'loading' | 'ready' | 'error'

interface OpenEdit {
  k: number
  snapshot: Uint8Array
}

/** One undo step: a patch of one slice of the working labels. */
interface SliceMemo extends HistoryMemo {
  readonly k: number
}

const historyLimit = 200

/**
 * The open series' working infection mask and its editing: the labels the viewer shows and the
 * tools edit, the lung mask, the edit in progress, the undo history, and saving the edited slices as
 * a new version. Tool settings are in toolSettings.ts, the saved versions in maskVersionList.ts
 * (their state, read here) and maskVersions.ts (viewing, comparing, reverting).
 */
export const useMasksStore = defineStore('masks', () => {
  const seriesId = ref<number | null>(null)
  const dims = ref<[number, number, number] | null>(null)
  // Volumes of tens of megabytes: never deeply reactive; `revision` says when their content changed.
  const labels = shallowRef<Uint8Array | null>(null)
  const lungs = shallowRef<Uint8Array | null>(null)
  /** the anatomical lobes of the latest analysis (1 RUL … 5 LLL), for the fissure overlay */
  const lobes = shallowRef<Uint8Array | null>(null)
  const revision = ref(0)
  const status = ref<MaskStatus>('idle')
  const error = ref<string | null>(null)
  /** The version the working labels started from (0: no version yet); the base of the next save. */
  const loadedVersion = ref(0)

  // ---- edit history ----
  const history = new UndoHistory<SliceMemo>(historyLimit)
  // `history` is a plain object: what the panel shows of it is copied here after every change.
  const undoCount = ref(0)
  const redoCount = ref(0)
  /** What the next undo and redo would take back or make again, for the buttons' tooltips. */
  const undoAction = ref<string | null>(null)
  const redoAction = ref<string | null>(null)
  /** The loaded version's content of each slice touched since loading (the comparison for saving). */
  const originals = new Map<number, Uint8Array>()
  /** Slices whose content differs from the loaded version. */
  const changedSlices = ref<number[]>([])
  let openEdit: OpenEdit | null = null

  // ---- saving ----
  const saving = ref(false)
  const saveError = ref<string | null>(null)
  const conflict = ref<string | null>(null)
  const notice = ref<string | null>(null)

  let loadSequence = 0

  const versions = useMaskVersionListStore()
  const settings = useToolSettingsStore()

  const sliceSize = computed(() => (dims.value ? dims.value[0] * dims.value[1] : 0))
  const ready = computed(() => status.value === 'ready' && labels.value !== null)
  const canEdit = computed(() => ready.value && versions.viewing === null && !saving.value && !versions.versionBusy)
  const hasUnsavedEdits = computed(() => changedSlices.value.length > 0)
  /** What the viewer shows: a version being viewed, else the working labels. */
  const displayLabels = computed(() => versions.viewing?.labels ?? labels.value)
  const canUndo = computed(() => undoCount.value > 0 && canEdit.value)
  const canRedo = computed(() => redoCount.value > 0 && canEdit.value)

  function touch(): void {
    revision.value++
  }

  function historyChanged(): void {
    undoCount.value = history.undoCount
    redoCount.value = history.redoCount
    undoAction.value = history.nextUndo?.action ?? null
    redoAction.value = history.nextRedo?.action ?? null
  }

  function sliceOf(volume: Uint8Array, k: number): Uint8Array {
    return volume.subarray(k * sliceSize.value, (k + 1) * sliceSize.value)
  }

  function resetEditing(): void {
    history.clear()
    historyChanged()
    originals.clear()
    changedSlices.value = []
    openEdit = null
    settings.toolPreview = null
  }

  /** The undo step of `patch`: restoring it rewrites its voxels of the working labels. */
  function sliceMemo(patch: SlicePatch): SliceMemo {
    return {
      action: patch.action,
      k: patch.k,
      restore(direction) {
        if (!labels.value) return
        const slice = sliceOf(labels.value, patch.k)
        if (!originals.has(patch.k)) originals.set(patch.k, slice.slice())
        applyPatch(slice, patch, direction)
      }
    }
  }

  async function fetchLungs(id: number): Promise<Uint8Array | null> {
    try {
      return await getClient().invoke('masks.lungs', { seriesId: id })
    } catch (failure) {
      // Before the first analysis there is no lung mask: that is a state, not an error.
      if (toApiError(failure).code === 'not-found') return null
      throw failure
    }
  }

  async function fetchLobes(id: number): Promise<Uint8Array | null> {
    try {
      return await getClient().invoke('masks.lobes', { seriesId: id })
    } catch (failure) {
      if (toApiError(failure).code === 'not-found') return null
      throw failure
    }
  }

  /** Loads the latest mask, the lung mask, the lobes and the version list of a series. */
  async function open(id: number | null, dimensions: [number, number, number] | null): Promise<void> {
    const sequence = ++loadSequence
    seriesId.value = id
    dims.value = dimensions
    labels.value = null
    lungs.value = null
    lobes.value = null
    versions.reset()
    loadedVersion.value = 0
    conflict.value = null
    saveError.value = null
    notice.value = null
    error.value = null
    resetEditing()
    if (id === null || dimensions === null) {
      status.value = 'idle'
      touch()
      return
    }
    status.value = 'loading'
    try {
      const client = getClient()
      const expected = dimensions[0] * dimensions[1] * dimensions[2]
      const [list, lungBytes, lobeBytes] = await Promise.all([client.invoke('masks.list', { seriesId: id }), fetchLungs(id), fetchLobes(id)])
      if (sequence !== loadSequence) return
      // Before any version the mask is empty: no need to send tens of megabytes of zeros.
      const latest = list.at(-1)?.version
      const labelBytes =
        latest === undefined
          ? new Uint8Array(expected)
          : await client.invoke('masks.voxels', { seriesId: id, version: latest })
      if (sequence !== loadSequence) return
      if (labelBytes.byteLength !== expected)
        throw new Error(`The server sent ${labelBytes.byteLength} mask voxels; the series has ${expected}.`)
      versions.versions = list
      loadedVersion.value = latest ?? 0
      labels.value = latest === undefined ? labelBytes : new Uint8Array(labelBytes)
      lungs.value = lungBytes && lungBytes.byteLength === expected ? new Uint8Array(lungBytes) : null
      lobes.value = lobeBytes && lobeBytes.byteLength === expected ? new Uint8Array(lobeBytes) : null
      status.value = 'ready'
    } catch (failure) {
      if (sequence !== loadSequence) return
      error.value = errorMessage(failure)
      status.value = 'error'
    }
    touch()
  }

  function close(): void {
    void open(null, null)
  }

  // ---- edits ----

  /** Starts an edit of slice k (or continues the open one); false when editing is not possible now. */
  function beginEdit(k: number): Uint8Array | null {
    if (!canEdit.value || !labels.value) return null
    if (openEdit && openEdit.k !== k) cancelEdit()
    const slice = sliceOf(labels.value, k)
    if (!openEdit) openEdit = { k, snapshot: slice.slice() }
    if (!originals.has(k)) originals.set(k, openEdit.snapshot.slice())
    saveError.value = null
    notice.value = null
    return slice
  }

  function refreshChanged(k: number): void {
    if (!labels.value) return
    const original = originals.get(k)
    const differs = original ? !slicesEqual(original, sliceOf(labels.value, k)) : false
    const set = new Set(changedSlices.value)
    if (differs) set.add(k)
    else set.delete(k)
    changedSlices.value = [...set].sort((a, b) => a - b)
  }

  function commitEdit(action: string): void {
    if (!openEdit || !labels.value) return
    const { k, snapshot } = openEdit
    openEdit = null
    const patch = diffSlice(k, snapshot, sliceOf(labels.value, k), action)
    if (!patch) return
    history.record(sliceMemo(patch))
    historyChanged()
    refreshChanged(k)
    touch()
  }

  function cancelEdit(): void {
    if (!openEdit || !labels.value) return
    sliceOf(labels.value, openEdit.k).set(openEdit.snapshot)
    openEdit = null
    settings.toolPreview = null
    touch()
  }

  function editOpen(): boolean {
    return openEdit !== null
  }

  /** Undoes or redoes one step and shows its slice; returns that slice, or null when nothing changed. */
  function replay(direction: 'undo' | 'redo'): number | null {
    if (!canEdit.value || !labels.value) return null
    if (openEdit) cancelEdit()
    const memo = direction === 'undo' ? history.undo() : history.redo()
    if (!memo) return null
    historyChanged()
    refreshChanged(memo.k)
    touch()
    useViewerStore().setSlice(memo.k)
    return memo.k
  }

  const undo = (): number | null => replay('undo')
  const redo = (): number | null => replay('redo')

  function discardEdits(): void {
    if (!labels.value) return
    if (openEdit) cancelEdit()
    for (const [k, original] of originals) sliceOf(labels.value, k).set(original)
    resetEditing()
    touch()
  }

  // ---- saving ----

  async function save(): Promise<MaskVersion | null> {
    const id = seriesId.value
    const working = labels.value
    if (id === null || !working || saving.value) return null
    if (openEdit) commitEdit('edit')
    const edited = changedSlices.value
    if (edited.length === 0) {
      notice.value = 'Nothing to save: no slice differs from the loaded version.'
      return null
    }
    saving.value = true
    saveError.value = null
    conflict.value = null
    notice.value = null
    try {
      const slices = edited.map((k) => ({ k, runs: encodeRuns(sliceOf(working, k)) }))
      const saved = await getClient().invoke('masks.save', { seriesId: id, baseVersion: loadedVersion.value, slices })
      if (seriesId.value !== id) return saved
      loadedVersion.value = saved.version
      // The saved content is the new comparison point; the undo history stays usable.
      originals.clear()
      changedSlices.value = []
      notice.value =
        `Saved version ${saved.version}: ${saved.trainingSlices.length} corrected slice${saved.trainingSlices.length === 1 ? '' : 's'} marked as training data` +
        ` (${edited.length} edited now). The scores follow version ${saved.version}.`
      // The service rescored the report from the saved version: show it.
      await Promise.all([versions.fetchVersions(id, () => seriesId.value === id), useReportStore().refresh()])
      return saved
    } catch (failure) {
      const apiError = toApiError(failure)
      if (apiError.code === 'conflict') {
        conflict.value = apiError.message
        void versions.fetchVersions(id, () => seriesId.value === id)
      } else {
        saveError.value = errorMessage(failure)
      }
      return null
    } finally {
      saving.value = false
    }
  }

  /**
   * Loads the latest version after a conflict. With `reapply`, the slices edited here are written
   * over it again, as unsaved edits to review and save.
   */
  async function reloadLatest(reapply: boolean): Promise<void> {
    const id = seriesId.value
    const dimensions = dims.value
    const working = labels.value
    if (id === null || !dimensions) return
    const mine = reapply && working ? changedSlices.value.map((k) => ({ k, slice: sliceOf(working, k).slice() })) : []
    await open(id, dimensions)
    if (!labels.value || mine.length === 0) return
    for (const { k, slice } of mine) {
      const target = sliceOf(labels.value, k)
      originals.set(k, target.slice())
      const patch = diffSlice(k, target, slice, 'reapplied edit')
      target.set(slice)
      if (patch) history.push(sliceMemo(patch))
      refreshChanged(k)
    }
    historyChanged()
    notice.value = `Loaded version ${loadedVersion.value} and reapplied your edits on ${mine.length} slice${mine.length === 1 ? '' : 's'}; review and save.`
    touch()
  }

  return {
    seriesId,
    dims,
    labels,
    lungs,
    lobes,
    revision,
    status,
    error,
    loadedVersion,
    changedSlices,
    saving,
    saveError,
    conflict,
    notice,
    ready,
    canEdit,
    hasUnsavedEdits,
    displayLabels,
    undoCount,
    redoCount,
    undoAction,
    redoAction,
    canUndo,
    canRedo,
    open,
    close,
    touch,
    sliceOf,
    resetEditing,
    beginEdit,
    commitEdit,
    cancelEdit,
    editOpen,
    undo,
    redo,
    discardEdits,
    save,
    reloadLatest
  }
})
