import * as tf from '@tensorflow/tfjs'
import { createUNet } from '../models/unet'
import { sigmoidBinaryCrossEntropy } from '../ops/sigmoidBinaryCrossEntropy'

/**
 * The engine benchmark's U-Net workload: the 0.5 M-parameter U-Net of DESIGN.md (channels
 * 16-32-64-128, one input channel), BCE on random binary masks, Adam. Inputs are random because
 * only speed is measured; they are fixed across steps so every step does identical work.
 */

export interface WorkloadTiming {
  params: number
  /** Median wall time of a training step (forward, backward, Adam update, loss read back). */
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
}

export async function benchmarkUNet(options: WorkloadOptions): Promise<WorkloadTiming> {
  const model = createUNet({ inChannels: 1, outChannels: 1 })
  const optimizer = tf.train.adam(1e-3)
  const images = tf.randomUniform([options.batch, options.size, options.size, 1], 0, 1, 'float32', 7) as tf.Tensor4D
  const masks = tf.cast(
    tf.greater(tf.randomUniform([options.batch, options.size, options.size, 1], 0, 1, 'float32', 8), 0.7),
    'float32'
  )

  const trainStepCpu: number[] = []
  const trainStep = async (): Promise<number> => {
    const cpuStart = process.cpuUsage()
    const start = performance.now()
    const loss = optimizer.minimize(
      () => sigmoidBinaryCrossEntropy(model.apply(images, true), masks),
      true,
      model.trainable
    )
    await loss?.data()
    loss?.dispose()
    const cpu = process.cpuUsage(cpuStart)
    trainStepCpu.push((cpu.user + cpu.system) / 1000)
    return performance.now() - start
  }

  const slice = tf.slice(images, [0, 0, 0, 0], [1, options.size, options.size, 1])
  const infer = async (): Promise<number> => {
    const start = performance.now()
    const probabilities = tf.tidy(() => tf.sigmoid(model.apply(slice, false)))
    await probabilities.data()
    probabilities.dispose()
    return performance.now() - start
  }

  // The first step builds XNNPACK operators and grows the heap; it is not representative.
  await trainStep()
  trainStepCpu.length = 0
  const trainStepsMs: number[] = []
  for (let i = 0; i < options.steps; i++) trainStepsMs.push(await trainStep())
  await infer()
  const inferRunsMs: number[] = []
  for (let i = 0; i < options.inferRuns; i++) inferRunsMs.push(await infer())

  const params = model.parameterCount()
  tf.dispose([images, masks, slice])
  optimizer.dispose()
  model.dispose()
  return {
    params,
    trainStepMs: median(trainStepsMs),
    inferMs: median(inferRunsMs),
    trainStepsMs,
    trainStepCpuMs: median(trainStepCpu)
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
