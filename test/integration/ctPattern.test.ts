import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ctPatternOf } from '../../src/main/pattern/ctPatternOf'
import { partitionLungRegions } from '../../src/main/regions/regions'
import { readNifti } from '../../src/main/volume'
import { axialOrientation } from '../../src/main/volume/volumeGeometry'
import type { CtPattern } from '../../src/shared/ctPattern'
import { lungmaskSlices, normal002, p002, projectRoot, tempDir } from '../helpers/paths'
import { patternCases } from '../helpers/patternCases'

/**
 * The CT pattern category on the two real COVID-CT-MD series with the bundled models (P002, a COVID
 * pneumonia → typical; normal002 → negative), and on synthetic cases painted on normal002's lung
 * mask, one per rule the categories must tell apart.
 */
const dir = tempDir('pulmo-pattern-')
const pulmo = (...args: string[]) =>
  spawnSync(process.execPath, [join(projectRoot, 'bin/pulmo.js'), ...args, '--data-dir', join(dir.path, 'data')], { encoding: 'utf8', timeout: 900_000 })
const summaryPattern = (name: string): CtPattern & { source: string } => JSON.parse(readFileSync(join(dir.path, name, 'summary.json'), 'utf8')).pattern

describe('the CT pattern category on real scans', () => {
  beforeAll(() => {
    for (const [name, input] of [['p002', p002], ['normal002', normal002]]) {
      const seg = pulmo('segment', input, '--out', join(dir.path, name))
      expect(seg.status, seg.stderr).toBe(0)
    }
  }, 900_000)
  afterAll(() => dir.remove())

  it('proposes RSNA typical, CO-RADS 5 for P002, from bilateral, peripheral, lower-lobe ground glass', () => {
    const p = summaryPattern('p002')
    console.info(`P002: ${p.evidence}\n  ${JSON.stringify(p.features)}`)
    expect([p.rsna, p.coRads, p.source]).toEqual(['typical', 5, 'pulmo'])
    // measured with the bundled model and its flip test-time augmentation: 7 lesions ≥ 0.5 mL, 67 % in
    // the outer third, 87 % in the lower lobes, ground glass 99 % (without flip: 70 %, 89 %); the right
    // lung's few mL (an RLL lesion) are what make it bilateral
    expect(p.features.bilateral).toBe(true)
    expect(p.features.rightLungMl).toBeGreaterThan(2)
    expect(p.features.leftLungMl).toBeGreaterThan(100)
    expect(p.features.peripheralFraction).toBeGreaterThan(0.6)
    expect(p.features.lowerLobeFraction).toBeGreaterThan(0.8)
    expect(p.features.groundGlassFraction).toBeGreaterThan(0.95)
    expect(p.features.largestLesion?.lobe).toBe('LLL')
    expect(p.evidence).toMatch(/^bilateral, 7 lesions ≥ 0.5 mL, 6\d % peripheral .* → RSNA typical, CO-RADS 5$/)
  })

  it('reads normal002 as negative for pneumonia, CO-RADS 1', () => {
    const p = summaryPattern('normal002')
    console.info(`normal002: ${p.evidence}`)
    expect([p.rsna, p.coRads]).toEqual(['negative', 1])
    // its two false-positive components (1.16 and 1.05 mL) are lesions by size but 0.05 % of the lungs
    expect(p.features.percentInfected).toBeLessThan(0.1)
    expect(p.features.bilateral).toBe(false)
  })

  it('tells each rule apart on synthetic patterns painted on normal002’s lungs', async () => {
    const lungs = await readNifti(join(dir.path, 'normal002', 'lungs.nii.gz'), { unit: 'label' })
    const labels = await readNifti(join(dir.path, 'normal002', 'labels.nii.gz'), { unit: 'label' })
    const geometry = { dimensions: lungs.dimensions, spacing: lungs.spacing, direction: lungs.direction }
    const scan = { geometry, lungLabels: Uint8Array.from(lungs.data) }
    const regionLabels = partitionLungRegions(scan.lungLabels, geometry)
    const cases = patternCases(scan, Uint8Array.from(labels.data), axialOrientation(geometry.direction).towardSuperior === 1)
    const got = cases.map((c) => {
      const p = ctPatternOf({ geometry, lungLabels: scan.lungLabels, regionLabels, infectionLabels: c.infectionLabels })
      console.info(`${c.name}: ${p.evidence}`)
      return { name: c.name, rsna: p.rsna, coRads: p.coRads, features: p.features }
    })
    expect(got.map((g) => [g.name, g.rsna, g.coRads])).toEqual(cases.map((c) => [c.name, c.expected.rsna, c.expected.coRads]))
    const lobar = got[0].features.largestLesion!
    expect([lobar.lobe, lobar.groundGlassFraction]).toEqual(['RLL', 0])
    expect(lobar.lobeShare).toBeGreaterThan(0.3)
    expect(got[2].features.bilateral).toBe(false) // unilateral: normal002's 1.05 mL left speck does not count
    expect(got[3].features.perihilarFraction).toBeGreaterThan(0.5)
  }, 120_000)

  it('pulmo score --json carries the pattern: rsna, coRads, features, evidence', () => {
    const score = pulmo('score', lungmaskSlices, '--json')
    expect(score.status, score.stderr).toBe(0)
    const { pattern } = JSON.parse(score.stdout)
    expect(Object.keys(pattern)).toEqual(expect.arrayContaining(['rsna', 'coRads', 'features', 'evidence', 'reasons']))
    expect(['typical', 'indeterminate', 'atypical', 'negative']).toContain(pattern.rsna)
    expect(pattern.evidence).toContain(`→ RSNA ${pattern.rsna}, CO-RADS ${pattern.coRads}`)
  }, 300_000)
})
