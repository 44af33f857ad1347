import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { VoxelPoint } from '../annotation/paint'
import type { OverlayStyle } from '../imaging/overlay'

export type PaintLabel = 1 | 2

export const labelNames: Record<PaintLabel, string> = { 1: 'Ground-glass', 2: 'Consolidation' }

const brushSizeLimits = [1, 80] as const

/**
 * How the mask is drawn and painted: the overlay style, the brush size, the label painted, the
 * constraints on painting, and the outline a tool shows while it works. None of it is saved with the
 * mask; it stays when another series is opened.
 */
export const useToolSettingsStore = defineStore('toolSettings', () => {
  const overlay = ref<OverlayStyle>({ opacity: 0.45, groundGlass: true, consolidation: true, lungs: true, fissures: false })
  const brushSize = ref(10)
  const paintLabel = ref<PaintLabel>(1)
  const insideLungOnly = ref(false)
  const huConstraint = ref({ enabled: false, min: -900, max: -100 })
  const toolPreview = shallowRef<{ points: readonly VoxelPoint[]; closed: boolean } | null>(null)

  function setBrushSize(size: number): void {
    brushSize.value = Math.min(brushSizeLimits[1], Math.max(brushSizeLimits[0], Math.round(size)))
  }

  /** One step of the [ and ] keys: 1 px up to 10 px, 2 px above. */
  function stepBrushSize(direction: 1 | -1): void {
    const size = brushSize.value
    setBrushSize(size + direction * ((direction < 0 ? size > 10 : size >= 10) ? 2 : 1))
  }

  function setPreview(points: readonly VoxelPoint[] | null, closed = false): void {
    toolPreview.value = points ? { points: [...points], closed } : null
  }

  return {
    overlay,
    brushSize,
    paintLabel,
    insideLungOnly,
    huConstraint,
    toolPreview,
    setBrushSize,
    stepBrushSize,
    setPreview
  }
})
