import type * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'

/**
 * Identity for the wasm backend that shares the input's buffer (reference-counted), as the cpu
 * backend's does, instead of copying it. The engine clones every tensor it saves for the backward
 * pass through Identity, so the package's copying kernel costs a full memory pass per saved tensor
 * per training step. Sharing is safe because tfjs tensors are immutable (variables are re-pointed,
 * never written in place) and no wasm kernel writes into its inputs.
 */
export function identityKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as BackendWasm
  const x = args.inputs.x
  if (x === undefined) throw new Error('Identity: input x is required')
  backend.incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}
