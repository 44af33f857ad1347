import * as tf from '@tensorflow/tfjs'
import { infNetLoss, multiClassLoss } from '../losses'
import { createNetwork, defaultInfNetConfig, defaultMultiClassConfig } from '../models/infnet'
import { applyPendingUpdates, type ForwardContext } from '../nn/layers'

/**
 * Which kernels a workload spends its time in: tf.profile around one step (after a warm-up step,
 * so operator creation and heap growth are not counted), kernel times summed by kernel name. The
 * inference workloads segment a batch of 4 slices as volume inference does (a 148-slice CT is 37
 * such batches of each network). Kernels that run other kernels (the project's composed gradients,
 * customGrad's "forward") count their inner kernels again.
 */

export const WORKLOAD_NAMES = ['unet', 'lite', 'unet-infer', 'lite-infer'] as const

export interface KernelTime {
  name: string
  calls: number
  ms: number
  /** Fraction of the summed kernel time. */
  share: number
}

export interface WorkloadProfile {
  workload: string
  size: number
  batch: number
  /** Wall time of the profiled step. */
  wallMs: number
  /** Sum of all kernels' times. */
  totalMs: number
  kernels: KernelTime[]
}

interface Step {
  size: number
  batch: number
  run(): Promise<void>
  dispose(): void
}

function unetStep(size: number, train: boolean): Step {
  const network = createNetwork(defaultMultiClassConfig({ inputSize: size }))
  const { channels, classes } = network.config
  // Inference in batches of 4, as volume inference runs a CT's slices.
  const batch = 4
  const optimizer = tf.train.adam(1e-3)
  const inputs = tf.randomUniform([batch, size, size, channels], 0, 1, 'float32', 7) as tf.Tensor4D
  const targets = tf.oneHot(tf.randomUniform([batch, size, size], 0, classes, 'int32', 8), classes).toFloat() as tf.Tensor4D
  return {
    size,
    batch,
    run: async () => {
      if (!train) {
        const p = tf.tidy(() => tf.softmax(network.forward(inputs, false)))
        await p.data()
        p.dispose()
        return
      }
      const ctx: ForwardContext = { params: network.params, training: true, pendingUpdates: [] }
      const loss = optimizer.minimize(() => multiClassLoss(network.forward(inputs, true, ctx), targets).total, true, network.params.trainable())
      applyPendingUpdates(ctx)
      await loss?.data()
      loss?.dispose()
    },
    dispose: () => {
      tf.dispose([inputs, targets])
      optimizer.dispose()
      network.dispose()
    }
  }
}

function liteStep(size: number, train: boolean): Step {
  const network = createNetwork(defaultInfNetConfig({ backbone: 'lite', inputSize: size }))
  const batch = 4
  const optimizer = tf.train.adam(1e-4)
  const images = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 7) as tf.Tensor4D
  const masks = tf.cast(tf.greater(tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 8), 0.7), 'float32') as tf.Tensor4D
  return {
    size,
    batch,
    run: async () => {
      if (!train) {
        const p = tf.tidy(() => tf.sigmoid(network.forward(images, false).s3))
        await p.data()
        p.dispose()
        return
      }
      const ctx: ForwardContext = { params: network.params, training: true, pendingUpdates: [] }
      const loss = optimizer.minimize(() => infNetLoss(network.forward(images, true, ctx), masks, masks).total, true, network.params.trainable())
      applyPendingUpdates(ctx)
      await loss?.data()
      loss?.dispose()
    },
    dispose: () => {
      tf.dispose([images, masks])
      optimizer.dispose()
      network.dispose()
    }
  }
}

function workload(name: string, size?: number): Step {
  switch (name) {
    case 'unet':
      return unetStep(size ?? 256, true)
    case 'unet-infer':
      return unetStep(size ?? 256, false)
    case 'lite':
      return liteStep(size ?? 352, true)
    case 'lite-infer':
      return liteStep(size ?? 256, false)
    default:
      throw new Error(`unknown workload '${name}' (known: ${WORKLOAD_NAMES.join(', ')})`)
  }
}

export async function profileWorkloads(names: readonly string[], size?: number): Promise<WorkloadProfile[]> {
  const profiles: WorkloadProfile[] = []
  for (const name of names) {
    const step = workload(name, size)
    try {
      await step.run()
      const start = performance.now()
      const info = await tf.profile(() => step.run())
      const wallMs = performance.now() - start
      const byName = new Map<string, { calls: number; ms: number }>()
      for (const k of info.kernels) {
        const entry = byName.get(k.name) ?? { calls: 0, ms: 0 }
        entry.calls++
        entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0
        byName.set(k.name, entry)
      }
      const totalMs = [...byName.values()].reduce((s, e) => s + e.ms, 0)
      const kernels = [...byName.entries()]
        .map(([kernel, e]) => ({ name: kernel, calls: e.calls, ms: Math.round(e.ms), share: Number((e.ms / totalMs).toFixed(3)) }))
        .sort((a, b) => b.ms - a.ms)
      profiles.push({ workload: name, size: step.size, batch: step.batch, wallMs: Math.round(wallMs), totalMs: Math.round(totalMs), kernels })
    } finally {
      step.dispose()
    }
  }
  return profiles
}
