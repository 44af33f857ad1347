import * as tf from '@tensorflow/tfjs'
import { floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Pooling on oneDNN: MaxPool, AvgPool (padding excluded from the average, as TF) and their
 * gradients. MaxPoolGrad recomputes the forward pass with oneDNN's arg-max workspace (native
 * scratch memory) and routes dy through it; ties go to the first maximum in row-major order, as in
 * tfjs's cpu backend.
 */

function info(inShape: number[], attrs: tf.NamedAttrMap | undefined): tf.backend_util.Conv2DInfo | undefined {
  const a = attrs as unknown as tf.MaxPoolAttrs | undefined
  if (a === undefined || inShape.length !== 4) return undefined
  const g = tf.backend_util.computePool2DInfo(inShape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode)
  return g.dilationHeight === 1 && g.dilationWidth === 1 ? g : undefined
}

function params(g: tf.backend_util.Conv2DInfo, max: boolean): number[] {
  const p = g.padInfo
  return [g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.filterHeight, g.filterWidth, g.outHeight, g.outWidth, g.strideHeight, g.strideWidth, p.top, p.bottom, p.left, p.right, max ? 1 : 0]
}

function pool(max: boolean) {
  return (call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined => {
    const x = floatInput(args, 'x')
    const g = x === undefined ? undefined : info(x.shape, args.attrs)
    if (x === undefined || g === undefined) return undefined
    const out = call.backend.makeOutput([g.batchSize, g.outHeight, g.outWidth, g.outChannels], 'float32')
    runOnHeap(call, [out], (at) => [at(x), at(out), -1, -1, ...params(g, max)], call.addon.pool)
    return out
  }
}

function poolGrad(max: boolean) {
  return (call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined => {
    const dy = floatInput(args, 'dy')
    const x = floatInput(args, 'input')
    const g = x === undefined ? undefined : info(x.shape, args.attrs)
    if (dy === undefined || x === undefined || g === undefined) return undefined
    const out = call.backend.makeOutput([...x.shape], 'float32')
    runOnHeap(call, [out], (at) => [max ? at(x) : -1, -1, at(dy), at(out), ...params(g, max)], call.addon.poolGrad)
    return out
  }
}

export function nativeMaxPool(fallback: KernelFunc): KernelFunc {
  return nativeKernel(pool(true), fallback)
}

export function nativeAvgPool(fallback: KernelFunc): KernelFunc {
  return nativeKernel(pool(false), fallback)
}

export function nativeMaxPoolGrad(fallback: KernelFunc): KernelFunc {
  return nativeKernel(poolGrad(true), fallback)
}

export function nativeAvgPoolGrad(fallback: KernelFunc): KernelFunc {
  return nativeKernel(poolGrad(false), fallback)
}
