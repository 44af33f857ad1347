import { fillLimit, type FillLimit } from '../annotation/fillLimit'
import type { ToolContext } from '../annotation/tool'
import { useMasksStore } from '../stores/masks'
import { useToolSettingsStore } from '../stores/toolSettings'
import { useViewerStore } from '../stores/viewer'

/**
 * The editing tools' context over slice k of the working mask: begins its edit (or continues the
 * open one); null when editing is not possible now. `voxelsPerPixel` at the view's zoom. Painting
 * follows the tool settings' constraints (inside the lung, an HU range).
 */
export function editToolContext(k: number, voxelsPerPixel: number): ToolContext | null {
  const masks = useMasksStore()
  const settings = useToolSettingsStore()
  const slice = masks.beginEdit(k)
  const header = useViewerStore().header
  if (!slice || !header) return null
  return {
    nx: header.dimensions[0],
    ny: header.dimensions[1],
    slice,
    paintable: paintable(k),
    label: settings.paintLabel,
    size: settings.brushSize,
    voxelsPerPixel,
    changed: () => masks.touch(),
    preview: (points, closed) => settings.setPreview(points, closed),
    commit: (action) => masks.commitEdit(action),
    cancel: () => masks.cancelEdit(),
    fillLimit: (index) => fillLimitAt(k, index),
    notify: (message) => {
      masks.notice = message
    }
  }
}

function sliceSize(): number {
  const dims = useMasksStore().dims
  return dims ? dims[0] * dims[1] : 0
}

/** Whether painting may set voxel `index` of slice k, under the active constraints. */
function paintable(k: number): (index: number) => boolean {
  const masks = useMasksStore()
  const settings = useToolSettingsStore()
  const lungMask = settings.insideLungOnly ? masks.lungs : null
  const hu = settings.huConstraint.enabled ? settings.huConstraint : null
  const voxels = useViewerStore().voxels
  const offset = k * sliceSize()
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
  const masks = useMasksStore()
  const settings = useToolSettingsStore()
  const viewer = useViewerStore()
  const lungs = masks.lungs
  const size = sliceSize()
  const offset = k * size
  const constraints = [
    settings.insideLungOnly && lungs ? 'the lung' : null,
    settings.huConstraint.enabled ? 'the HU range' : null
  ].filter((name): name is string => name !== null)
  const values = viewer.voxels ? viewer.voxels.subarray(offset, offset + size) : null
  const range = viewer.header?.valueRange ?? [0, 255]
  return fillLimit({
    nx: masks.dims?.[0] ?? 0,
    ny: masks.dims?.[1] ?? 0,
    seed: index,
    lungs: lungs ? lungs.subarray(offset, offset + size) : null,
    values,
    // Air: below −500 HU; in a grey image (already windowed), the darkest tenth of its range.
    airBelow: viewer.header?.unit === 'HU' ? -500 : range[0] + 0.1 * (range[1] - range[0]),
    constraint: constraints.length > 0 ? { inside: paintable(k), region: constraints.join(' and ') } : null
  })
}
