import * as tf from '@tensorflow/tfjs'
import { createUNet } from '../models/unet'
import { sigmoidBinaryCrossEntropy } from '../ops/sigmoidBinaryCrossEntropy'
import { measureWorkload, type WorkloadOptions, type WorkloadTiming } from './measureWorkload'

/**
 * The engine benchmark's U-Net workload: the 0.5 M-parameter U-Net of DESIGN.md (channels
 * 16-32-64-128, one input channel), BCE on random binary masks, Adam. Inputs are random because
 * only speed is measured; they are fixed across steps so every step does identical work.
 */
export function benchmarkUNet(options: WorkloadOptions): Promise<WorkloadTiming> {
  const model = createUNet({ inChannels: 1, outChannels: 1 })
  const optimizer = tf.train.adam(1e-3)
  const shape: [number, number, number, number] = [options.batch, options.size, options.size, 1]
  const images = tf.randomUniform(shape, 0, 1, 'float32', 7) as tf.Tensor4D
  const masks = tf.cast(tf.greater(tf.randomUniform(shape, 0, 1, 'float32', 8), 0.7), 'float32')
  const slice = tf.slice(images, [0, 0, 0, 0], [1, options.size, options.size, 1])
  return measureWorkload(
    {
      params: model.parameterCount(),
      trainStep: async () => {
        const loss = optimizer.minimize(
          () => sigmoidBinaryCrossEntropy(model.apply(images, true), masks),
          true,
          model.trainable
        )
        await loss?.data()
        loss?.dispose()
      },
      infer: async () => {
        const probabilities = tf.tidy(() => tf.sigmoid(model.apply(slice, false)))
        await probabilities.data()
        probabilities.dispose()
      },
      dispose: () => {
        tf.dispose([images, masks, slice])
        optimizer.dispose()
        model.dispose()
      }
    },
    options
  )
}
