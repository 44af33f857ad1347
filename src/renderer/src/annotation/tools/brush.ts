import { stampDisk, stampLine, type VoxelPoint } from '../paint'
import type { AnnotationTool, ToolContext } from '../tool'

/** Brush (paints the chosen label) and eraser (clears any label): a disk dragged along the pointer. */
function strokeTool(id: 'brush' | 'eraser'): AnnotationTool {
  let last: VoxelPoint | null = null
  const erase = id === 'eraser'
  const value = (ctx: ToolContext): number => (erase ? 0 : ctx.label)
  return {
    id,
    label: erase ? 'Eraser' : 'Brush',
    shortcut: erase ? 'E' : 'B',
    hint: erase
      ? 'Eraser (E): drag to clear labels; [ and ] change the size'
      : 'Brush (B): drag to paint the chosen label; [ and ] change the size',
    pointerDown(ctx, point) {
      last = point
      if (stampDisk(ctx, point, ctx.size, value(ctx), !erase)) ctx.changed()
    },
    pointerMove(ctx, point, pressed) {
      if (!pressed || !last) return
      if (stampLine(ctx, last, point, ctx.size, value(ctx), !erase)) ctx.changed()
      last = point
    },
    pointerUp(ctx) {
      if (!last) return
      last = null
      ctx.commit(erase ? 'erase' : 'brush stroke')
    },
    reset() {
      last = null
    }
  }
}

export const brushTool = strokeTool('brush')
export const eraserTool = strokeTool('eraser')
