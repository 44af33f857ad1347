import * as tf from '@tensorflow/tfjs'
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from './convBackpropKernels'
import { conv2dGradientConfig } from './conv2dGradient'
import { identityKernel } from './identityKernel'
import { maxPoolGradKernel } from './maxPoolGradKernel'
import { nativeRelu, nativeRelu6, nativeSigmoid } from './nativeActivation'
import { nativeBatchNorm } from './nativeBatchNorm'
import { nativeBinary } from './nativeBinary'
import { nativeConcat, nativeSplitV } from './nativeConcat'
import { nativeConv2d, nativeConv2dBackpropFilter, nativeConv2dBackpropInput, nativeDepthwiseConv2d } from './nativeConv'
import type { KernelFunc } from './nativeKernel'
import { nativeMatMul } from './nativeMatMul'
import { nativeResizeBilinear, nativeResizeBilinearGrad } from './nativeResize'
import { nativeReverse } from './nativeReverse'
import { nativeAvgPool, nativeAvgPoolGrad, nativeMaxPool, nativeMaxPoolGrad } from './nativePool'

/**
 * Installs the project's kernels:
 *
 * - wasm Conv2DBackpropFilter (absent from tfjs-backend-wasm) and Conv2DBackpropInput (present but a
 *   slow direct loop), both made of the fast forward convolution. conv2dTranspose's forward pass is
 *   Conv2DBackpropInput, so it speeds up too.
 * - wasm MaxPoolGrad: the package's kernel starts its running maximum at FLT_MIN instead of −∞, so
 *   windows whose values are all ≤ 0 get no gradient (or a wrong one); ours follows tfjs's rule.
 * - wasm Identity sharing its input's buffer instead of copying it (the engine clones every tensor
 *   it saves for the backward pass).
 * - for every backend, a Conv2D gradient that also handles dilation > 1.
 * - on wasm, the native oneDNN kernels (convolutions and their gradients, depthwise convolutions,
 *   pooling and its gradients, matrix products, concat and split, ReLU/ReLU6/sigmoid, inference
 *   batch norm, large element-wise add/sub/mul/div/squared difference, bilinear resize and its
 *   gradient, reverse along one axis) in front of those kernels: each
 *   runs natively once the engine has loaded the addon (setNativeKernels) and falls back to the
 *   kernel it wraps otherwise, so PULMO_BACKEND=wasm compares against the same process's kernels.
 *
 * Idempotent; safe to call before the wasm backend is initialised (kernels are keyed by name).
 */

const WASM = 'wasm'
let registered = false

export function registerEngineKernels(): void {
  if (registered) return
  registered = true
  replaceKernel({ kernelName: tf.Conv2DBackpropInput, backendName: WASM, kernelFunc: nativeConv2dBackpropInput(conv2dBackpropInputKernel) })
  replaceKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: WASM, kernelFunc: nativeConv2dBackpropFilter(conv2dBackpropFilterKernel) })
  replaceKernel({ kernelName: tf.MaxPoolGrad, backendName: WASM, kernelFunc: nativeMaxPoolGrad(maxPoolGradKernel) })
  replaceKernel({ kernelName: tf.Identity, backendName: WASM, kernelFunc: identityKernel })
  wrapPackageKernel(tf.Conv2D, nativeConv2d)
  wrapPackageKernel(tf.FusedConv2D, nativeConv2d)
  wrapPackageKernel(tf.DepthwiseConv2dNative, nativeDepthwiseConv2d)
  wrapPackageKernel(tf.FusedDepthwiseConv2D, nativeDepthwiseConv2d)
  wrapPackageKernel(tf.MaxPool, nativeMaxPool)
  wrapPackageKernel(tf.AvgPool, nativeAvgPool)
  wrapPackageKernel(tf.AvgPoolGrad, nativeAvgPoolGrad)
  wrapPackageKernel(tf.BatchMatMul, nativeMatMul)
  wrapPackageKernel(tf._FusedMatMul, nativeMatMul)
  wrapPackageKernel(tf.Concat, nativeConcat)
  wrapPackageKernel(tf.SplitV, nativeSplitV)
  wrapPackageKernel(tf.Relu, nativeRelu)
  wrapPackageKernel(tf.Relu6, nativeRelu6)
  wrapPackageKernel(tf.Sigmoid, nativeSigmoid)
  wrapPackageKernel(tf.FusedBatchNorm, nativeBatchNorm)
  wrapPackageKernel(tf.Add, nativeBinary('add'))
  wrapPackageKernel(tf.Sub, nativeBinary('sub'))
  wrapPackageKernel(tf.Multiply, nativeBinary('mul'))
  wrapPackageKernel(tf.RealDiv, nativeBinary('div'))
  wrapPackageKernel(tf.SquaredDifference, nativeBinary('squaredDifference'))
  wrapPackageKernel(tf.ResizeBilinear, nativeResizeBilinear)
  wrapPackageKernel(tf.ResizeBilinearGrad, nativeResizeBilinearGrad)
  wrapPackageKernel(tf.Reverse, nativeReverse)
  tf.registerGradient(conv2dGradientConfig)
}

/** Puts a native kernel in front of the wasm package's own (which stays its fallback). */
function wrapPackageKernel(kernelName: string, wrap: (fallback: KernelFunc) => KernelFunc): void {
  const own = tf.getKernel(kernelName, WASM)
  if (own == null) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel to wrap`)
  const fallback = own.kernelFunc as unknown as KernelFunc
  replaceKernel({ ...own, kernelFunc: wrap(fallback) as unknown as tf.KernelFunc })
}

function replaceKernel(config: tf.KernelConfig): void {
  // Unregister first: registering over an existing kernel logs a warning on every start.
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName)
  }
  tf.registerKernel(config)
}
