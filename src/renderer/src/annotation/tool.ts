/**
 * The mask editing tools share one pointer-event interface (after Cornerstone3D's tools): the
 * viewport turns pointer events into voxel coordinates of the axial slice and hands them, with a
 * context over that slice, to the active tool. The tool paints; the store keeps the undo history.
 */
import type { EditTool } from '../stores/viewer'
import type { FillLimit } from './fillLimit'
import type { SliceTarget, VoxelPoint } from './paint'

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

export interface PointerInfo {
  /** 2 on the second click of a double click. */
  clicks: number
}

export interface AnnotationTool {
  readonly id: EditTool
  readonly label: string
  readonly shortcut: string
  readonly hint: string
  pointerDown(ctx: ToolContext, point: VoxelPoint, info: PointerInfo): void
  pointerMove(ctx: ToolContext, point: VoxelPoint, pressed: boolean): void
  pointerUp(ctx: ToolContext, point: VoxelPoint): void
  /** Keys while the tool has an edit open (Enter, Escape); true when handled. */
  key?(ctx: ToolContext, key: string): boolean
  /** Whether the tool keeps an edit open between pointer presses (a polygon being drawn). */
  busy?(): boolean
  /** Forget any edit in progress (slice changed, tool switched). */
  reset?(): void
}
