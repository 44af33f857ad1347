import * as tf from '@tensorflow/tfjs'
import type { AnyNetwork } from './network'

export interface Complexity {
  /** Trainable scalars (convolution kernels and biases, batch-norm scale and offset). */
  parameters: number
  /** Side length the cost refers to. */
  size: number
  /** Convolution multiply-accumulates for one size×size slice (what THOP-style tools call "FLOPs"). */
  macs: number
  /** 2 · macs: floating-point operations of the convolutions. */
  flops: number
}

/** The smallest side every network of the family accepts: all maps then have integral sizes. */
const PROBE_SIZE = 32

/**
 * Measures a network by running it once, in inference mode, on a PROBE_SIZE² zero slice while its
 * convolutions count their multiply-accumulates — so the figure always matches the code. Inputs
 * are multiples of 32, every map is an exact fraction of the input, hence each convolution's cost
 * scales exactly with the area: macs(size) = macs(32) · (size / 32)². Element-wise ops, pooling
 * and resampling are not counted (a few percent at most).
 */
export function measureComplexity(network: AnyNetwork, size: number = network.config.inputSize): Complexity {
  const macs = { total: 0 }
  tf.tidy(() => {
    const x = tf.zeros([1, PROBE_SIZE, PROBE_SIZE, network.config.channels]) as tf.Tensor4D
    network.forward(x, false, { macs })
  })
  const scaled = macs.total * (size / PROBE_SIZE) ** 2
  return { parameters: network.params.count(), size, macs: scaled, flops: 2 * scaled }
}
