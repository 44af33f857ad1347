import { it } from 'vitest'
import { buildKeyImages, writeReportPdf } from '../../../src/main/report'
import { segmentLungs } from '../../../src/main/severity/lungMask'
import { createChestPhantom, insertLesion, lesionLabelMap } from '../../../src/main/severity/phantom'
import { partitionLungRegions } from '../../../src/main/severity/regions'
import { computeSeverity } from '../../../src/main/severity/scores'
const phantom = createChestPhantom({ dimensions: [192, 192, 40], spacing: [1.9, 1.9, 7] })
const lesions = [insertLesion(phantom, { kind: 'consolidation', centreMm: [-80, 30, -70], radiusMm: 14 }), insertLesion(phantom, { kind: 'ground-glass', centreMm: [65, -30, 60], radiusMm: 10 })]
const lungs = segmentLungs(phantom.volume)
const labels = lesionLabelMap(phantom, lesions)
const severity = computeSeverity({ geometry: phantom.volume, lungLabels: lungs.labels, regionLabels: partitionLungRegions(lungs.labels, phantom.volume), infectionLabels: labels })
it('x', async () => { await writeReportPdf('/tmp/r.pdf', {
  patient: { name: 'Doe^Jane', id: 'PHANTOM-1', birthDate: '1960-02-29', sex: 'F' },
  study: { date: '2020-04-01', description: 'CT chest', accessionNumber: 'ACC-42' },
  series: { number: 3, description: 'Lung 1.0', dimensions: phantom.volume.dimensions, spacing: phantom.volume.spacing },
  severity, edits: [{ regionId: 'R9', score: 2, by: 'Dr Rossi', at: '2020-04-02T10:00:00Z' }],
  keyImages: buildKeyImages(phantom.volume, labels, { lungLabels: lungs.labels }),
  model: { name: 'infnet-lite', version: '0.0-test' }, findings: 'Findings text.', impression: 'Impression.', signedBy: 'Dr Rossi', signedAt: '2020-04-02T11:30:00Z'
})
})
