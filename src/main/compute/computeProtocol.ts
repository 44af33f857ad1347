/**
 * Messages between the application and its compute process. The compute process owns the tensor
 * engine; the application only sends jobs and receives events, so a crash there never takes the
 * application (or its database) down.
 */
import type { CtPattern } from '../../shared/ctPattern'
import type { z } from 'zod'
import type { AnalysisTiming } from '../analysis/volumeAnalysis'
import type { SeverityReport } from '../scores/scores'
import type { TrainingEvent } from '../training/progress'
import type { SupervisedConfig, SupervisedResult } from '../training/supervised'

export type TrainJob = { kind: 'train'; config: z.input<typeof SupervisedConfig>; resume: boolean }

/** Segment and score one stored volume; label volumes are written into outDir. */
export type AnalyzeJob = {
  kind: 'analyze'
  volumePath: string
  /** the series' modality (OT for grey slices), for the chest-CT check */
  modality: string
  modelDir: string
  multiclassModelDir?: string
  outDir: string
}

export type ComputeJob = TrainJob | AnalyzeJob

/**
 * A label volume the compute process wrote in the form the data folder stores (NIfTI on the series'
 * grid, complete before its name exists): the service moves the file into place and never reads it back.
 */
export interface WrittenLabels {
  file: string
  /** SHA-256 of the voxels (the mask row's checksum) */
  checksum: string
}

export interface AnalyzeResult {
  report: SeverityReport
  pattern: CtPattern
  timing: AnalysisTiming
  /** 0 background, 1 ground-glass, 2 consolidation */
  labels: WrittenLabels
  /** 0 outside, 1 right lung, 2 left lung */
  lungs: WrittenLabels
  /** 0 outside, n for LOBES[n − 1] (anatomical lobes); a NIfTI file the service moves into place */
  lobesFile: string
  /** 0 outside, n for CTSS_REGION_RULES[n − 1] (regions within the lobes); moved likewise */
  regionsFile: string
  /** the chest-CT check's warnings (partial coverage, a few slices) */
  warnings: string[]
}

export type JobResult<J extends ComputeJob> = J extends TrainJob ? SupervisedResult : AnalyzeResult

export type ComputeEvent = TrainingEvent | { kind: 'progress'; done: number; total: number; label: string }

export type ToCompute =
  | { type: 'start'; jobId: string; job: ComputeJob }
  | { type: 'cancel'; jobId: string }
  | { type: 'shutdown' }

export type FromCompute =
  | { type: 'ready'; backend: string }
  | { type: 'event'; jobId: string; event: ComputeEvent }
  | { type: 'done'; jobId: string; result: SupervisedResult | AnalyzeResult }
  | { type: 'failed'; jobId: string; message: string; cancelled?: boolean }
