import * as tf from '@tensorflow/tfjs'
import { multiClassLoss } from '../losses'
import { createNetwork, defaultMultiClassConfig } from '../models/infnet'
import { applyPendingUpdates, type ForwardContext } from '../nn/layers'
import { measureWorkload, type WorkloadOptions, type WorkloadTiming } from './measureWorkload'

/**
 * The engine benchmark's U-Net workload: the project's one U-Net, multi-class Inf-Net's, at the
 * shipped width (base 16: levels 16-32-64-128-128), on the slice and a prior, with its loss
 * (softmax cross-entropy + soft Dice over three classes) and Adam. Inputs and one-hot targets are
 * random because only speed is measured; they are fixed across steps so every step does identical
 * work.
 */
export function benchmarkUNet(options: WorkloadOptions): Promise<WorkloadTiming> {
  const network = createNetwork(defaultMultiClassConfig({ inputSize: options.size }))
  const { channels, classes } = network.config
  const optimizer = tf.train.adam(1e-3)
  const inputs = tf.randomUniform([options.batch, options.size, options.size, channels], 0, 1, 'float32', 7) as tf.Tensor4D
  const labels = tf.randomUniform([options.batch, options.size, options.size], 0, classes, 'int32', 8)
  const targets = tf.oneHot(labels, classes).toFloat() as tf.Tensor4D
  const slice = tf.slice(inputs, [0, 0, 0, 0], [1, options.size, options.size, channels])
  return measureWorkload(
    {
      params: network.params.count(),
      trainStep: async () => {
        const ctx: ForwardContext = { params: network.params, training: true, pendingUpdates: [] }
        const loss = optimizer.minimize(() => multiClassLoss(network.forward(inputs, true, ctx), targets).total, true, network.params.trainable())
        applyPendingUpdates(ctx)
        await loss?.data()
        loss?.dispose()
      },
      infer: async () => {
        const probabilities = tf.tidy(() => tf.softmax(network.forward(slice, false)))
        await probabilities.data()
        probabilities.dispose()
      },
      dispose: () => {
        tf.dispose([inputs, labels, targets, slice])
        optimizer.dispose()
        network.dispose()
      }
    },
    options
  )
}
