import type { EditTool } from '../../tools/toolIds'
import type { AnnotationTool } from '../tool'
import { brushTool, eraserTool } from './brush'
import { fillTool } from './fill'
import { lassoTool } from './lasso'

export const annotationTools: Record<EditTool, AnnotationTool> = {
  brush: brushTool,
  eraser: eraserTool,
  fill: fillTool,
  lasso: lassoTool
}
