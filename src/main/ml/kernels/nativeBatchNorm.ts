import * as tf from '@tensorflow/tfjs'
import { floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * FusedBatchNorm (batch norm with given statistics: every inference forward pass) on oneDNN,
 * channels last, when mean, variance, scale and offset are per-channel vectors. Training uses the
 * project's batchNormRelu, which is made of convolutions and pools that run natively already.
 */
function batchNorm(call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined {
  const x = floatInput(args, 'x')
  const mean = floatInput(args, 'mean')
  const variance = floatInput(args, 'variance')
  if (x === undefined || mean === undefined || variance === undefined || x.shape.length === 0) return undefined
  const channels = x.shape[x.shape.length - 1]
  const perChannel = (t: tf.TensorInfo | undefined) => t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === channels)
  const { scale, offset } = args.inputs
  if (!perChannel(mean) || !perChannel(variance) || !perChannel(scale) || !perChannel(offset)) return undefined
  const rows = tf.util.sizeFromShape(x.shape) / channels
  if (rows === 0) return undefined
  const epsilon = Number((args.attrs as unknown as tf.FusedBatchNormAttrs | undefined)?.varianceEpsilon ?? 0.001)
  const out = call.backend.makeOutput([...x.shape], 'float32')
  runOnHeap(
    call,
    [out],
    (at) => [at(x), at(out), at(mean), at(variance), scale === undefined ? -1 : at(scale), offset === undefined ? -1 : at(offset), rows, channels, epsilon],
    call.addon.batchNorm
  )
  return out
}

export function nativeBatchNorm(fallback: KernelFunc): KernelFunc {
  return nativeKernel(batchNorm, fallback)
}
