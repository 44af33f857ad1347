import type { EvaluationSummary } from '../ml/metrics'

/** What a training run reports after every optimizer step and at its end. */
export interface TrainingProgress {
  kind: 'step'
  epoch: number
  epochs: number
  stepInEpoch: number
  stepsPerEpoch: number
  globalStep: number
  totalSteps: number
  /** Loss terms of this step: total and one per supervised output. */
  losses: Record<string, number>
  learningRate: number
  inputSize: number
  stepMs: number
  etaSeconds: number
  backend: string
}

/** Validation of the held-out slices: the loss (the paper's Table I measure) and Inf-Net's metrics. */
export interface ValidationReport extends EvaluationSummary {
  kind: 'validation'
  epoch: number
  loss: number
}

export type TrainingEvent =
  | TrainingProgress
  | ValidationReport
  | { kind: 'checkpoint'; globalStep: number; path: string }
  | { kind: 'log'; message: string }

export interface TrainingHooks {
  onEvent?(event: TrainingEvent): void
  /** Polled between steps; when true the run checkpoints and stops. */
  shouldStop?(): boolean
}
