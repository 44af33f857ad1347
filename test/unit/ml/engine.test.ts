import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { engineInfo, initEngine } from '../../../src/main/ml/engine'
import { nativeKernelsEnabled } from '../../../src/main/ml/kernels/nativeKernel'
import { NATIVE_EXPECTED } from '../../helpers/nativeEngine'

/** Where the install built the oneDNN kernels, auto picks them; elsewhere the wasm kernels alone. */
const CPU_DEFAULT = NATIVE_EXPECTED ? 'native' : 'wasm'

/** Backend selection as a workstation without tfjs-node sees it: tensorflow unavailable. */
describe('initEngine', () => {
  it(`auto picks ${CPU_DEFAULT} with two threads when tfjs-node is absent, and logs it`, async () => {
    const lines: string[] = []
    const name = await initEngine({ env: {}, threads: 2, log: (l) => lines.push(l) })
    expect(name).toBe(CPU_DEFAULT)
    expect(tf.getBackend()).toBe('wasm')
    expect(engineInfo()).toEqual({ backend: CPU_DEFAULT, threads: 2, reason: 'auto' })
    expect(nativeKernelsEnabled()).toBe(NATIVE_EXPECTED)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(
      NATIVE_EXPECTED
        ? 'backend native (oneDNN 2.6.3 kernels on wasm) (auto), 2 thread(s); unavailable: tensorflow'
        : 'backend wasm (auto), 2 thread(s); unavailable: tensorflow, native'
    )
    // The threaded build computes what the reference does.
    const y = tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same')
    expect(Array.from(await y.data()).slice(0, 5)).toEqual([8, 12, 12, 8, 12])
  })

  it('PULMO_BACKEND forces a backend', async () => {
    const lines: string[] = []
    const name = await initEngine({ env: { PULMO_BACKEND: 'cpu' }, log: (l) => lines.push(l) })
    expect(name).toBe('cpu')
    expect(tf.getBackend()).toBe('cpu')
    expect(lines[0]).toContain('backend cpu (PULMO_BACKEND)')
  })

  it('a setting takes precedence over PULMO_BACKEND', async () => {
    const name = await initEngine({ backend: 'wasm', env: { PULMO_BACKEND: 'cpu' }, log: () => undefined })
    expect(name).toBe('wasm')
    expect(engineInfo()?.reason).toBe('setting')
  })

  it('PULMO_BACKEND=wasm runs the wasm kernels alone, for comparison with native', async () => {
    await initEngine({ env: { PULMO_BACKEND: 'wasm' }, log: () => undefined })
    expect(engineInfo()?.backend).toBe('wasm')
    expect(nativeKernelsEnabled()).toBe(false)
  })

  it('a forced backend that cannot load is an error, not a silent fallback', async () => {
    await expect(initEngine({ backend: 'tensorflow', log: () => undefined })).rejects.toThrow(
      /tensorflow could not be loaded/
    )
  })

  it('rejects unknown backend names and thread counts', async () => {
    await expect(initEngine({ env: { PULMO_BACKEND: 'webgpu' }, log: () => undefined })).rejects.toThrow(
      /unknown backend 'webgpu'/
    )
    await expect(initEngine({ env: { PULMO_WASM_THREADS: 'two' }, log: () => undefined })).rejects.toThrow(
      /PULMO_WASM_THREADS/
    )
  })
})
