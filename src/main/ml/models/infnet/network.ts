import type * as tf from '@tensorflow/tfjs'
import type { ParameterStore } from '../../nn/parameters'
import type { InfNetConfig, MultiClassConfig } from './config'
import type { ForwardContext } from '../../nn/layers'
import type { InfNetOutputs } from './infnet'

/**
 * What a caller may share with a forward pass: an array collecting batch-norm moving-average
 * updates during training (apply them with applyPendingUpdates after the optimizer step; without
 * it the moving statistics are left alone), and a multiply-accumulate counter.
 */
export type ForwardOptions = Pick<ForwardContext, 'pendingUpdates' | 'macs'>

/** A network of the Inf-Net family: its configuration, its parameters and its forward pass. */
export interface Network<C, O> {
  readonly config: C
  readonly params: ParameterStore
  /** `training` switches batch norm to batch statistics. */
  forward(x: tf.Tensor4D, training: boolean, options?: ForwardOptions): O
  dispose(): void
}

export type InfNetNetwork = Network<InfNetConfig, InfNetOutputs>
export type MultiClassNetwork = Network<MultiClassConfig, tf.Tensor4D>
export type AnyNetwork = InfNetNetwork | MultiClassNetwork
