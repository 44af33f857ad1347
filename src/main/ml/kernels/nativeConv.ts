import * as tf from '@tensorflow/tfjs'
import { activationCode, channelBias, floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Convolutions on oneDNN (NHWC activations, HWIO filters straight into oneDNN, no reorders):
 * Conv2D, FusedConv2D (bias and activation as oneDNN post-ops), Conv2DBackpropInput,
 * Conv2DBackpropFilter (dilations honoured when the caller passes them, as the project's Conv2D
 * gradient does), DepthwiseConv2dNative and FusedDepthwiseConv2D (a grouped convolution).
 */

type Info = tf.backend_util.Conv2DInfo

function geometry(inShape: number[], filterShape: number[], attrs: tf.NamedAttrMap, depthwise = false): Info | undefined {
  const a = attrs as unknown as tf.Conv2DAttrs
  if (a.dataFormat === 'NCHW') return undefined
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
    'channelsLast'
  )
}

/** The addon's conv parameter tail: shapes, strides, dilations, paddings (see pulmo_dnnl.cc). */
function shapeParams(g: Info): number[] {
  const p = g.padInfo
  return [
    g.batchSize,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.filterHeight,
    g.filterWidth,
    g.outChannels,
    g.outHeight,
    g.outWidth,
    g.strideHeight,
    g.strideWidth,
    g.dilationHeight,
    g.dilationWidth,
    p.top,
    p.bottom,
    p.left,
    p.right
  ]
}

function forward(call: NativeCall, args: KernelArgs, depthwise: boolean): tf.TensorInfo | undefined {
  const x = floatInput(args, 'x')
  const filter = floatInput(args, 'filter')
  if (x === undefined || filter === undefined || x.shape.length !== 4) return undefined
  const attrs = args.attrs ?? {}
  const g = geometry(x.shape, filter.shape, attrs, depthwise)
  const activation = activationCode(attrs.activation)
  if (g === undefined || activation === undefined) return undefined
  const bias = channelBias(args, g.outChannels)
  if (bias === undefined) return undefined
  const alpha = typeof attrs.leakyreluAlpha === 'number' ? attrs.leakyreluAlpha : 0.2
  const out = call.backend.makeOutput([g.batchSize, g.outHeight, g.outWidth, g.outChannels], 'float32')
  const multiplier = depthwise ? [filter.shape[3]] : []
  runOnHeap(
    call,
    [out],
    (at) => [at(x), at(filter), bias === null ? -1 : at(bias), at(out), ...shapeParams(g), activation, alpha, ...multiplier],
    depthwise ? call.addon.depthwiseConv2d : call.addon.conv2d
  )
  return out
}

/**
 * A convolution gradient: with respect to the input (inputs dy and filter, the input's shape an
 * attribute) or to the filter (inputs x and dy, the filter's shape an attribute).
 */
function backprop(of: 'input' | 'filter') {
  return (call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined => {
    const dy = floatInput(args, 'dy')
    const other = floatInput(args, of === 'input' ? 'filter' : 'x')
    const attrs = args.attrs as unknown as (tf.Conv2DBackpropInputAttrs & tf.Conv2DBackpropFilterAttrs) | undefined
    if (dy === undefined || other === undefined || attrs === undefined) return undefined
    const outShape = of === 'input' ? attrs.inputShape : attrs.filterShape
    const g = of === 'input' ? geometry(outShape, other.shape, args.attrs ?? {}) : geometry(other.shape, outShape, args.attrs ?? {})
    if (g === undefined) return undefined
    const out = call.backend.makeOutput([...outShape], 'float32')
    const kernel = of === 'input' ? call.addon.conv2dBackpropInput : call.addon.conv2dBackpropFilter
    runOnHeap(call, [out], (at) => [at(dy), at(other), -1, at(out), ...shapeParams(g)], kernel)
    return out
  }
}

export function nativeConv2d(fallback: KernelFunc): KernelFunc {
  return nativeKernel((call, args) => forward(call, args, false), fallback)
}

export function nativeDepthwiseConv2d(fallback: KernelFunc): KernelFunc {
  return nativeKernel((call, args) => forward(call, args, true), fallback)
}

export function nativeConv2dBackpropInput(fallback: KernelFunc): KernelFunc {
  return nativeKernel(backprop('input'), fallback)
}

export function nativeConv2dBackpropFilter(fallback: KernelFunc): KernelFunc {
  return nativeKernel(backprop('filter'), fallback)
}
