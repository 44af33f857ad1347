import * as tf from '@tensorflow/tfjs'
import { infNetLoss } from '../losses'
import { createNetwork, defaultInfNetConfig, type BackboneName } from '../models/infnet'
import { applyPendingUpdates, type ForwardContext } from '../nn/layers'
import { measureWorkload, type WorkloadOptions, type WorkloadTiming } from './measureWorkload'

/**
 * The engine benchmark's Inf-Net workload: the paper's loss on all five outputs, Adam at Inf-Net's
 * learning rate, batch-norm moving averages applied after each step as the trainer does. Random
 * images and masks (the mask doubles as the edge target): only speed is measured.
 */
export function benchmarkInfNet(backbone: BackboneName, options: WorkloadOptions): Promise<WorkloadTiming> {
  const network = createNetwork(defaultInfNetConfig({ backbone, inputSize: options.size }))
  const optimizer = tf.train.adam(1e-4)
  const images = tf.randomUniform([options.batch, options.size, options.size, 3], 0, 1, 'float32', 7) as tf.Tensor4D
  const maskShape = [options.batch, options.size, options.size, 1]
  const masks = tf.cast(tf.greater(tf.randomUniform(maskShape, 0, 1, 'float32', 8), 0.7), 'float32') as tf.Tensor4D
  const slice = tf.slice(images, [0, 0, 0, 0], [1, options.size, options.size, 3])
  return measureWorkload(
    {
      params: network.params.count(),
      trainStep: async () => {
        const ctx: ForwardContext = { params: network.params, training: true, pendingUpdates: [] }
        const loss = optimizer.minimize(
          () => infNetLoss(network.forward(images, true, ctx), masks, masks).total,
          true,
          network.params.trainable()
        )
        applyPendingUpdates(ctx)
        await loss?.data()
        loss?.dispose()
      },
      infer: async () => {
        const probabilities = tf.tidy(() => tf.sigmoid(network.forward(slice, false).s3))
        await probabilities.data()
        probabilities.dispose()
      },
      dispose: () => {
        tf.dispose([images, masks, slice])
        optimizer.dispose()
        network.dispose()
      }
    },
    options
  )
}
