import * as tf from '@tensorflow/tfjs'
import { nativeKernel, runOnHeap, type KernelArgs, type KernelFunc, type NativeCall } from './nativeKernel'

/**
 * Add, Sub, Multiply, RealDiv and SquaredDifference on oneDNN's binary primitive (AVX-512, both
 * cores) for tensors large enough to pay for the call: batch norm's statistics and its gradient
 * are made of these, full-size, and the wasm package runs them on one thread. One operand must
 * broadcast into the other (same shape, or 1 along the axes that differ, after aligning ranks);
 * for the commutative operations either one may be the broadcast one.
 */

/** Below this many outputs the wasm kernel is as fast as a native call. */
const MIN_NATIVE_SIZE = 16384

const OPS = { add: 0, sub: 1, mul: 2, div: 3, squaredDifference: 4 } as const
type Op = keyof typeof OPS
const COMMUTATIVE: ReadonlySet<Op> = new Set(['add', 'mul', 'squaredDifference'])

/** `small`'s shape aligned to `big`'s rank, if it broadcasts into `big`. */
function broadcastsInto(small: readonly number[], big: readonly number[]): number[] | undefined {
  if (small.length > big.length) return undefined
  const aligned = [...Array(big.length - small.length).fill(1), ...small]
  return aligned.every((d, i) => d === big[i] || d === 1) ? aligned : undefined
}

/**
 * The two shapes with neighbouring axes merged where both operands are full along both or
 * broadcast along both: the fewest dimensions oneDNN can be given ([4,256,256,16] × [16] becomes
 * [262144, 16] × [1, 16]; equal shapes become one axis).
 */
export function collapseAxes(a: readonly number[], b: readonly number[]): { a: number[]; b: number[] } {
  const outA: number[] = []
  const outB: number[] = []
  let previous: boolean | undefined
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 1) continue
    const full = b[i] === a[i]
    if (previous === full) {
      outA[outA.length - 1] *= a[i]
      outB[outB.length - 1] *= b[i]
    } else {
      outA.push(a[i])
      outB.push(b[i])
    }
    previous = full
  }
  return outA.length === 0 ? { a: [1], b: [1] } : { a: outA, b: outB }
}

function binary(op: Op) {
  return (call: NativeCall, args: KernelArgs): tf.TensorInfo | undefined => {
    const { a, b } = args.inputs
    if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined
    if (a.shape.length === 0 || a.shape.length > 6 || b.shape.length > 6) return undefined
    let first = a
    let second = b
    let secondShape = broadcastsInto(b.shape, a.shape)
    if (secondShape === undefined && COMMUTATIVE.has(op)) {
      first = b
      second = a
      secondShape = broadcastsInto(a.shape, b.shape)
    }
    if (secondShape === undefined || first.shape.length === 0) return undefined
    const size = tf.util.sizeFromShape(first.shape)
    // A scalar operand: the package's kernel has a fast path for it that oneDNN does not beat.
    if (size < MIN_NATIVE_SIZE || tf.util.sizeFromShape(second.shape) === 1) return undefined
    const dims = collapseAxes(first.shape, secondShape)
    const out = call.backend.makeOutput([...first.shape], 'float32')
    runOnHeap(call, [out], (at) => [at(first), at(second), at(out), OPS[op], dims.a.length, ...dims.a, ...dims.b], call.addon.binary)
    return out
  }
}

export function nativeBinary(op: Op): (fallback: KernelFunc) => KernelFunc {
  return (fallback) => nativeKernel(binary(op), fallback)
}
