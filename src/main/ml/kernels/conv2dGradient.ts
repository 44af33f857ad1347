import * as tf from '@tensorflow/tfjs'
import { conv2dFilterGradient } from './conv2dFilterGradient'
import { conv2dInputGradient } from './conv2dInputGradient'
import { convGeometry, type ConvParams } from './convGeometry'

/**
 * Gradient of Conv2D for every backend, replacing tfjs-core's, which asserts dilation 1 (Inf-Net's
 * receptive-field blocks are dilated). Dilation 1 dispatches to each backend's own backprop
 * kernels as tfjs-core does; dilation > 1 uses the forward-convolution formulation directly.
 */
export const conv2dGradientConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: conv2dGradient
}

type GradientMap = ReturnType<tf.GradConfig['gradFunc']>

function conv2dGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap): GradientMap {
  const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D]
  const dy4 = dy as tf.Tensor4D
  const params = attrs as unknown as tf.Conv2DAttrs
  const g = convGeometry(x.shape, filter.shape, params)
  // The project's wasm backprop kernels (native or composed) read `dilations` from their attrs;
  // other backends' kernels assume 1, so dilated convolutions there take the composed path.
  if ((g.dilationHeight === 1 && g.dilationWidth === 1) || tf.getBackend() === 'wasm') {
    const common: ConvParams = {
      strides: params.strides,
      dilations: params.dilations,
      pad: params.pad,
      dataFormat: params.dataFormat,
      dimRoundingMode: params.dimRoundingMode
    }
    return {
      x: () =>
        tf
          .engine()
          .runKernel(tf.Conv2DBackpropInput, { dy: dy4, filter }, { ...common, inputShape: x.shape }) as tf.Tensor,
      filter: () =>
        tf
          .engine()
          .runKernel(tf.Conv2DBackpropFilter, { x, dy: dy4 }, { ...common, filterShape: filter.shape }) as tf.Tensor
    }
  }
  return {
    x: () => conv2dInputGradient(dy4, filter, g),
    filter: () => conv2dFilterGradient(x, dy4, g)
  }
}
