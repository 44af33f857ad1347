import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SeriesSummary, StudySummary, VolumeHeader } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'
import { numberingStep, sliceNumbering, type SliceNumbering } from '../../../shared/sliceNumbering'
import { planeCount, slicesAscendHeadwards, type Orientation, type ViewTransform } from '../imaging/planes'
import type { ViewerTool } from '../tools/toolIds'
import { decodeVoxels, type VoxelArray } from '../imaging/voxels'
import { windowPreset, type WindowLevel, type WindowPreset } from '../imaging/windowing'

export type ViewerStatus = 'idle' | 'loading' | 'ready' | 'error'
export type Layout = 'single' | 'three'

/** The voxel under the pointer (x column, y row, k slice) and the view it is in. */
export interface VoxelPosition {
  x: number
  y: number
  k: number
  view: Orientation
}

const zoomLimits = [0.25, 16] as const

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value))
}

/** The open series: its header and voxels, the slice shown, the display window and the cursor. */
export const useViewerStore = defineStore('viewer', () => {
  const study = ref<StudySummary | null>(null)
  const series = ref<SeriesSummary | null>(null)
  const header = ref<VolumeHeader | null>(null)
  // Tens of megabytes: never made deeply reactive.
  const voxels = shallowRef<VoxelArray | null>(null)
  const status = ref<ViewerStatus>('idle')
  const error = ref<string | null>(null)
  /** 0-based slice index k (voxel z); the UI shows the slice's image number (`numbering`). */
  const sliceIndex = ref(0)
  const windowLevel = ref<WindowLevel>({ ...windowPreset('lung') })
  const tool = ref<ViewerTool>('window')
  const layout = ref<Layout>('single')
  /** Crosshair point: column i and row j; the axial slice is `sliceIndex`. */
  const focus = ref({ i: 0, j: 0 })
  const transforms = ref<Record<Orientation, ViewTransform>>(freshTransforms())
  /** Voxel under the pointer, or null when the pointer is off the image. */
  const cursor = ref<VoxelPosition | null>(null)
  let openSequence = 0

  function freshTransforms(): Record<Orientation, ViewTransform> {
    return {
      axial: { zoom: 1, panX: 0, panY: 0 },
      coronal: { zoom: 1, panX: 0, panY: 0 },
      sagittal: { zoom: 1, panX: 0, panY: 0 }
    }
  }

  const sliceCount = computed(() => header.value?.dimensions[2] ?? 0)
  /** Image numbers of the slices: InstanceNumber, else counted from the head (same rule as the PDF's). */
  const numbering = computed<SliceNumbering | null>(() =>
    header.value
      ? sliceNumbering(header.value.dimensions[2], header.value.direction, header.value.instanceNumbers)
      : null
  )
  /** +1 or −1: the change of k that shows the next image number. */
  const readingStep = computed(() => (numbering.value ? numberingStep(numbering.value) : 1))
  const sliceNumber = computed(() => numbering.value?.numbers[sliceIndex.value] ?? sliceIndex.value + 1)
  /** 1-based place of the shown slice in reading order (Im 1, 2, 3… or the instance numbers' order). */
  const slicePosition = computed(() =>
    readingStep.value === 1 ? sliceIndex.value + 1 : sliceCount.value - sliceIndex.value
  )

  function numberOf(k: number): number {
    return numbering.value?.numbers[k] ?? k + 1
  }

  /** Shows the slice at 1-based reading position `position`. */
  function setSlicePosition(position: number): void {
    const p = Math.round(position)
    setSlice(readingStep.value === 1 ? p - 1 : sliceCount.value - p)
  }
  const activePreset = computed<WindowPreset['id'] | null>(() => {
    for (const id of ['lung', 'mediastinum'] as const) {
      const preset = windowPreset(id)
      if (preset.center === windowLevel.value.center && preset.width === windowLevel.value.width) return id
    }
    return null
  })

  function valueAt(x: number, y: number, k: number): number | null {
    const volume = voxels.value
    const dims = header.value?.dimensions
    if (!volume || !dims) return null
    const [nx, ny, nz] = dims
    if (x < 0 || y < 0 || k < 0 || x >= nx || y >= ny || k >= nz) return null
    return volume[x + nx * (y + ny * k)]
  }

  const cursorValue = computed(() => (cursor.value ? valueAt(cursor.value.x, cursor.value.y, cursor.value.k) : null))

  /** Whether the coronal and sagittal views must flip z to put the head at the top. */
  const flipZ = computed(() => (header.value ? slicesAscendHeadwards(header.value.direction) : false))

  /** The plane each orientation shows. */
  function planeIndex(orientation: Orientation): number {
    if (orientation === 'axial') return sliceIndex.value
    return orientation === 'coronal' ? focus.value.j : focus.value.i
  }

  function setPlaneIndex(orientation: Orientation, index: number): void {
    const dims = header.value?.dimensions
    if (!dims) return
    const value = clamp(Math.round(index), 0, planeCount(orientation, dims) - 1)
    if (orientation === 'axial') sliceIndex.value = value
    else if (orientation === 'coronal') focus.value = { ...focus.value, j: value }
    else focus.value = { ...focus.value, i: value }
  }

  /** Steps `delta` planes; on the axial view, +1 is the next image number. */
  function stepPlane(orientation: Orientation, delta: number): void {
    setPlaneIndex(orientation, planeIndex(orientation) + (orientation === 'axial' ? delta * readingStep.value : delta))
  }

  /** Moves the crosshair to a voxel: every view shows the planes through it. */
  function setFocus(x: number, y: number, k: number): void {
    const dims = header.value?.dimensions
    if (!dims) return
    focus.value = { i: clamp(Math.round(x), 0, dims[0] - 1), j: clamp(Math.round(y), 0, dims[1] - 1) }
    setSlice(k)
  }

  function setTransform(orientation: Orientation, next: ViewTransform): void {
    transforms.value = {
      ...transforms.value,
      [orientation]: { zoom: clamp(next.zoom, zoomLimits[0], zoomLimits[1]), panX: next.panX, panY: next.panY }
    }
  }

  function resetTransforms(): void {
    transforms.value = freshTransforms()
  }

  function defaultWindow(volumeHeader: VolumeHeader): WindowLevel {
    if (volumeHeader.unit === 'HU') return { ...windowPreset('lung') }
    const [low, high] = volumeHeader.valueRange
    return { center: Math.round((low + high) / 2), width: Math.max(1, high - low) }
  }

  /** Shows `target` of `owner` (or nothing) with none of its volume yet; a load still under way is dropped. */
  function showSeries(target: SeriesSummary | null, owner: StudySummary | null, next: ViewerStatus): number {
    study.value = owner
    series.value = target
    header.value = null
    voxels.value = null
    cursor.value = null
    error.value = null
    status.value = next
    return ++openSequence
  }

  async function open(target: SeriesSummary, owner: StudySummary | null): Promise<void> {
    const sequence = showSeries(target, owner, 'loading')
    try {
      const client = getClient()
      const volumeHeader = await client.invoke('series.header', { seriesId: target.id })
      if (sequence !== openSequence) return
      header.value = volumeHeader
      const bytes = await client.invoke('series.voxels', { seriesId: target.id })
      if (sequence !== openSequence) return
      voxels.value = decodeVoxels(bytes, volumeHeader)
      sliceIndex.value = Math.floor(volumeHeader.dimensions[2] / 2)
      focus.value = { i: Math.floor(volumeHeader.dimensions[0] / 2), j: Math.floor(volumeHeader.dimensions[1] / 2) }
      transforms.value = freshTransforms()
      windowLevel.value = defaultWindow(volumeHeader)
      status.value = 'ready'
    } catch (failure) {
      if (sequence !== openSequence) return
      error.value = errorMessage(failure)
      status.value = 'error'
    }
  }

  function retry(): void {
    if (series.value) void open(series.value, study.value)
  }

  function close(): void {
    showSeries(null, null, 'idle')
  }

  function setSlice(index: number): void {
    if (sliceCount.value === 0) return
    sliceIndex.value = clamp(Math.round(index), 0, sliceCount.value - 1)
  }

  /** Moves `delta` images on in reading order (Arrow Down / Page Down: the next image numbers). */
  function stepSlice(delta: number): void {
    setSlice(sliceIndex.value + delta * readingStep.value)
  }

  function setWindow(center: number, width: number): void {
    windowLevel.value = { center: Math.round(center), width: Math.max(1, Math.round(width)) }
  }

  function applyPreset(id: WindowPreset['id']): void {
    const preset = windowPreset(id)
    setWindow(preset.center, preset.width)
  }

  function setCursor(position: VoxelPosition | null): void {
    cursor.value = position
  }

  return {
    study,
    series,
    header,
    voxels,
    status,
    error,
    sliceIndex,
    windowLevel,
    tool,
    layout,
    focus,
    transforms,
    flipZ,
    cursor,
    sliceCount,
    numbering,
    readingStep,
    sliceNumber,
    slicePosition,
    numberOf,
    setSlicePosition,
    activePreset,
    cursorValue,
    valueAt,
    open,
    retry,
    close,
    setSlice,
    stepSlice,
    setWindow,
    applyPreset,
    setCursor,
    planeIndex,
    setPlaneIndex,
    stepPlane,
    setFocus,
    setTransform,
    resetTransforms
  }
})
