import * as tf from '@tensorflow/tfjs'

/**
 * The geometry of a forward 2D convolution (NHWC, filter [fh, fw, in, out]), as its gradients need
 * it: sizes, strides, dilations and the resolved top/left padding. Padding given as 'same',
 * 'valid', a number or explicit pairs all reduce to these numbers through tfjs's own rules, so the
 * gradients agree with the forward op whichever way padding was expressed.
 */
export interface ConvGeometry {
  batch: number
  inHeight: number
  inWidth: number
  inChannels: number
  outHeight: number
  outWidth: number
  outChannels: number
  filterHeight: number
  filterWidth: number
  strideHeight: number
  strideWidth: number
  dilationHeight: number
  dilationWidth: number
  padTop: number
  padLeft: number
}

export type ConvPadding = tf.Conv2DAttrs['pad']
export type Shape4D = [number, number, number, number]

export interface ConvParams {
  strides: [number, number] | number
  dilations?: [number, number] | number
  pad: ConvPadding
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
  dataFormat?: 'NHWC' | 'NCHW'
}

export function convGeometry(inShape: Shape4D, filterShape: Shape4D, params: ConvParams): ConvGeometry {
  if (params.dataFormat === 'NCHW') throw new Error('conv gradients: only NHWC (channelsLast) is supported')
  const info = tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    params.strides,
    params.dilations ?? 1,
    params.pad,
    params.dimRoundingMode,
    false,
    'channelsLast'
  )
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left
  }
}

/** Explicit zero padding for conv2d's `pad` argument (spatial axes only). */
export function explicitPadding(top: number, bottom: number, left: number, right: number): ConvPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0]
  ]
}

/**
 * Prepares `t` for a 'valid' convolution that should see `top`/`bottom`/`left`/`right` extra
 * rows/columns: negative amounts are cut off here (slice), positive ones are returned for conv2d's
 * explicit padding, so no padded copy is ever materialised.
 */
export function cropForPadding(
  t: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number
): { input: tf.Tensor4D; pad: ConvPadding } {
  const cutTop = Math.max(0, -top)
  const cutBottom = Math.max(0, -bottom)
  const cutLeft = Math.max(0, -left)
  const cutRight = Math.max(0, -right)
  const [n, h, w, c] = t.shape
  const input =
    cutTop + cutBottom + cutLeft + cutRight === 0
      ? t
      : tf.slice(t, [0, cutTop, cutLeft, 0], [n, h - cutTop - cutBottom, w - cutLeft - cutRight, c])
  return {
    input,
    pad: explicitPadding(Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right))
  }
}
