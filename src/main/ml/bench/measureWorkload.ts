/**
 * Timing of one benchmark workload: a training step and a one-slice inference, each run once to
 * warm up (XNNPACK operator creation, heap growth) and then several times; medians are reported.
 */

export interface WorkloadTiming {
  params: number
  /** Median wall time of a training step (forward, backward, optimizer update, loss read back). */
  trainStepMs: number
  /** Median wall time to segment one slice (batch 1) in inference mode. */
  inferMs: number
  trainStepsMs: number[]
  /**
   * Median CPU time of this process per training step (all threads). On a shared machine wall time
   * includes waiting for cores other processes hold; CPU time does not.
   */
  trainStepCpuMs: number
}

export interface WorkloadOptions {
  batch: number
  size: number
  steps: number
  inferRuns: number
  /** Called after each training step with its index (0 is the warm-up). */
  onStep?: (step: number) => void
}

export interface Workload {
  params: number
  /** One training step, resolved once its loss has been read back. */
  trainStep(): Promise<void>
  /** One inference, resolved once its output has been read back. */
  infer(): Promise<void>
  dispose(): void
}

export async function measureWorkload(workload: Workload, options: WorkloadOptions): Promise<WorkloadTiming> {
  try {
    const trainStepsMs: number[] = []
    const trainStepCpu: number[] = []
    for (let i = 0; i <= options.steps; i++) {
      const cpuStart = process.cpuUsage()
      const start = performance.now()
      await workload.trainStep()
      const cpu = process.cpuUsage(cpuStart)
      options.onStep?.(i)
      // Step 0 is the warm-up.
      if (i === 0) continue
      trainStepsMs.push(performance.now() - start)
      trainStepCpu.push((cpu.user + cpu.system) / 1000)
    }
    const inferRunsMs: number[] = []
    for (let i = 0; i <= options.inferRuns; i++) {
      const start = performance.now()
      await workload.infer()
      if (i > 0) inferRunsMs.push(performance.now() - start)
    }
    return {
      params: workload.params,
      trainStepMs: median(trainStepsMs),
      inferMs: median(inferRunsMs),
      trainStepsMs,
      trainStepCpuMs: median(trainStepCpu)
    }
  } finally {
    workload.dispose()
  }
}

function median(values: number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
