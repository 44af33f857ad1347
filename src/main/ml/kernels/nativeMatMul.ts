import * as tf from '@tensorflow/tfjs'
import { activationCode, channelBias, floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Matrix products on oneDNN: BatchMatMul and _FusedMatMul (bias and activation as post-ops).
 * Leading dimensions are one batch axis; a batch of 1 broadcasts, other broadcasts go to the
 * fallback. Transposes are expressed as strides, never copied.
 */

function matMul(call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined {
  const a = floatInput(args, 'a')
  const b = floatInput(args, 'b')
  if (a === undefined || b === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined
  const attrs = args.attrs ?? {}
  const transposeA = attrs.transposeA === true
  const transposeB = attrs.transposeB === true
  const activation = activationCode(attrs.activation)
  if (activation === undefined) return undefined
  const ra = a.shape.length
  const rb = b.shape.length
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  const k2 = transposeB ? b.shape[rb - 1] : b.shape[rb - 2]
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]
  if (k !== k2) return undefined
  const batchShapeA = a.shape.slice(0, -2)
  const batchShapeB = b.shape.slice(0, -2)
  const batchA = tf.util.sizeFromShape(batchShapeA)
  const batchB = tf.util.sizeFromShape(batchShapeB)
  const sameBatch = batchShapeA.length === batchShapeB.length && batchShapeA.every((d, i) => d === batchShapeB[i])
  if (!sameBatch && batchA !== 1 && batchB !== 1) return undefined
  const batchShape = batchA >= batchB ? batchShapeA : batchShapeB
  if (m * n === 0 || k === 0) return undefined
  const bias = channelBias(args, n)
  if (bias === undefined) return undefined
  const alpha = typeof attrs.leakyreluAlpha === 'number' ? attrs.leakyreluAlpha : 0.2
  const out = call.backend.makeOutput([...batchShape, m, n], 'float32')
  runOnHeap(
    call,
    [out],
    (at) => [at(a), at(b), bias === null ? -1 : at(bias), at(out), batchA, batchB, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, activation, alpha],
    call.addon.matmul
  )
  return out
}

export function nativeMatMul(fallback: KernelFunc): KernelFunc {
  return nativeKernel(matMul, fallback)
}
