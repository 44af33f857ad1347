import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { SeriesSummary, StudySummary, VolumeHeader } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'
import { decodeVoxels, type VoxelArray } from '../imaging/voxels'
import { windowPreset, type WindowLevel, type WindowPreset } from '../imaging/windowing'

export type ViewerStatus = 'idle' | 'loading' | 'ready' | 'error'
/** What a left-drag on the image does; a right-drag always adjusts the window. */
export type DragTool = 'window' | 'scroll'

export interface VoxelPosition {
  x: number
  y: number
}

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
  /** 0-based slice index k (voxel z); the UI shows k + 1. */
  const sliceIndex = ref(0)
  const windowLevel = ref<WindowLevel>({ ...windowPreset('lung') })
  const tool = ref<DragTool>('window')
  /** Voxel column/row under the pointer, or null when the pointer is off the image. */
  const cursor = ref<VoxelPosition | null>(null)
  let openSequence = 0

  const sliceCount = computed(() => header.value?.dimensions[2] ?? 0)
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

  const cursorValue = computed(() => (cursor.value ? valueAt(cursor.value.x, cursor.value.y, sliceIndex.value) : null))

  function defaultWindow(volumeHeader: VolumeHeader): WindowLevel {
    if (volumeHeader.unit === 'HU') return { ...windowPreset('lung') }
    const [low, high] = volumeHeader.valueRange
    return { center: Math.round((low + high) / 2), width: Math.max(1, high - low) }
  }

  async function open(target: SeriesSummary, owner: StudySummary | null): Promise<void> {
    const sequence = ++openSequence
    study.value = owner
    series.value = target
    header.value = null
    voxels.value = null
    cursor.value = null
    error.value = null
    status.value = 'loading'
    try {
      const client = getClient()
      const volumeHeader = await client.invoke('series.header', { seriesId: target.id })
      if (sequence !== openSequence) return
      header.value = volumeHeader
      const bytes = await client.invoke('series.voxels', { seriesId: target.id })
      if (sequence !== openSequence) return
      voxels.value = decodeVoxels(bytes, volumeHeader)
      sliceIndex.value = Math.floor(volumeHeader.dimensions[2] / 2)
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
    openSequence++
    study.value = null
    series.value = null
    header.value = null
    voxels.value = null
    cursor.value = null
    status.value = 'idle'
    error.value = null
  }

  function setSlice(index: number): void {
    if (sliceCount.value === 0) return
    sliceIndex.value = clamp(Math.round(index), 0, sliceCount.value - 1)
  }

  function stepSlice(delta: number): void {
    setSlice(sliceIndex.value + delta)
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
    cursor,
    sliceCount,
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
    setCursor
  }
})
