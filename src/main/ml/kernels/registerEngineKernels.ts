import * as tf from '@tensorflow/tfjs'
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from './convBackpropKernels'
import { conv2dGradientConfig } from './conv2dGradient'
import { identityKernel } from './identityKernel'
import { maxPoolGradKernel } from './maxPoolGradKernel'

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
 *
 * Idempotent; safe to call before the wasm backend is initialised (kernels are keyed by name).
 */

const WASM = 'wasm'
let registered = false

export function registerEngineKernels(): void {
  if (registered) return
  registered = true
  replaceKernel({ kernelName: tf.Conv2DBackpropInput, backendName: WASM, kernelFunc: conv2dBackpropInputKernel })
  replaceKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: WASM, kernelFunc: conv2dBackpropFilterKernel })
  replaceKernel({ kernelName: tf.MaxPoolGrad, backendName: WASM, kernelFunc: maxPoolGradKernel })
  replaceKernel({ kernelName: tf.Identity, backendName: WASM, kernelFunc: identityKernel })
  tf.registerGradient(conv2dGradientConfig)
}

function replaceKernel(config: tf.KernelConfig): void {
  // Unregister first: registering over an existing kernel logs a warning on every start.
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName)
  }
  tf.registerKernel(config)
}
