import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../src/main/ml/engine'
import {
  createNetwork,
  defaultMultiClassConfig,
  readModelCard,
  type InfNetNetwork,
  type MultiClassNetwork
} from '../../../src/main/ml/models/infnet'
import { createChestPhantom, insertLesion, type ChestPhantom, type InsertedLesion } from '../../helpers/phantom'
import { CONSOLIDATION_MIN_HU } from '../../../src/main/analysis/infectionDensity'
import {
  InferenceCancelledError,
  inferVolume,
  networkInputSlices,
  type VolumeInference
} from '../../../src/main/analysis/volumeInference'
import { modelInputWindow, TRAINING_JPEG_WINDOW } from '../../../src/main/ml/inference/preprocess'
import { defaultModelDir } from '../../../src/main/ml/defaultModel'
import { applyWindow, LUNG_WINDOW } from '../../../src/main/volume/window'
import type { Volume } from '../../../src/main/volume/volume'
import { TEST_LESIONS } from '../../helpers/phantomTruth'

/**
 * A coarse phantom (the usual field of view at 2.8 mm, 10 mm slices) keeps the lung segmentation
 * quick; a tiny random Inf-Net (64 px input) on the cpu backend keeps the network quick. A random
 * network's output is not a segmentation, but geometry, progress, cancel, the lung gate and the
 * typing rules do not depend on what it has learned.
 */
const coarse = {
  dimensions: [128, 128, 30] as [number, number, number],
  spacing: [2.8, 2.8, 10] as [number, number, number]
}

let phantom: ChestPhantom
let lesions: InsertedLesion[]
let network: InfNetNetwork
let multiclass: MultiClassNetwork
let result: VolumeInference
const events: Array<[number, number, string]> = []

beforeAll(async () => {
  await initEngine({ backend: 'cpu', log: () => undefined })
  phantom = createChestPhantom(coarse)
  lesions = [insertLesion(phantom, TEST_LESIONS.consolidation), insertLesion(phantom, TEST_LESIONS.groundGlass)]
  network = createNetwork({ architecture: 'infnet', backbone: 'lite', inputSize: 64, channels: 3, seed: 1 })
  multiclass = createNetwork(defaultMultiClassConfig({ inputSize: 64, baseFilters: 4, seed: 2 }))
  result = await inferVolume(phantom.volume, {
    infection: network,
    batchSize: 4,
    lungMarginMm: 0,
    onProgress: (done, total, label) => events.push([done, total, label])
  })
})

function slicesWithLung(labels: Uint8Array, volume: Volume): number[] {
  const [nx, ny, nz] = volume.dimensions
  const out: number[] = []
  for (let k = 0; k < nz; k++) if (labels.subarray(k * nx * ny, (k + 1) * nx * ny).some((x) => x !== 0)) out.push(k)
  return out
}

describe('inferVolume on the chest phantom with a tiny random Inf-Net', () => {
  it('returns maps in the volume geometry and a lung mask', () => {
    const n = phantom.volume.data.length
    expect(result.probability).toHaveLength(n)
    expect(result.infection).toHaveLength(n)
    expect(result.labels).toHaveLength(n)
    expect(result.lungs.dimensions).toEqual(phantom.volume.dimensions)
    expect(result.lungs.totalVolumeMl).toBeGreaterThan(0.9 * (phantom.rightLungVolumeMl + phantom.leftLungVolumeMl))
    let infected = 0
    let wrong = 0
    for (let v = 0; v < n; v++) {
      if (result.infection[v] !== (result.probability[v] >= 0.5 ? 1 : 0)) wrong++
      // The labels' union is the binary mask.
      if ((result.labels[v] !== 0) !== (result.infection[v] === 1)) wrong++
      infected += result.infection[v]
    }
    expect(wrong).toBe(0)
    // The random network does say something, so the checks below are not vacuous.
    expect(infected).toBeGreaterThan(0)
  })

  it('runs only the slices that hold lung, and its progress reaches the total', () => {
    const lungSlices = slicesWithLung(result.lungs.labels, phantom.volume)
    expect(lungSlices.length).toBeGreaterThan(0)
    expect(lungSlices.length).toBeLessThan(phantom.volume.dimensions[2])
    expect(result.slicesInferred).toBe(lungSlices.length)
    const slices = events.filter(([, , label]) => label === 'infection')
    expect(slices.at(-1)).toEqual([lungSlices.length, lungSlices.length, 'infection'])
    expect(slices.map(([done]) => done)).toEqual([...slices.map(([done]) => done)].sort((a, b) => a - b))
    expect(events[0][2]).toBe('lungs')
  })

  it('gives no probability outside the lung mask (margin 0) nor on slices without lung', () => {
    let outside = 0
    for (let v = 0; v < result.probability.length; v++)
      if (result.lungs.labels[v] === 0 && result.probability[v] !== 0) outside++
    expect(outside).toBe(0)
  })

  it('keeps predictions within the margin around the lungs, and none farther', async () => {
    const margin = await inferVolume(phantom.volume, { infection: network, lungs: result.lungs, lungMarginMm: 6 })
    const [nx, ny] = phantom.volume.dimensions
    let beyondLung = 0
    let far = 0
    for (let v = 0; v < margin.probability.length; v++) {
      if (margin.probability[v] === 0 || result.lungs.labels[v] !== 0) continue
      beyondLung++
      // 6 mm at 2.8 mm pixels: some lung pixel within 3 pixels in the same slice.
      const i = v % nx
      const j = Math.floor(v / nx) % ny
      const k = Math.floor(v / (nx * ny))
      let near = false
      for (let dj = -3; dj <= 3 && !near; dj++) {
        for (let di = -3; di <= 3 && !near; di++) {
          const ii = i + di
          const jj = j + dj
          if (ii >= 0 && ii < nx && jj >= 0 && jj < ny && result.lungs.labels[k * nx * ny + jj * nx + ii] !== 0)
            near = true
        }
      }
      if (!near) far++
    }
    expect(far).toBe(0)
    expect(beyondLung).toBeGreaterThan(0)
  })

  it('stops with InferenceCancelledError when cancelled, before running every slice', async () => {
    let batches = 0
    const run = inferVolume(phantom.volume, {
      infection: network,
      lungs: result.lungs,
      batchSize: 2,
      onProgress: (done, _total, label) => {
        if (label === 'infection' && done > 0) batches++
      },
      cancelled: () => batches >= 2
    })
    await expect(run).rejects.toBeInstanceOf(InferenceCancelledError)
    expect(batches).toBe(2)
  })
})

describe('ground glass or consolidation', () => {
  it('without a multi-class network, by density: ≥ −200 HU consolidation, else ground glass', async () => {
    // Threshold 0: every lung voxel counts as infected, so the rule is seen on every density.
    const all = await inferVolume(phantom.volume, {
      infection: network,
      lungs: result.lungs,
      threshold: 0,
      lungMarginMm: 0
    })
    const counts = { ggo: 0, consolidation: 0, wrong: 0 }
    for (let v = 0; v < all.labels.length; v++) {
      const expected = result.lungs.labels[v] === 0 ? 0 : phantom.volume.data[v] >= CONSOLIDATION_MIN_HU ? 2 : 1
      if (all.labels[v] !== expected) counts.wrong++
      if (expected === 2) counts.consolidation++
      if (expected === 1) counts.ggo++
    }
    expect(counts.wrong).toBe(0)
    // The +20 HU lesion is consolidation, the −500 HU one ground glass.
    const labelsOf = (lesion: InsertedLesion): Set<number> =>
      new Set(Array.from(lesion.voxelIndices, (v) => all.labels[v]))
    expect(labelsOf(lesions[0])).toEqual(new Set([2]))
    expect(labelsOf(lesions[1])).toEqual(new Set([1]))
    expect(counts.consolidation).toBeGreaterThan(0)
    expect(counts.ggo).toBeGreaterThan(counts.consolidation)
  })

  it('with a multi-class network, its classes inside the single-class mask, typing only the slices that hold infection', async () => {
    const typing: number[][] = []
    const typed = await inferVolume(phantom.volume, {
      infection: network,
      multiclass,
      lungs: result.lungs,
      lungMarginMm: 0,
      onProgress: (done, total, label) => {
        if (label === 'typing') typing.push([done, total])
      }
    })
    expect(typed.infection).toEqual(result.infection)
    // the slices left with infection once the specks are gone, and no others, go to the multi-class network
    const [nx, ny, nz] = phantom.volume.dimensions
    let infectedSlices = 0
    for (let k = 0; k < nz; k++)
      if (typed.infection.subarray(k * nx * ny, (k + 1) * nx * ny).includes(1)) infectedSlices++
    expect(infectedSlices).toBeGreaterThan(0)
    expect(typing.at(-1)).toEqual([infectedSlices, infectedSlices])
    let wrong = 0
    for (let v = 0; v < typed.labels.length; v++) {
      if ((typed.labels[v] === 0) !== (typed.infection[v] === 0) || typed.labels[v] > 2) wrong++
    }
    expect(wrong).toBe(0)
  })

  it('on a grey image the density threshold is −200 HU through the lung window', async () => {
    const [nx, ny] = phantom.volume.dimensions
    const k = Math.floor(lesions[0].voxelIndices[0] / (nx * ny)) + 1
    const hu = phantom.volume.data.subarray(k * nx * ny, (k + 1) * nx * ny)
    const grey: Volume = {
      ...phantom.volume,
      data: applyWindow(hu, LUNG_WINDOW.center, LUNG_WINDOW.width),
      dimensions: [nx, ny, 1],
      unit: 'grey'
    }
    const slice = await inferVolume(grey, { infection: network, threshold: 0, lungMarginMm: 0 })
    expect(slice.probability).toHaveLength(nx * ny)
    expect(slice.lungs.totalVolumeMl).toBeGreaterThan(0)
    const greyMin = applyWindow(Float32Array.of(CONSOLIDATION_MIN_HU), LUNG_WINDOW.center, LUNG_WINDOW.width)[0]
    let consolidation = 0
    let wrong = 0
    for (let p = 0; p < nx * ny; p++) {
      if (slice.lungs.labels[p] === 0) continue
      if (slice.labels[p] !== (grey.data[p] >= greyMin ? 2 : 1)) wrong++
      if (slice.labels[p] === 2) consolidation++
    }
    expect(wrong).toBe(0)
    expect(consolidation).toBeGreaterThan(0)
  })

  it('refuses a label volume', async () => {
    await expect(inferVolume({ ...phantom.volume, unit: 'label' }, { infection: network })).rejects.toThrow(
      /HU or a grey/
    )
  })
})

describe('the input window of the network', () => {
  it('is the model card’s, else the training JPEGs’ window', () => {
    expect(modelInputWindow({ inputWindow: { center: -600, width: 1500 } })).toEqual({ center: -600, width: 1500 })
    expect(modelInputWindow({})).toEqual({ center: -350, width: 1400 })
    expect(modelInputWindow(readModelCard(defaultModelDir('infection')))).toEqual(TRAINING_JPEG_WINDOW)
    expect(readModelCard(defaultModelDir('multiclass'))?.inputWindow).toMatchObject(TRAINING_JPEG_WINDOW)
  })

  it('turns HU into the grey levels the network is fed with', () => {
    // every voxel at −800 HU: (−800 − (−350 − 700)) · 255 / 1400 = 45.5… → 46; in C −600 / W 1500, 93.5 → 94
    const flat: Volume = { ...phantom.volume, data: new Int16Array(phantom.volume.data.length).fill(-800) }
    const [byDefault] = networkInputSlices(flat, result.lungs, [15])
    const [byCard] = networkInputSlices(flat, result.lungs, [15], { inputWindow: { center: -600, width: 1500 } })
    expect(byDefault.data.length).toBeGreaterThan(1000)
    expect(new Set(byDefault.data)).toEqual(new Set([46]))
    expect(new Set(byCard.data)).toEqual(new Set([94]))
  })
})
