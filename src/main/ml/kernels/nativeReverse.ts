import * as tf from '@tensorflow/tfjs'
import { floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Reverse along one axis as row copies (the tensor seen as [outer, length, inner]). The flip
 * test-time augmentation mirrors every batch and every map back; the wasm package's generic index
 * arithmetic took 40 ns an element, half a second a volume. Several axes (or none) fall back.
 */
function reverse(call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined {
  const x = floatInput(args, 'x')
  if (x === undefined || x.shape.length === 0 || tf.util.sizeFromShape(x.shape) === 0) return undefined
  const dims = (args.attrs as unknown as tf.ReverseAttrs).dims
  // axes of length 1 reverse nothing
  const axes = tf.util.parseAxisParam(dims, x.shape).filter((a) => x.shape[a] > 1)
  if (axes.length !== 1) return undefined
  const [axis] = axes
  const out = call.backend.makeOutput([...x.shape], 'float32')
  const outer = tf.util.sizeFromShape(x.shape.slice(0, axis))
  const inner = tf.util.sizeFromShape(x.shape.slice(axis + 1))
  runOnHeap(call, [out], (at) => [at(x), at(out), outer, x.shape[axis], inner], call.addon.reverse)
  return out
}

export function nativeReverse(fallback: KernelFunc): KernelFunc {
  return nativeKernel(reverse, fallback)
}
