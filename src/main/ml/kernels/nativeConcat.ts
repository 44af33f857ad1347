import * as tf from '@tensorflow/tfjs'
import { nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Concat and SplitV as one parallel pass of row copies: along `axis` the tensor is [outer, rest]
 * rows, each piece owning a contiguous run of every row. The wasm package does both through
 * generic strided slices, which cost as much as a convolution in the Inf-Net lite step (its
 * decoders concatenate along channels, and every concat's gradient is a split).
 */

function rowsOf(shape: number[], axis: number): { outer: number; row: number } {
  return { outer: tf.util.sizeFromShape(shape.slice(0, axis)), row: tf.util.sizeFromShape(shape.slice(axis)) }
}

function concat(call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined {
  const all = Object.values(args.inputs).filter((t): t is tf.TensorInfo => t !== undefined)
  if (all.length === 0 || all.some((t) => t.dtype !== 'float32')) return undefined
  const axis = tf.util.parseAxisParam(args.attrs?.axis as number, all[0].shape)[0]
  const pieces = all.filter((t) => tf.util.sizeFromShape(t.shape) > 0)
  if (pieces.length === 0) return undefined
  const outShape = tf.backend_util.computeOutShape(pieces.map((t) => t.shape), axis)
  const out = call.backend.makeOutput(outShape, 'float32')
  const { outer } = rowsOf(outShape, axis)
  runOnHeap(call, [out], (at) => [at(out), outer, pieces.length, ...pieces.flatMap((t) => [at(t), rowsOf(t.shape, axis).row])], call.addon.concat)
  return out
}

function splitV(call: NativeCall, args: KernelArgs): tf.TensorInfo[] | undefined {
  const x = args.inputs.x
  if (x === undefined || x.dtype !== 'float32') return undefined
  const attrs = args.attrs as unknown as tf.SplitVAttrs
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis)
  if (sizes.some((s) => s <= 0)) return undefined
  const outs = sizes.map((s) => call.backend.makeOutput(x.shape.map((d, i) => (i === axis ? s : d)), 'float32'))
  const { outer } = rowsOf(x.shape, axis)
  runOnHeap(call, outs, (at) => [at(x), outer, outs.length, ...outs.flatMap((t) => [at(t), rowsOf(t.shape, axis).row])], call.addon.split)
  return outs
}

export function nativeConcat(fallback: KernelFunc): KernelFunc {
  return nativeKernel(concat, fallback)
}

export function nativeSplitV(fallback: KernelFunc): KernelFunc {
  return nativeKernel(splitV, fallback)
}
