/**
 * `npm run eval:pattern -- DIR... [--synthetic DIR]`: the CT pattern features and categories of
 * each `pulmo segment` output folder (lungs.nii.gz, labels.nii.gz), and with --synthetic, of the
 * synthetic cases painted on that folder's lung mask (test/helpers/patternCases.ts). Prints one
 * block per scan: the category, the rule that decided it, the features.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ctPatternOf } from '../src/main/pattern/ctPatternOf'
import { partitionLungRegions } from '../src/main/regions/regions'
import { readNifti } from '../src/main/volume'
import { axialOrientation } from '../src/main/volume/volumeGeometry'
import type { CtPattern } from '../src/shared/ctPattern'
import { patternCases } from '../test/helpers/patternCases'

const asBytes = (data: ArrayLike<number>): Uint8Array => (data instanceof Uint8Array ? data : Uint8Array.from(data))

async function load(dir: string): Promise<{ geometry: { dimensions: [number, number, number]; spacing: [number, number, number]; direction: number[] }; lungLabels: Uint8Array; labels: Uint8Array; regionLabels: Uint8Array }> {
  const lungs = await readNifti(join(dir, 'lungs.nii.gz'), { unit: 'label' })
  const labels = await readNifti(join(dir, 'labels.nii.gz'), { unit: 'label' })
  const geometry = { dimensions: lungs.dimensions, spacing: lungs.spacing, direction: [...lungs.direction] }
  const lungLabels = asBytes(lungs.data)
  // The regions within the anatomical lobes `pulmo segment` wrote; older outputs: the geometric partition.
  const regionsFile = join(dir, 'regions.nii.gz')
  const regionLabels = existsSync(regionsFile) ? asBytes((await readNifti(regionsFile, { unit: 'label' })).data) : partitionLungRegions(lungLabels, geometry)
  return { geometry, lungLabels, labels: asBytes(labels.data), regionLabels }
}

function print(name: string, p: CtPattern, ms: number, expected?: { rsna: string; coRads: number }): void {
  const check = expected ? ` (expected ${expected.rsna} / ${expected.coRads}: ${expected.rsna === p.rsna && expected.coRads === p.coRads ? 'agrees' : 'DIFFERS'})` : ''
  console.log(`${name}: RSNA ${p.rsna}, CO-RADS ${p.coRads}${check}  [${ms.toFixed(0)} ms]`)
  console.log(`  evidence: ${p.evidence}`)
  console.log(`  rules: RSNA — ${p.reasons.rsna}; CO-RADS — ${p.reasons.coRads}`)
  console.log(`  features: ${JSON.stringify(p.features)}`)
}

const args = process.argv.slice(2)
const syntheticAt = args.indexOf('--synthetic')
const synthetic = syntheticAt >= 0 ? args.splice(syntheticAt, 2)[1] : undefined
for (const dir of args) {
  const scan = await load(dir)
  const start = performance.now()
  const p = ctPatternOf({ geometry: scan.geometry, lungLabels: scan.lungLabels, regionLabels: scan.regionLabels, infectionLabels: scan.labels })
  print(dir, p, performance.now() - start)
}
if (synthetic) {
  const scan = await load(synthetic)
  const { regionLabels } = scan
  const caudalIsLowIndex = axialOrientation(scan.geometry.direction).towardSuperior === 1
  for (const c of patternCases(scan, scan.labels, caudalIsLowIndex)) {
    const start = performance.now()
    const p = ctPatternOf({ geometry: scan.geometry, lungLabels: scan.lungLabels, regionLabels, infectionLabels: c.infectionLabels })
    print(`synthetic on ${synthetic}: ${c.name}`, p, performance.now() - start, c.expected)
  }
}
