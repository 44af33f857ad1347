import { computed, watch, type ComputedRef, type Ref } from 'vue'
import { compositeOverlay } from '../imaging/overlay'
import type { PlaneGeometry } from '../imaging/planes'
import { buildGreyLookup, renderPlane, storedRange, type GreyLookup } from '../imaging/windowing'
import { useMaskVersionsStore } from '../stores/maskVersions'
import { useMasksStore } from '../stores/masks'
import { useToolSettingsStore } from '../stores/toolSettings'
import { useViewerStore } from '../stores/viewer'

/**
 * Draws one plane of the open series into a viewport's canvas, windowed and with the mask overlay,
 * whenever what it shows changes; the canvas's data attributes say what is drawn (for the tests).
 */
export function useSliceDrawing(
  canvas: Ref<HTMLCanvasElement | null>,
  plane: ComputedRef<PlaneGeometry | null>,
  planeIndex: ComputedRef<number>,
  isAxial: ComputedRef<boolean>
): { draw: () => void } {
  const viewer = useViewerStore()
  const masks = useMasksStore()
  const versions = useMaskVersionsStore()
  const settings = useToolSettingsStore()

  // ---- Rendering: one lookup table per window, one ImageData reused for every plane. ----
  let imageData: ImageData | null = null
  let pixels: Uint32Array | null = null
  let lookup: GreyLookup | null = null
  let lookupKey = ''

  const masksMatch = computed(() => {
    const header = viewer.header
    const dims = masks.dims
    return (
      !!header &&
      !!dims &&
      masks.seriesId === viewer.series?.id &&
      dims[0] === header.dimensions[0] &&
      dims[1] === header.dimensions[1] &&
      dims[2] === header.dimensions[2]
    )
  })

  function draw(): void {
    const element = canvas.value
    const volume = viewer.voxels
    const header = viewer.header
    const p = plane.value
    if (!element || !volume || !header || !p) return
    const context = element.getContext('2d')
    if (!context) return
    if (element.width !== p.width || element.height !== p.height) {
      element.width = p.width
      element.height = p.height
    }
    if (!imageData || imageData.width !== p.width || imageData.height !== p.height) {
      imageData = context.createImageData(p.width, p.height)
      pixels = new Uint32Array(imageData.data.buffer)
    }
    const { center, width } = viewer.windowLevel
    const key = `${header.voxelType}:${center}:${width}`
    if (!lookup || key !== lookupKey) {
      lookup = buildGreyLookup(storedRange(header.voxelType), viewer.windowLevel)
      lookupKey = key
    }
    renderPlane(volume, p, lookup, pixels as Uint32Array)
    let overlay = 'none'
    if (masksMatch.value) {
      const labels = masks.displayLabels
      compositeOverlay(
        pixels as Uint32Array,
        p,
        {
          labels,
          lungs: masks.lungs,
          lobes: masks.lobes,
          reference: versions.comparing?.labels ?? null,
          acrossSlices: isAxial.value
            ? null
            : { sliceSize: header.dimensions[0] * header.dimensions[1], slices: header.dimensions[2] }
        },
        settings.overlay
      )
      // 'working' only once the labels are in: until then nothing of the mask is drawn or editable.
      overlay = !masks.ready
        ? 'loading'
        : versions.viewing
          ? `version-${versions.viewing.version}`
          : versions.comparing
            ? `compare-${versions.comparing.version}`
            : 'working'
    }
    context.putImageData(imageData, 0, 0)
    // What the pixels currently show, so tests can wait for a rendered state rather than a timer.
    element.dataset.renderedSlice = String(planeIndex.value)
    element.dataset.renderedWindow = `${center},${width}`
    element.dataset.renderedRevision = String(masks.revision)
    element.dataset.renderedOverlay = overlay
  }

  // Synchronous after the DOM update: a canvas resize (new series) clears it, so drawing comes after.
  watch(
    [
      () => viewer.voxels,
      () => viewer.header,
      planeIndex,
      () => viewer.windowLevel,
      () => viewer.flipZ,
      () => masks.revision,
      () => masks.lungs,
      () => masks.lobes,
      () => settings.overlay,
      masksMatch
    ],
    () => draw(),
    { flush: 'post' }
  )

  return { draw }
}
