import { fillPolygon, type VoxelPoint } from '../paint'
import type { AnnotationTool, ToolContext } from '../tool'

/**
 * Lasso and polygon fill. Dragging draws a freehand outline that fills on release; clicking places
 * polygon vertices, closed by clicking the first vertex, double-clicking or Enter (Escape cancels).
 */
function createLasso(): AnnotationTool {
  let points: VoxelPoint[] = []
  let dragging = false
  let dragLength = 0
  let hover: VoxelPoint | null = null

  function show(ctx: ToolContext): void {
    ctx.preview(hover && !dragging ? [...points, hover] : points, false)
  }

  function close(ctx: ToolContext): void {
    const polygon = points
    points = []
    dragging = false
    hover = null
    ctx.preview(null)
    if (polygon.length >= 3 && fillPolygon(ctx, polygon, ctx.label) > 0) ctx.changed()
    ctx.commit('lasso fill')
  }

  function abandon(ctx: ToolContext): void {
    points = []
    dragging = false
    hover = null
    ctx.preview(null)
    ctx.cancel()
  }

  return {
    id: 'lasso',
    label: 'Lasso',
    shortcut: 'L',
    hint: 'Lasso (L): drag an outline, or click polygon corners and close on the first one (Enter); fills inside',
    pointerDown(ctx, point, info) {
      if (points.length > 0) {
        const first = points[0]
        const nearFirst = Math.hypot(point.x - first.x, point.y - first.y) <= 8 * ctx.voxelsPerPixel
        if (info.clicks >= 2 || (nearFirst && points.length >= 3)) {
          close(ctx)
          return
        }
        points.push(point)
      } else {
        points = [point]
      }
      dragging = true
      dragLength = 0
      show(ctx)
    },
    pointerMove(ctx, point, pressed) {
      if (points.length === 0) return
      if (pressed && dragging) {
        const last = points[points.length - 1]
        const step = Math.hypot(point.x - last.x, point.y - last.y)
        if (step >= 0.75) {
          points.push(point)
          dragLength += step
        }
      } else {
        hover = point
      }
      show(ctx)
    },
    pointerUp(ctx) {
      if (!dragging) return
      dragging = false
      // A drag long enough to be an outline fills at once; a click leaves a polygon vertex.
      if (dragLength > 12 * ctx.voxelsPerPixel && points.length >= 3) close(ctx)
      else show(ctx)
    },
    key(ctx, key) {
      if (points.length === 0) return false
      if (key === 'Enter') close(ctx)
      else if (key === 'Escape') abandon(ctx)
      else return false
      return true
    },
    busy: () => points.length > 0,
    reset() {
      points = []
      dragging = false
      hover = null
    }
  }
}

export const lassoTool = createLasso()
