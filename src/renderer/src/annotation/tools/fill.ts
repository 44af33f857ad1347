import { floodFill } from '../paint'
import type { AnnotationTool } from '../tool'

/** Flood fill in the slice from the clicked voxel, bounded by label edges and the active constraints. */
export const fillTool: AnnotationTool = {
  id: 'fill',
  label: 'Fill',
  shortcut: 'F',
  hint: 'Fill (F): click to fill the connected region in this slice (bounded by the lung and HU range when set)',
  pointerDown(ctx, point) {
    if (floodFill(ctx, point, ctx.label) > 0) ctx.changed()
    ctx.commit('fill')
  },
  pointerMove() {},
  pointerUp() {}
}
