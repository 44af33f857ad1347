import * as tf from '@tensorflow/tfjs'
import { applyPendingUpdates, type ForwardContext } from '../../../../src/main/ml/nn/layers'
import { infNetLoss } from '../../../../src/main/ml/losses'
import type { InfNetNetwork } from '../../../../src/main/ml/models/infnet'
import { syntheticDisc } from './cpuBackend'

/**
 * Trains Inf-Net for a few Adam steps on one synthetic disc (repeated `batch` times) as a trainer
 * would — batch statistics, moving averages applied after each step — and returns the losses.
 */
export function trainOnDisc(net: InfNetNetwork, size: number, batch: number, steps: number, learningRate = 1e-3): number[] {
  const { image, mask, edge } = syntheticDisc(size, batch)
  const optimizer = tf.train.adam(learningRate)
  const losses: number[] = []
  try {
    for (let step = 0; step < steps; step++) {
      const ctx: ForwardContext = { params: net.params, training: true, pendingUpdates: [] }
      const cost = optimizer.minimize(() => infNetLoss(net.forward(image, true, ctx), mask, edge).total, true, net.params.trainable())
      applyPendingUpdates(ctx)
      losses.push(cost?.arraySync() ?? NaN)
      cost?.dispose()
    }
  } finally {
    optimizer.dispose()
    tf.dispose([image, mask, edge])
  }
  return losses
}
