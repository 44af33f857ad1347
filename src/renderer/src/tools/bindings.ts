/**
 * Which tool each mouse button and the wheel reach in a viewport: one table, read top down, the
 * first row that matches wins. 'selected' is the tool chosen in the toolbar (on the coronal and
 * sagittal views an editing tool places the crosshair instead: editing is axial only).
 */
import type { ViewerTool } from './toolIds'

export type PointerInput = 'primary' | 'middle' | 'secondary' | 'wheel'

export interface ToolBinding {
  input: PointerInput
  /** Ctrl (or ⌘ on a Mac) must be held; without it, the row matches whatever the modifiers. */
  ctrlOrMeta?: true
  tool: ViewerTool | 'selected'
}

export const toolBindings: readonly ToolBinding[] = [
  { input: 'primary', tool: 'selected' },
  { input: 'middle', tool: 'pan' },
  { input: 'secondary', tool: 'window' },
  { input: 'wheel', ctrlOrMeta: true, tool: 'zoom' },
  { input: 'wheel', tool: 'scroll' }
]

const buttonInputs: Record<number, PointerInput> = { 0: 'primary', 1: 'middle', 2: 'secondary' }

/** The input of a mouse button (MouseEvent.button), or null for the buttons nothing is bound to. */
export function buttonInput(button: number): PointerInput | null {
  return buttonInputs[button] ?? null
}

/** The tool an input reaches, with `selected` the toolbar's tool; null when none is bound. */
export function boundTool(
  input: PointerInput,
  modifiers: { ctrlKey: boolean; metaKey: boolean },
  selected: ViewerTool,
  bindings: readonly ToolBinding[] = toolBindings
): ViewerTool | null {
  const held = modifiers.ctrlKey || modifiers.metaKey
  const binding = bindings.find((row) => row.input === input && (!row.ctrlOrMeta || held))
  if (!binding) return null
  return binding.tool === 'selected' ? selected : binding.tool
}
