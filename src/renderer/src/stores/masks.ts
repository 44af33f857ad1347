import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { MaskVersion } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage, toApiError } from '../api/errors'
import { applyPatch, diffSlice, slicesEqual, type SlicePatch } from '../annotation/patch'
import { encodeRuns } from '../../../shared/runLength'
import type { VoxelPoint } from '../annotation/paint'
import { fillLimit, type FillLimit } from '../annotation/fillLimit'
import type { OverlayStyle } from '../imaging/overlay'
import { useReportStore } from './report'
import { useViewerStore } from './viewer'

export type MaskStatus = 'idle' | 'loading' | 'ready' | 'error'
export type PaintLabel = 1 | 2

export const labelNames: Record<PaintLabel, string> = { 1: 'Ground-glass', 2: 'Consolidation' }

interface LoadedVersion {
  version: number
  labels: Uint8Array
}

interface OpenEdit {
  k: number
  snapshot: Uint8Array
}

const historyLimit = 200
const brushSizeLimits = [1, 80] as const

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

/**
 * Everything about the open series' infection mask in one place: the working labels the viewer
 * shows and the tools edit, the lung mask, overlay settings, tool settings, the undo/redo history,
 * saving edited slices as a new version, and viewing, comparing and reverting versions.
 */
export const useMasksStore = defineStore('masks', () => {
  const seriesId = ref<number | null>(null)
  const dims = ref<[number, number, number] | null>(null)
  // Volumes of tens of megabytes: never deeply reactive; `revision` says when their content changed.
  const labels = shallowRef<Uint8Array | null>(null)
  const lungs = shallowRef<Uint8Array | null>(null)
  const revision = ref(0)
  const status = ref<MaskStatus>('idle')
  const error = ref<string | null>(null)
  /** The version the working labels started from (0: no version yet); the base of the next save. */
  const loadedVersion = ref(0)
  const versions = ref<MaskVersion[]>([])
  const versionsError = ref<string | null>(null)

  const overlay = ref<OverlayStyle>({ opacity: 0.45, groundGlass: true, consolidation: true, lungs: true })

  // ---- tool settings ----
  const brushSize = ref(10)
  const paintLabel = ref<PaintLabel>(1)
  const insideLungOnly = ref(false)
  const huConstraint = ref({ enabled: false, min: -900, max: -100 })
  const toolPreview = shallowRef<{ points: readonly VoxelPoint[]; closed: boolean } | null>(null)

  // ---- edit history ----
  const undoStack = shallowRef<SlicePatch[]>([])
  const redoStack = shallowRef<SlicePatch[]>([])
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

  // ---- other versions ----
  const viewing = shallowRef<LoadedVersion | null>(null)
  const comparing = shallowRef<LoadedVersion | null>(null)
  const versionBusy = ref(false)

  let loadSequence = 0

  const sliceSize = computed(() => (dims.value ? dims.value[0] * dims.value[1] : 0))
  const ready = computed(() => status.value === 'ready' && labels.value !== null)
  const canEdit = computed(() => ready.value && viewing.value === null && !saving.value && !versionBusy.value)
  const hasUnsavedEdits = computed(() => changedSlices.value.length > 0)
  /** What the viewer shows: a version being viewed, else the working labels. */
  const displayLabels = computed(() => viewing.value?.labels ?? labels.value)
  const latestVersion = computed(() => versions.value.at(-1)?.version ?? 0)
  const canUndo = computed(() => undoStack.value.length > 0 && canEdit.value)
  const canRedo = computed(() => redoStack.value.length > 0 && canEdit.value)

  function touch(): void {
    revision.value++
  }

  function sliceOf(volume: Uint8Array, k: number): Uint8Array {
    return volume.subarray(k * sliceSize.value, (k + 1) * sliceSize.value)
  }

  function resetEditing(): void {
    undoStack.value = []
    redoStack.value = []
    originals.clear()
    changedSlices.value = []
    openEdit = null
    toolPreview.value = null
  }

  async function fetchVersions(id: number): Promise<void> {
    try {
      const list = await getClient().invoke('masks.list', { seriesId: id })
      if (seriesId.value === id) {
        versions.value = list
        versionsError.value = null
      }
    } catch (failure) {
      if (seriesId.value === id) versionsError.value = errorMessage(failure)
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

  /** Loads the latest mask, the lung mask and the version list of a series. */
  async function open(id: number | null, dimensions: [number, number, number] | null): Promise<void> {
    const sequence = ++loadSequence
    seriesId.value = id
    dims.value = dimensions
    labels.value = null
    lungs.value = null
    viewing.value = null
    comparing.value = null
    versions.value = []
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
      const [list, lungBytes] = await Promise.all([client.invoke('masks.list', { seriesId: id }), fetchLungs(id)])
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
      versions.value = list
      loadedVersion.value = latest ?? 0
      labels.value = latest === undefined ? labelBytes : new Uint8Array(labelBytes)
      lungs.value = lungBytes && lungBytes.byteLength === expected ? new Uint8Array(lungBytes) : null
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

  // ---- constraints and edits ----

  /** Whether painting may set voxel `index` of slice k, under the active constraints. */
  function paintable(k: number): (index: number) => boolean {
    const lungMask = insideLungOnly.value ? lungs.value : null
    const hu = huConstraint.value.enabled ? huConstraint.value : null
    const voxels = useViewerStore().voxels
    const offset = k * sliceSize.value
    if (!lungMask && !hu) return () => true
    const low = hu ? Math.min(hu.min, hu.max) : 0
    const high = hu ? Math.max(hu.min, hu.max) : 0
    return (index) => {
      if (lungMask && lungMask[offset + index] === 0) return false
      if (hu && voxels) {
        const value = voxels[offset + index]
        if (value < low || value > high) return false
      }
      return true
    }
  }

  /** How far a fill clicked at `index` of slice k may spread (fillLimit.ts). */
  function fillLimitAt(k: number, index: number): FillLimit {
    const viewer = useViewerStore()
    const size = sliceSize.value
    const offset = k * size
    const constraints = [
      insideLungOnly.value && lungs.value ? 'the lung' : null,
      huConstraint.value.enabled ? 'the HU range' : null
    ].filter((name): name is string => name !== null)
    const values = viewer.voxels ? viewer.voxels.subarray(offset, offset + size) : null
    const range = viewer.header?.valueRange ?? [0, 255]
    return fillLimit({
      nx: dims.value?.[0] ?? 0,
      ny: dims.value?.[1] ?? 0,
      seed: index,
      lungs: lungs.value ? lungs.value.subarray(offset, offset + size) : null,
      values,
      // Air: below −500 HU; in a grey image (already windowed), the darkest tenth of its range.
      airBelow: viewer.header?.unit === 'HU' ? -500 : range[0] + 0.1 * (range[1] - range[0]),
      constraint: constraints.length > 0 ? { inside: paintable(k), region: constraints.join(' and ') } : null
    })
  }

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
    undoStack.value = [...undoStack.value.slice(-(historyLimit - 1)), patch]
    redoStack.value = []
    refreshChanged(k)
    touch()
  }

  function cancelEdit(): void {
    if (!openEdit || !labels.value) return
    sliceOf(labels.value, openEdit.k).set(openEdit.snapshot)
    openEdit = null
    toolPreview.value = null
    touch()
  }

  function editOpen(): boolean {
    return openEdit !== null
  }

  function replay(direction: 'undo' | 'redo'): number | null {
    if (!canEdit.value || !labels.value) return null
    if (openEdit) cancelEdit()
    const from = direction === 'undo' ? undoStack.value : redoStack.value
    const patch = from.at(-1)
    if (!patch) return null
    const slice = sliceOf(labels.value, patch.k)
    if (!originals.has(patch.k)) originals.set(patch.k, slice.slice())
    applyPatch(slice, patch, direction)
    if (direction === 'undo') {
      undoStack.value = undoStack.value.slice(0, -1)
      redoStack.value = [...redoStack.value, patch]
    } else {
      redoStack.value = redoStack.value.slice(0, -1)
      undoStack.value = [...undoStack.value, patch]
    }
    refreshChanged(patch.k)
    touch()
    return patch.k
  }

  const undo = (): number | null => replay('undo')
  const redo = (): number | null => replay('redo')

  function setBrushSize(size: number): void {
    brushSize.value = clamp(Math.round(size), brushSizeLimits[0], brushSizeLimits[1])
  }

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
      await Promise.all([fetchVersions(id), useReportStore().refresh()])
      return saved
    } catch (failure) {
      const apiError = toApiError(failure)
      if (apiError.code === 'conflict') {
        conflict.value = apiError.message
        void fetchVersions(id)
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
      if (patch) undoStack.value = [...undoStack.value, patch]
      refreshChanged(k)
    }
    notice.value = `Loaded version ${loadedVersion.value} and reapplied your edits on ${mine.length} slice${mine.length === 1 ? '' : 's'}; review and save.`
    touch()
  }

  // ---- versions ----

  async function fetchVersionLabels(version: number): Promise<Uint8Array> {
    const id = seriesId.value
    if (id === null) throw new Error('No series is open.')
    if (version === loadedVersion.value && !hasUnsavedEdits.value && labels.value) return labels.value
    return new Uint8Array(await getClient().invoke('masks.voxels', { seriesId: id, version }))
  }

  async function withVersion(action: () => Promise<void>): Promise<void> {
    versionBusy.value = true
    saveError.value = null
    try {
      await action()
    } catch (failure) {
      saveError.value = errorMessage(failure)
    } finally {
      versionBusy.value = false
    }
  }

  function viewVersion(version: number): Promise<void> {
    return withVersion(async () => {
      if (openEdit) cancelEdit()
      comparing.value = null
      viewing.value = { version, labels: await fetchVersionLabels(version) }
      touch()
    })
  }

  function stopViewing(): void {
    viewing.value = null
    touch()
  }

  function compareWith(version: number): Promise<void> {
    return withVersion(async () => {
      viewing.value = null
      comparing.value = { version, labels: await fetchVersionLabels(version) }
      touch()
    })
  }

  function stopComparing(): void {
    comparing.value = null
    touch()
  }

  /** Saves, as a new version, the slices where `version` differs from the loaded one. */
  function revertTo(version: number): Promise<void> {
    return withVersion(async () => {
      const id = seriesId.value
      const working = labels.value
      if (id === null || !working) return
      if (hasUnsavedEdits.value)
        throw new Error('Save or discard your unsaved edits before reverting to another version.')
      const target = await fetchVersionLabels(version)
      const slices: { k: number; runs: number[] }[] = []
      const count = dims.value?.[2] ?? 0
      for (let k = 0; k < count; k++) {
        const wanted = sliceOf(target, k)
        if (!slicesEqual(wanted, sliceOf(working, k))) slices.push({ k, runs: encodeRuns(wanted) })
      }
      if (slices.length === 0) {
        notice.value = `Version ${version} is identical to version ${loadedVersion.value}; nothing to revert.`
        return
      }
      try {
        const saved = await getClient().invoke('masks.save', {
          seriesId: id,
          baseVersion: loadedVersion.value,
          slices,
          revertTo: version
        })
        working.set(target)
        loadedVersion.value = saved.version
        resetEditing()
        viewing.value = null
        comparing.value = null
        notice.value = `Reverted to version ${version}: saved as version ${saved.version} (${slices.length} slice${slices.length === 1 ? '' : 's'} changed); the scores follow it.`
        touch()
        await Promise.all([fetchVersions(id), useReportStore().refresh()])
      } catch (failure) {
        if (toApiError(failure).code === 'conflict') {
          conflict.value = toApiError(failure).message
          void fetchVersions(id)
          return
        }
        throw failure
      }
    })
  }

  return {
    seriesId,
    dims,
    labels,
    lungs,
    revision,
    status,
    error,
    loadedVersion,
    versions,
    versionsError,
    overlay,
    brushSize,
    paintLabel,
    insideLungOnly,
    huConstraint,
    toolPreview,
    undoStack,
    redoStack,
    changedSlices,
    saving,
    saveError,
    conflict,
    notice,
    viewing,
    comparing,
    versionBusy,
    ready,
    canEdit,
    hasUnsavedEdits,
    displayLabels,
    latestVersion,
    canUndo,
    canRedo,
    open,
    close,
    touch,
    paintable,
    fillLimitAt,
    beginEdit,
    commitEdit,
    cancelEdit,
    editOpen,
    undo,
    redo,
    setBrushSize,
    discardEdits,
    save,
    reloadLatest,
    fetchVersions,
    viewVersion,
    stopViewing,
    compareWith,
    stopComparing,
    revertTo
  }
})
