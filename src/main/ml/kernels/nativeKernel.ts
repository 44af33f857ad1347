import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { heapOffset, heapView, type NativeAddon } from './nativeAddon'

/**
 * What every native kernel shares: the arguments the engine passes, the switch that turns the
 * native path off for comparison (PULMO_BACKEND=wasm, or a test), and the fallback to the kernel
 * it replaced when a case is outside what oneDNN is given (other dtypes, NCHW, PReLU…).
 */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap
  backend: unknown
  attrs?: tf.NamedAttrMap
}

export type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]

let enabled = false
let addon: NativeAddon | undefined

/** Turns the native kernels on (with the loaded addon) or off (every call goes to its fallback). */
export function setNativeKernels(active: NativeAddon | undefined): void {
  addon = active
  enabled = active !== undefined
}

export function nativeKernelsEnabled(): boolean {
  return enabled
}

export interface NativeCall {
  addon: NativeAddon
  backend: BackendWasm
}

/**
 * Wraps a native implementation: it returns undefined for a case it does not take, and then (or
 * when native kernels are off) the fallback runs.
 */
export function nativeKernel(
  native: (call: NativeCall, args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] | undefined,
  fallback: KernelFunc
): KernelFunc {
  return (args) => {
    if (enabled && addon !== undefined) {
      const result = native({ addon, backend: args.backend as BackendWasm }, args)
      if (result !== undefined) return result
    }
    return fallback(args)
  }
}

/** The named input, which must be present and float32 (else the kernel declines with undefined). */
export function floatInput(args: KernelArgs, name: string): tf.TensorInfo | undefined {
  const info = args.inputs[name]
  return info !== undefined && info.dtype === 'float32' ? info : undefined
}

/**
 * Runs one addon call on the heap: the outputs are allocated first, then the heap view and the
 * offsets are taken (no allocation can follow), then the addon runs. A shape the addon rejects
 * throws its message as a JS error; the outputs are released first so nothing leaks.
 */
export function runOnHeap(
  call: NativeCall,
  outputs: tf.TensorInfo[],
  params: (offset: (info: tf.TensorInfo) => number) => number[],
  kernel: (heap: Float32Array, params: Float64Array) => void
): void {
  const offset = (info: tf.TensorInfo) => heapOffset(call.backend, info)
  try {
    const values = Float64Array.from(params(offset))
    kernel(heapView(call.backend), values)
  } catch (error) {
    for (const out of outputs) call.backend.disposeData(out.dataId)
    throw error
  }
}

/** tfjs activation names → the addon's codes (undefined: not fused natively). */
export function activationCode(activation: unknown): number | undefined {
  switch (activation ?? 'linear') {
    case 'linear':
      return 0
    case 'relu':
      return 1
    case 'relu6':
      return 2
    case 'leakyrelu':
      return 3
    case 'sigmoid':
      return 4
    case 'elu':
      return 5
    default:
      return undefined
  }
}

/** A bias the addon can add: absent, or float32 with exactly `channels` values. */
export function channelBias(args: KernelArgs, channels: number): tf.TensorInfo | null | undefined {
  const bias = args.inputs.bias
  if (bias === undefined) return null
  if (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== channels) return undefined
  return bias
}
