import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readNifti } from '../../src/main/volume'
import { normal002, p002, projectRoot, sharedData, tempDir } from '../helpers/paths'

/**
 * The bundled default model on the two real CT series: the normal one must score near zero, the
 * COVID one clearly higher, with its involvement in the lobes the dataset's readers marked.
 */
const dir = tempDir('pulmo-real-')
const pulmo = (...args: string[]) =>
  spawnSync(process.execPath, [join(projectRoot, 'bin/pulmo.js'), ...args, '--data-dir', join(dir.path, 'data')], {
    encoding: 'utf8',
    timeout: 900_000
  })

interface Summary {
  percentInfected: { total: number; left: number; right: number }
  infectedVolumeMl: number
  infectionOutsideLungsMl: number
  infectionPresent: boolean
  lobar: { total: number; lobes: Array<{ id: string; percent: number; score: number }> }
  ctss: { total: number }
}

describe('severity of the real COVID-CT-MD series with the bundled model', () => {
  let covid: Summary
  let normal: Summary
  let covidLabels: Uint8Array

  beforeAll(() => {
    const seg = pulmo('segment', p002, '--out', join(dir.path, 'p002'))
    expect(seg.status, seg.stderr).toBe(0)
    expect(seg.stderr).toMatch(/infection/) // progress lines
    covid = JSON.parse(readFileSync(join(dir.path, 'p002', 'summary.json'), 'utf8')).scores
    const score = pulmo('score', normal002, '--json')
    expect(score.status, score.stderr).toBe(0)
    normal = JSON.parse(score.stdout)
  })
  afterAll(() => dir.remove())

  // normal002 was never trained on (the negatives come from P002's uninfected slices): it must read as
  // a normal scan. P002's disease is in the left lung (LUL, LLL).
  it('scores normal002 as normal and P002 as infected, with nothing outside the lungs', () => {
    console.info(`normal002: ${normal.percentInfected.total} % infected, CT-SS ${normal.ctss.total}, lobar ${normal.lobar.total}; P002: ${covid.percentInfected.total} % (left ${covid.percentInfected.left}, right ${covid.percentInfected.right}), CT-SS ${covid.ctss.total}, lobar ${covid.lobar.total}`)
    expect(normal.percentInfected.total).toBeLessThan(0.5)
    expect(normal.ctss.total).toBeLessThanOrEqual(2)
    expect(normal.lobar.total).toBeLessThanOrEqual(1)
    expect(normal.infectionPresent).toBe(false)
    expect(covid.infectionPresent).toBe(true)
    expect(covid.percentInfected.left).toBeGreaterThan(covid.percentInfected.right)
    expect(normal.infectionOutsideLungsMl).toBe(0)
    expect(covid.infectionOutsideLungsMl).toBe(0)
  })

  it("finds P002's involvement in the lobes its readers marked (the larger lobes)", async () => {
    const csv = readFileSync(join(sharedData, 'dicom/covid-ct-md/P002-labels.csv'), 'utf8').trim().split('\n')
    const header = csv[0].split(',')
    const rows = csv.slice(1).map((l) => l.split(',').map(Number))
    const involved = (lobe: string) => rows.some((r) => r[header.indexOf(lobe)] === 1)
    const percent = (lobe: string) => covid.lobar.lobes.find((l) => l.id === lobe)!.percent
    const large = ['RUL', 'RLL', 'LUL', 'LLL']
    const agreement = large.map((lobe) => ({ lobe, labelled: involved(lobe), percent: percent(lobe) }))
    console.info('P002 lobes (labelled involved, predicted %):', JSON.stringify(agreement))
    const labelledIn = agreement.filter((a) => a.labelled)
    const labelledOut = agreement.filter((a) => !a.labelled)
    expect(labelledIn.map((a) => a.lobe).sort()).toEqual(['LLL', 'LUL'])
    expect(Math.min(...labelledIn.map((a) => a.percent))).toBeGreaterThan(Math.max(...labelledOut.map((a) => a.percent)))

    // Slice level: row r of the CSV is InstanceNumber r + 1, which lies at volume index 132 − r
    // (instance 1 is the most cranial slice; the volume is sorted caudal to cranial).
    covidLabels = (await readNifti(join(dir.path, 'p002', 'infection.nii.gz'), { unit: 'label' })).data as Uint8Array
    const sliceSize = 512 * 512
    let agree = 0
    for (const [r, row] of rows.entries()) {
      const k = 132 - r
      let n = 0
      for (let i = k * sliceSize; i < (k + 1) * sliceSize; i++) n += covidLabels[i]
      const predicted = n * 0.6035 * 0.6035 * 2 > 100 // more than 0.1 mL of infection in the slice
      if (predicted === (row[header.indexOf('infected')] === 1)) agree++
    }
    console.info(`P002 slice-level agreement with the readers' infected flag: ${agree}/${rows.length}`)
    // measured 123/133 (0.92) with the bundled model and its card's flip test-time augmentation (119/133
    // without it): it misses 5 slices of P002's faintest ground glass (rows 34, 35, 37, 38, 66) and
    // marks 5 its readers left clear (58–62)
    expect(agree / rows.length).toBeGreaterThanOrEqual(0.9)
  })

  it("keeps P002's infection, consolidation included, inside its lung mask", async () => {
    const lungs = (await readNifti(join(dir.path, 'p002', 'lungs.nii.gz'), { unit: 'label' })).data as Uint8Array
    const labels = (await readNifti(join(dir.path, 'p002', 'labels.nii.gz'), { unit: 'label' })).data as Uint8Array
    let outside = 0
    let consolidation = 0
    for (let v = 0; v < labels.length; v++) {
      if (labels[v] === 0) continue
      if (labels[v] === 2) consolidation++
      if (lungs[v] === 0) outside++
    }
    expect(consolidation).toBeGreaterThan(0)
    expect(outside).toBe(0)
  })
})
