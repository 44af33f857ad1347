import * as tf from '@tensorflow/tfjs'
import { conv2dFilterGradient } from './conv2dFilterGradient'
import { conv2dInputGradient } from './conv2dInputGradient'
import { convGeometry } from './convGeometry'

/**
 * Conv2DBackpropInput and Conv2DBackpropFilter kernels made of the forward Conv2D (see
 * conv2dInputGradient / conv2dFilterGradient). They are written with tf ops: while a kernel runs
 * the engine keeps the gradient tape off, and the ops dispatch to the backend the kernel is
 * registered for, so on wasm they reach its fast XNNPACK convolution.
 */

/** What the engine passes a kernel. */
interface KernelArgs {
  inputs: tf.NamedTensorInfoMap
  attrs?: tf.NamedAttrMap
}

export function conv2dBackpropInputKernel({ inputs, attrs }: KernelArgs): tf.TensorInfo {
  const filter = tensor4d(inputs.filter, 'filter')
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs
  return conv2dInputGradient(tensor4d(inputs.dy, 'dy'), filter, convGeometry(a.inputShape, filter.shape, a))
}

export function conv2dBackpropFilterKernel({ inputs, attrs }: KernelArgs): tf.TensorInfo {
  const x = tensor4d(inputs.x, 'x')
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs
  return conv2dFilterGradient(x, tensor4d(inputs.dy, 'dy'), convGeometry(x.shape, a.filterShape, a))
}

/** Kernel inputs arrive as the engine's Tensor objects; the gradient maths needs them as such. */
function tensor4d(info: tf.TensorInfo | undefined, name: string): tf.Tensor4D {
  if (!(info instanceof tf.Tensor) || info.rank !== 4) {
    throw new Error(`conv gradient kernel: input '${name}' must be a rank-4 tensor`)
  }
  return info as tf.Tensor4D
}
