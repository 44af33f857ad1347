import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import dcmjs from 'dcmjs'
import { buildStructuredReport } from '../../src/main/dicomResults'
import { PulmoService } from '../../src/main/services'
import { analyseSeries } from '../helpers/analyse'
import { tempDir } from '../helpers/paths'
import { tinyServiceWithLungmaskSeries } from '../helpers/tinyService'

/**
 * The radiologist's CT pattern category replaces Pulmo's proposal on the report: what the view
 * states, what is signed (the PDF), exported (the SR) and audited. On the real lungmask slices with
 * a tiny untrained model: the proposal's value does not matter here, its path through the record does.
 */
describe('the CT pattern override is what is signed, exported and audited', () => {
  const dir = tempDir('pulmo-pattern-override-')
  let service: PulmoService
  let seriesId: number

  beforeAll(async () => {
    ;({ service, seriesId } = await tinyServiceWithLungmaskSeries(dir.path, 'Dr Lee'))
    const ended = await analyseSeries(service, seriesId)
    expect(ended.status, ended.message).toBe('finished')
  }, 300_000)
  afterAll(async () => {
    await service.shutdown()
    dir.remove()
  })

  it('keeps the proposal, states the override, audits both ways, and signs and exports the override', async () => {
    const draft = (await service.invoke('reports.get', { seriesId }))!
    const proposed = draft.pattern.proposed!
    expect(proposed.evidence).toContain(`→ RSNA ${proposed.rsna}, CO-RADS ${proposed.coRads}`)
    expect(draft.pattern.final).toEqual({ rsna: proposed.rsna, coRads: proposed.coRads, source: 'pulmo', evidence: proposed.evidence })

    const overridden = await service.invoke('reports.update', { reportId: draft.id, pattern: { rsna: 'atypical', coRads: 2, note: 'tree-in-bud in the RLL' } })
    expect(overridden.pattern.proposed).toEqual(proposed)
    expect(overridden.pattern.override).toMatchObject({ rsna: 'atypical', coRads: 2, by: 'Dr Lee', note: 'tree-in-bud in the RLL' })
    expect(overridden.pattern.final).toMatchObject({ rsna: 'atypical', coRads: 2, source: 'radiologist' })
    expect(overridden.pattern.final!.evidence).toBe(`set by Dr Lee: tree-in-bud in the RLL (Pulmo proposed RSNA ${proposed.rsna}, CO-RADS ${proposed.coRads})`)

    // back to the proposal, then the override again: each is an audited edit
    expect((await service.invoke('reports.update', { reportId: draft.id, pattern: null })).pattern.final!.source).toBe('pulmo')
    await service.invoke('reports.update', { reportId: draft.id, pattern: { rsna: 'atypical', coRads: 2, note: 'tree-in-bud in the RLL' } })
    const edits = (await service.invoke('audit.list', { entity: 'report', entityId: draft.id })).filter((e) => e.action === 'edit').map((e) => e.detail.pattern)
    expect(edits).toEqual([
      { rsna: 'atypical', coRads: 2, proposed: { rsna: proposed.rsna, coRads: proposed.coRads } },
      'proposal restored',
      { rsna: 'atypical', coRads: 2, proposed: { rsna: proposed.rsna, coRads: proposed.coRads } }
    ])

    const signed = await service.invoke('reports.sign', { reportId: draft.id })
    const signEntry = (await service.invoke('audit.list', { entity: 'report', entityId: draft.id })).find((e) => e.action === 'sign')!
    expect(signEntry.detail.pattern).toEqual({ rsna: 'atypical', coRads: 2, source: 'radiologist' })
    await expect(service.invoke('reports.update', { reportId: draft.id, pattern: null })).rejects.toMatchObject({ code: 'conflict' })

    const pdf = join(dir.path, 'signed.pdf')
    await service.invoke('reports.pdf', { reportId: signed.id, path: pdf, identified: true })
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    expect(text).toContain('CT pattern')
    expect(text).toContain('RSNA: atypical appearance · CO-RADS 2 (low (typical of another infection)) — set by the radiologist.')
    expect(text).toContain(`Evidence measured on the segmentation: ${proposed.evidence}`)

    const sr = buildStructuredReport({
      source: {
        patient: { name: 'Lung^Mask', id: 'LM' },
        study: { studyInstanceUid: '2.25.1' },
        seriesInstanceUid: '2.25.2',
        frameOfReferenceUid: null,
        instances: [],
        dimensions: [512, 512, 2],
        spacing: [0.625, 0.625, 1],
        direction: [1, 0, 0, 0, 1, 0, 0, 0, 1]
      },
      report: signed,
      resultKey: 'test'
    })
    const items = JSON.stringify(dcmjs.data.DicomMetaDictionary.naturalizeDataset(sr.dict))
    expect(items).toContain('"TextValue":"atypical"')
    expect(items).toContain('"TextValue":"radiologist"')
  }, 300_000)
})
