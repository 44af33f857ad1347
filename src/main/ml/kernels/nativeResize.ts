import * as tf from '@tensorflow/tfjs'
import { floatInput, nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * ResizeBilinear and its gradient natively (plain loops over rows on both cores: oneDNN's resampling
 * has no align-corners mode, which Inf-Net's upsampling uses). Every inference resizes each slice
 * to the network and its map back, and Inf-Net resizes its side outputs; on the wasm package these
 * were a tenth of a volume's inference.
 */

function attrsOf(args: KernelArgs): tf.ResizeBilinearAttrs {
  return args.attrs as unknown as tf.ResizeBilinearAttrs
}

function resize(call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined {
  const x = floatInput(args, 'images')
  if (x === undefined || x.shape.length !== 4 || tf.util.sizeFromShape(x.shape) === 0) return undefined
  const { alignCorners, halfPixelCenters, size } = attrsOf(args)
  const [n, h, w, c] = x.shape
  const [oh, ow] = size
  if (!(oh > 0 && ow > 0)) return undefined
  const out = call.backend.makeOutput([n, oh, ow, c], 'float32')
  runOnHeap(call, [out], (at) => [at(x), at(out), n, h, w, c, oh, ow, alignCorners ? 1 : 0, halfPixelCenters ? 1 : 0], call.addon.resizeBilinear)
  return out
}

function resizeGrad(call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined {
  const images = args.inputs.images
  const dy = floatInput(args, 'dy')
  if (images === undefined || dy === undefined || images.shape.length !== 4 || dy.shape.length !== 4) return undefined
  const [n, h, w, c] = images.shape
  const [, oh, ow] = dy.shape
  if (tf.util.sizeFromShape(images.shape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) return undefined
  const out = call.backend.makeOutput([n, h, w, c], 'float32')
  runOnHeap(call, [out], (at) => [at(dy), at(out), n, h, w, c, oh, ow, attrsOf(args).alignCorners ? 1 : 0], call.addon.resizeBilinearGrad)
  return out
}

export function nativeResizeBilinear(fallback: KernelFunc): KernelFunc {
  return nativeKernel(resize, fallback)
}

export function nativeResizeBilinearGrad(fallback: KernelFunc): KernelFunc {
  return nativeKernel(resizeGrad, fallback)
}
