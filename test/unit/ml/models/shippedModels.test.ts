import * as tf from '@tensorflow/tfjs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../../src/main/ml/engine'
import { loadNetwork, type AnyNetwork } from '../../../../src/main/ml/models/infnet'
import { projectRoot } from '../../../helpers/paths'
import { syntheticDisc } from './cpuBackend'

/**
 * The models shipped in resources/models must keep loading and computing exactly what they computed
 * when they were trained: refactoring the layers must keep every parameter name and every operation.
 * The expected figures were recorded with the code the models were trained with, on the wasm backend
 * the application runs on; the digest is the SHA-256 of the output's float32 bytes.
 */
function run(dir: string, input: (size: number) => tf.Tensor4D): { digest: string; first: number } {
  const net: AnyNetwork = loadNetwork(join(projectRoot, 'resources/models', dir))
  try {
    const values = tf.tidy(() => {
      const x = input(net.config.inputSize)
      const out = net.forward(x, false)
      return (out instanceof tf.Tensor ? out : out.global).dataSync() as Float32Array
    })
    return { digest: createHash('sha256').update(Buffer.from(values.buffer, values.byteOffset, values.byteLength)).digest('hex'), first: values[0] }
  } finally {
    net.dispose()
  }
}

describe('the shipped models give their recorded outputs', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm', log: () => undefined })
  })

  it('infnet-lite: the global map of a synthetic disc', () => {
    const r = run('infnet-lite', (size) => tf.tile(syntheticDisc(size).image, [1, 1, 1, 3]))
    expect(r.digest).toBe('335ab6ef72abe335cd4e90e2df7e22e471899a77c79e9881e064079c80587151')
    expect(r.first).toBeCloseTo(-4.282536, 5)
  })

  it('infnet-multiclass: the class logits of a synthetic disc and its prior', () => {
    const r = run('infnet-multiclass', (size) => {
      const { image, mask } = syntheticDisc(size)
      return tf.concat([image, mask], 3)
    })
    expect(r.digest).toBe('884a0528344b86af516159f18c2fee0779b7e7d6aec0167efd947b3a9d3cf880')
    expect(r.first).toBeCloseTo(-0.650721, 5)
  })
})
