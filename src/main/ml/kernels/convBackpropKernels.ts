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

export function conv2dBackpropInputKernel(args: {
  inputs: tf.NamedTensorInfoMap
  attrs?: tf.NamedAttrMap
}): tf.TensorInfo {
  const dy = tensor4d(args.inputs.dy, 'dy')
  const filter = tensor4d(args.inputs.filter, 'filter')
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs
  const g = convGeometry(attrs.inputShape, filter.shape, attrs)
  return conv2dInputGradient(dy, filter, g)
}

export function conv2dBackpropFilterKernel(args: {
  inputs: tf.NamedTensorInfoMap
  attrs?: tf.NamedAttrMap
}): tf.TensorInfo {
  const x = tensor4d(args.inputs.x, 'x')
  const dy = tensor4d(args.inputs.dy, 'dy')
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs
  const g = convGeometry(x.shape, attrs.filterShape, attrs)
  return conv2dFilterGradient(x, dy, g)
}

/** Kernel inputs arrive as the engine's Tensor objects; the gradient maths needs them as such. */
function tensor4d(info: tf.TensorInfo | undefined, name: string): tf.Tensor4D {
  if (!(info instanceof tf.Tensor) || info.rank !== 4) {
    throw new Error(`conv gradient kernel: input '${name}' must be a rank-4 tensor`)
  }
  return info as tf.Tensor4D
}
