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
export function benchmarkInfNet(backbone: BackboneName, options: WorkloadOptions & { microBatch?: number }): Promise<WorkloadTiming> {
  const micro = Math.min(options.microBatch ?? options.batch, options.batch)
  if (options.batch % micro !== 0) throw new Error(`--micro-batch ${micro} must divide the batch ${options.batch}`)
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
        if (micro === options.batch) {
          const ctx: ForwardContext = { params: network.params, training: true, pendingUpdates: [] }
          const loss = optimizer.minimize(
            () => infNetLoss(network.forward(images, true, ctx), masks, masks).total,
            true,
            network.params.trainable()
          )
          applyPendingUpdates(ctx)
          await loss?.data()
          loss?.dispose()
          return
        }
        // Gradient accumulation: the batch as batch/micro forward-backward passes whose gradients
        // are averaged before one optimizer update (batch norm then sees micro-batch statistics).
        let sum: Record<string, tf.Tensor> = {}
        let lossSum = 0
        const parts = options.batch / micro
        for (let k = 0; k < parts; k++) {
          const x = tf.slice(images, [k * micro, 0, 0, 0], [micro, -1, -1, -1])
          const m = tf.slice(masks, [k * micro, 0, 0, 0], [micro, -1, -1, -1])
          const ctx: ForwardContext = { params: network.params, training: true, pendingUpdates: [] }
          const { value, grads } = tf.variableGrads(() => infNetLoss(network.forward(x, true, ctx), m, m).total, network.params.trainable())
          applyPendingUpdates(ctx)
          lossSum += (await value.data())[0]
          const next: Record<string, tf.Tensor> = {}
          for (const [name, g] of Object.entries(grads)) next[name] = sum[name] ? tf.add(sum[name], g) : g.clone()
          tf.dispose([value, x, m, ...Object.values(grads), ...Object.values(sum)])
          sum = next
        }
        const averaged = Object.entries(sum).map(([name, g]) => ({ name, tensor: tf.div(g, parts) }))
        optimizer.applyGradients(averaged)
        tf.dispose([...Object.values(sum), ...averaged.map((a) => a.tensor)])
        if (!Number.isFinite(lossSum)) throw new Error('non-finite loss')
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
