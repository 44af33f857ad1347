import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectRoot } from '../../../helpers/paths'

/**
 * The cards of the shipped models carry every validation figure, and the whole-volume figures they
 * carry (`npm run bench:analysis -- --record`) were measured with the models shipped now: a model
 * installed without re-recording fails here. test/integration/realSeverity.test.ts re-measures the
 * same limits on the scans themselves.
 */
interface Figures {
  seconds: number
  percentInfected: { total: number }
  outsideLungsMl: number
  ctss: number
  lobar: number
  lobes: Record<string, number>
  infectionPresent: boolean
  sliceAgreement?: string
}
interface Card {
  name: string
  version: string
  training: { heldOut: string; crossValidation: string }
  metrics: Record<string, number>
  wholeVolume: { command: string; models: string[]; series: Record<string, Figures> }
}
const card = (name: string): Card => JSON.parse(readFileSync(join(projectRoot, 'resources/models', name, 'card.json'), 'utf8')) as Card
const names = ['infnet-lite', 'infnet-multiclass']

describe('the shipped model cards', () => {
  it('give the held-out and 5-fold validation', () => {
    const lite = card('infnet-lite')
    expect(lite.training.heldOut).toMatch(/^zenodo volume groups .+ never trained on/)
    expect(lite.metrics.heldOutDice).toBeGreaterThan(0.5)
    expect(lite.metrics.cv5DiceMean).toBeGreaterThan(0.5)
    const multi = card('infnet-multiclass')
    expect(multi.training.heldOut).toMatch(/cannot score ground glass and consolidation apart/)
    expect(multi.metrics.cv5DiceGroundGlassMean).toBeGreaterThan(0.4)
    expect(multi.metrics.cv5DiceConsolidationMean).toBeGreaterThan(0.25)
  })

  it('carry whole-volume figures measured with the models shipped now', () => {
    const versions = names.map((n) => `${n} ${card(n).version}`)
    for (const n of names) expect(card(n).wholeVolume.models).toEqual(versions)
    expect(card('infnet-multiclass').wholeVolume).toEqual(card('infnet-lite').wholeVolume)
  })

  it('whose figures meet the limits of a trustworthy model on normal002 and P002', () => {
    const { normal002, P002 } = card('infnet-lite').wholeVolume.series
    expect(normal002.percentInfected.total).toBeLessThan(0.5)
    expect(normal002.ctss).toBeLessThanOrEqual(2)
    expect(normal002.lobar).toBeLessThanOrEqual(1)
    expect(normal002.infectionPresent).toBe(false)
    expect(P002.infectionPresent).toBe(true)
    const [agree, of] = P002.sliceAgreement!.split('/').map(Number)
    expect(agree / of).toBeGreaterThanOrEqual(0.85)
    const byInvolvement = Object.entries(P002.lobes).sort((a, b) => b[1] - a[1]).map(([id]) => id)
    expect(byInvolvement.slice(0, 2).sort()).toEqual(['LLL', 'LUL'])
    for (const s of [normal002, P002]) expect(s.outsideLungsMl).toBe(0)
    expect(P002.seconds).toBeLessThanOrEqual(60)
  })
})
