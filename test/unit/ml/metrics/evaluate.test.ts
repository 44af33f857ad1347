import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { evaluateFolders, MetricsInputError, pairImageFiles, readGreyImage } from '../../../../src/main/ml/metrics'
import { semisegTrain, tempDir } from '../../../helpers/paths'

const masks = join(semisegTrain, 'masks')
const images = join(semisegTrain, 'images')

describe('evaluateFolders on the 50 COVID-SemiSeg training masks against themselves', () => {
  // Every mask is binary 0/255 and non-empty, so each normalises to {0, 1} and is exact at
  // thresholds k = 0..254; at k = 255 (t = 0) the whole image is foreground: Dice 2G/(G + N),
  // specificity 0, E = (N/4)/(N − 1). Hence per image dice = (255 + 2G/(G + N))/256 < 1 and
  // specificity = 255/256 exactly. The dice and E figures below are what an independent NumPy
  // transcription of the MATLAB toolbox gives on these files.
  let summary: Awaited<ReturnType<typeof evaluateFolders>>
  let elapsedMs = 0
  beforeAll(async () => {
    const t0 = performance.now()
    summary = await evaluateFolders(masks, masks)
    elapsedMs = performance.now() - t0
    console.info(`evaluated 50 mask pairs in ${elapsedMs.toFixed(0)} ms`)
  })

  it('scores as the protocol computes a perfect set', () => {
    expect(summary.images).toBe(50)
    expect(summary.dice).toBeCloseTo(0.99702053847086, 12)
    expect(summary.maxDice).toBe(1)
    expect(summary.sensitivity).toBe(1)
    expect(summary.specificity).toBeCloseTo(255 / 256, 14)
    expect(summary.eMeasure).toBeCloseTo(0.9970792580819434, 12)
    expect(summary.sMeasure).toBeCloseTo(1, 9)
    expect(summary.mae).toBe(0)
  })
})

describe('file pairing', () => {
  let dir: ReturnType<typeof tempDir>
  beforeAll(() => {
    dir = tempDir('pulmo-metrics-')
  })
  afterAll(() => dir.remove())

  function folder(name: string, files: Record<string, string>): string {
    const path = join(dir.path, name)
    mkdirSync(path)
    for (const [target, source] of Object.entries(files)) copyFileSync(source, join(path, target))
    return path
  }

  it('pairs a .png prediction with a .jpg ground truth by base name, in natural order', async () => {
    const pred = folder('pred-a', { '10.png': join(masks, '10.png'), '2.png': join(masks, '2.png') })
    const gt = folder('gt-a', { '10.jpg': join(images, '10.jpg'), '2.png': join(masks, '2.png') })
    writeFileSync(join(gt, 'notes.txt'), 'not an image')
    const pairs = await pairImageFiles(pred, gt)
    expect(pairs.map((p) => [p.name, p.prediction.slice(-6), p.groundTruth.slice(-6)])).toEqual([
      ['2', '/2.png', '/2.png'],
      ['10', '10.png', '10.jpg']
    ])
    const summary = await evaluateFolders(pred, gt)
    expect(summary.images).toBe(2)
  })

  it('names a prediction without ground truth and a ground truth without prediction', async () => {
    const pred = folder('pred-b', { '0.png': join(masks, '0.png'), '1.png': join(masks, '1.png') })
    const gt = folder('gt-b', { '0.png': join(masks, '0.png'), '3.png': join(masks, '3.png') })
    const error = await evaluateFolders(pred, gt).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    const message = (error as Error).message
    expect(message).toContain(`${join(pred, '1.png')} has no ground truth 1.* in ${gt}`)
    expect(message).toContain(`${join(gt, '3.png')} has no prediction map 3.* in ${pred}`)
  })

  it('refuses two files with one base name, and a missing folder', async () => {
    const pred = folder('pred-c', { '0.png': join(masks, '0.png'), '0.jpg': join(images, '0.jpg') })
    await expect(pairImageFiles(pred, masks)).rejects.toThrow(/same base name/)
    await expect(pairImageFiles(join(dir.path, 'nowhere'), masks)).rejects.toThrow(/cannot list the prediction folder/)
  })

  it('names a file that cannot be decoded', async () => {
    const path = join(dir.path, 'broken.png')
    writeFileSync(path, 'not a png')
    const error = await readGreyImage(path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetricsInputError)
    expect((error as Error).message).toMatch(/^\S*broken\.png: /)
  })
})
