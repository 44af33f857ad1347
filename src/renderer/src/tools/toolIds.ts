/** The tools a viewport has (the names the toolbar, the bindings and the stores use). */

/** Navigation tools (navigation.ts); which button reaches which is the binding table's (bindings.ts). */
export type NavigationTool = 'window' | 'scroll' | 'pan' | 'zoom' | 'crosshair'
/** Mask editing tools (axial view only). */
export type EditTool = 'brush' | 'eraser' | 'fill' | 'lasso'
export type ViewerTool = NavigationTool | EditTool

export const editTools: readonly EditTool[] = ['brush', 'eraser', 'fill', 'lasso']

export function isEditTool(tool: ViewerTool): tool is EditTool {
  return (editTools as readonly string[]).includes(tool)
}
