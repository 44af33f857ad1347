/**
 * Messages between the application and its compute process. The compute process owns the tensor
 * engine; the application only sends jobs and receives events, so a crash there never takes the
 * application (or its database) down.
 */
import type { SupervisedConfig, SupervisedResult } from './supervised'
import type { TrainingEvent } from './progress'
import type { z } from 'zod'

export type ComputeJob = { kind: 'train'; config: z.input<typeof SupervisedConfig>; resume: boolean }

export type ToCompute =
  | { type: 'start'; jobId: string; job: ComputeJob }
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' }

export type FromCompute =
  | { type: 'ready'; backend: string }
  | { type: 'event'; jobId: string; event: TrainingEvent }
  | { type: 'done'; jobId: string; result: SupervisedResult }
  | { type: 'failed'; jobId: string; message: string }
