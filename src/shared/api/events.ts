/** Events the services push to every client: progress, changes, the end of long tasks. */
import { z } from 'zod'
import { TrainingStep } from './records'

export const ProgressEvent = z.object({
  type: z.literal('progress'),
  taskId: z.string(),
  label: z.string(),
  done: z.number(),
  total: z.number()
})
export type ProgressEvent = z.infer<typeof ProgressEvent>

export const StudiesChangedEvent = z.object({ type: z.literal('studies-changed') })

/** A long task (analysis, training) ended: finished, cancelled or failed, with a message a person can read. */
export const TaskEndedEvent = z.object({
  type: z.literal('task-ended'),
  taskId: z.string(),
  kind: z.enum(['import', 'analysis', 'training']),
  status: z.enum(['finished', 'cancelled', 'failed']),
  seriesId: z.number().int().optional(),
  message: z.string()
})
export type TaskEndedEvent = z.infer<typeof TaskEndedEvent>

export const TrainingProgressEvent = z.object({
  type: z.literal('training-progress'),
  runId: z.number().int(),
  step: TrainingStep,
  globalStep: z.number().int(),
  totalSteps: z.number().int(),
  etaSeconds: z.number(),
  backend: z.string(),
  validationDice: z.number().optional()
})
export type TrainingProgressEvent = z.infer<typeof TrainingProgressEvent>

export const ApiEvent = z.discriminatedUnion('type', [ProgressEvent, StudiesChangedEvent, TaskEndedEvent, TrainingProgressEvent])
export type ApiEvent = z.infer<typeof ApiEvent>
