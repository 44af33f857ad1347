import * as tf from '@tensorflow/tfjs'
import { activationCode, floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Relu, Relu6 and Sigmoid on oneDNN's element-wise primitive (AVX-512, both cores). At inference
 * the networks apply ReLU after every batch norm, and the wasm package's single-threaded loop cost a
 * quarter of an Inf-Net forward pass.
 */
function activation(name: 'relu' | 'relu6' | 'sigmoid') {
  const kind = activationCode(name) as number
  return (call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined => {
    const x = floatInput(args, 'x')
    const count = x === undefined ? 0 : tf.util.sizeFromShape(x.shape)
    if (x === undefined || count === 0) return undefined
    const out = call.backend.makeOutput([...x.shape], 'float32')
    runOnHeap(call, [out], (at) => [at(x), at(out), count, kind], call.addon.eltwise)
    return out
  }
}

export function nativeRelu(fallback: KernelFunc): KernelFunc {
  return nativeKernel(activation('relu'), fallback)
}

export function nativeRelu6(fallback: KernelFunc): KernelFunc {
  return nativeKernel(activation('relu6'), fallback)
}

export function nativeSigmoid(fallback: KernelFunc): KernelFunc {
  return nativeKernel(activation('sigmoid'), fallback)
}
