/**
 * The mask editing tools (pointer tools, tools/pointerTool.ts): the viewport turns pointer events
 * into voxel coordinates of the axial slice and hands them, with a context over that slice, to the
 * active tool. The tool paints; the store keeps the undo history.
 */
import type { EditTool } from '../tools/toolIds'
import type { FillLimit } from './fillLimit'
import type { SliceTarget, VoxelPoint } from './paint'
import type { PointerTool } from '../tools/pointerTool'

export type { VoxelPoint } from './paint'

export interface ToolContext extends SliceTarget {
  /** The label painted: 1 ground-glass, 2 consolidation. */
  label: 1 | 2
  /** Brush diameter in voxels. */
  size: number
  /** Voxels per CSS pixel at the current zoom, so hit distances can be given in screen terms. */
  voxelsPerPixel: number
  /** The slice changed: redraw. */
  changed(): void
  /** Outline to draw while the tool works (lasso path), in voxel coordinates; null clears it. */
  preview(points: readonly VoxelPoint[] | null, closed?: boolean): void
  /** The edit is complete: it becomes one undo step. */
  commit(action: string): void
  /** The edit is abandoned: the slice returns to how it was. */
  cancel(): void
  /** How far a fill from voxel `index` may spread, or why it may not (fillLimit.ts). */
  fillLimit(index: number): FillLimit
  /** A line for the user about the edit just made or refused. */
  notify(message: string): void
}

/** A mask editing tool: a pointer tool over one axial slice, in voxel coordinates. */
export interface AnnotationTool extends PointerTool<ToolContext, VoxelPoint> {
  readonly id: EditTool
  readonly shortcut: string
}
