import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../../src/main/ml/engine'
import { loadNetwork, type InfNetNetwork } from '../../../../src/main/ml/models/infnet'
import { segmentSlices, segmentSlicesEnsemble, type GreySlice } from '../../../../src/main/ml/inference/segmentSlices'
import { createNetwork } from '../../../../src/main/ml/models/infnet/model'
import { defaultInfNetConfig } from '../../../../src/main/ml/models/infnet/config'
import { readRaster } from '../../../../src/main/volume'
import { projectRoot, semisegTrain } from '../../../helpers/paths'

/** the slice mirrored left to right */
function mirror<T extends { width: number; height: number; data: ArrayLike<number> }>(s: T, make: (n: number) => T['data']): T {
  const data = make(s.data.length) as unknown as { [i: number]: number }
  for (let y = 0; y < s.height; y++) for (let x = 0; x < s.width; x++) data[y * s.width + x] = s.data[y * s.width + s.width - 1 - x]
  return { ...s, data }
}

describe('segmentSlices with horizontal-flip test-time augmentation (the bundled infnet-lite on COVID-SemiSeg slices)', () => {
  let net: InfNetNetwork
  const slices: GreySlice[] = []
  beforeAll(async () => {
    await initEngine()
    net = loadNetwork(join(projectRoot, 'resources/models/infnet-lite')) as InfNetNetwork
    for (const name of ['0.jpg', '1.jpg', '10.jpg']) {
      // a 256 × 256 crop (the network's input size, so no resize comes between the image and the
      // network: mirroring commutes with the network's input exactly), left of centre so that it is asymmetric
      const v = await readRaster(join(semisegTrain, 'images', name))
      const [w, h] = v.dimensions
      const data = new Uint8Array(256 * 256)
      const x0 = Math.max(0, Math.floor(w / 2) - 200)
      const y0 = Math.max(0, Math.floor((h - 256) / 2))
      for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) data[y * 256 + x] = (v.data as Uint8Array)[(y0 + y) * w + x0 + x]
      slices.push({ data, width: 256, height: 256 })
    }
  })
  afterAll(() => net.dispose())

  it('is the mean of the map and the mirrored slice\'s map mirrored back in batches or not', async () => {
    const plain = await segmentSlices(net, slices, { batchSize: 3 })
    const ofMirrored = await segmentSlices(net, slices.map((s) => mirror(s, (n) => new Uint8Array(n))), { batchSize: 3 })
    const flipped = await segmentSlices(net, slices, { batchSize: 2, flip: true })
    let differs = 0
    for (const [i, map] of flipped.entries()) {
      const back = mirror(ofMirrored[i], (n) => new Float32Array(n))
      for (let p = 0; p < map.data.length; p++) {
        expect(map.data[p]).toBeCloseTo((plain[i].data[p] + back.data[p]) / 2, 4)
        if (Math.abs(plain[i].data[p] - back.data[p]) > 0.05) differs++
      }
    }
    // the network is not mirror-symmetric by itself (pixels whose two maps differ by > 0.05): the test means something
    expect(differs).toBeGreaterThan(100)
  })

  it('gives a mirrored slice the mirrored map', async () => {
    const [map] = await segmentSlices(net, [slices[0]], { flip: true })
    const [ofMirrored] = await segmentSlices(net, [mirror(slices[0], (n) => new Uint8Array(n))], { flip: true })
    const back = mirror(ofMirrored, (n) => new Float32Array(n))
    for (let p = 0; p < map.data.length; p++) expect(map.data[p]).toBeCloseTo(back.data[p], 4)
  })
})

describe('segmentSlicesEnsemble (a fold ensemble: the mean of the networks\' maps)', () => {
  it('averages the bundled infnet-lite and an untrained 128 px network, flip included; one network is that network', async () => {
    await initEngine()
    const bundled = loadNetwork(join(projectRoot, 'resources/models/infnet-lite')) as InfNetNetwork
    const fresh = createNetwork(defaultInfNetConfig({ inputSize: 128 }))
    try {
      const v = await readRaster(join(semisegTrain, 'images', '0.jpg'))
      const slice = { data: v.data as Uint8Array, width: v.dimensions[0], height: v.dimensions[1] }
      const [a] = await segmentSlices(bundled, [slice], { flip: true })
      const [b] = await segmentSlices(fresh, [slice], { flip: true })
      const [mean] = await segmentSlicesEnsemble([bundled, fresh], [slice], { flip: true })
      const [alone] = await segmentSlicesEnsemble([bundled], [slice], { flip: true })
      expect([mean.width, mean.height]).toEqual([slice.width, slice.height])
      let apart = 0
      for (let p = 0; p < mean.data.length; p++) {
        expect(mean.data[p]).toBeCloseTo((a.data[p] + b.data[p]) / 2, 6)
        expect(alone.data[p]).toBe(a.data[p])
        if (Math.abs(a.data[p] - b.data[p]) > 0.1) apart++
      }
      // the two networks' maps differ over much of the slice: the mean is not either map
      expect(apart).toBeGreaterThan(1000)
      await expect(segmentSlicesEnsemble([], [slice])).rejects.toThrow('at least one network')
    } finally {
      bundled.dispose()
      fresh.dispose()
    }
  })
})
