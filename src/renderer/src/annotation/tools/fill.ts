import { floodFill } from '../paint'
import type { AnnotationTool } from '../tool'

/**
 * Flood fill in the slice from the clicked voxel, bounded by label edges and by a region: the
 * active constraints, else the lung clicked, else the body; a click outside the body is refused.
 */
export const fillTool: AnnotationTool = {
  id: 'fill',
  label: 'Fill',
  shortcut: 'F',
  hint: 'Fill (F): click to fill the connected region in this slice, inside the lung clicked (or the body, or the lung and HU range when set)',
  pointerDown(ctx, point) {
    const x = Math.floor(point.x)
    const y = Math.floor(point.y)
    if (x < 0 || y < 0 || x >= ctx.nx || y >= ctx.ny) return ctx.cancel()
    const limit = ctx.fillLimit(x + y * ctx.nx)
    if ('refused' in limit) {
      ctx.notify(limit.refused)
      ctx.cancel()
      return
    }
    const filled = floodFill(
      { ...ctx, paintable: (index) => limit.inside(index) && ctx.paintable(index) },
      point,
      ctx.label
    )
    if (filled > 0) {
      ctx.changed()
      ctx.notify(`Filled ${filled} voxel${filled === 1 ? '' : 's'} inside ${limit.region}.`)
    }
    ctx.commit('fill')
  },
  pointerMove() {},
  pointerUp() {}
}
