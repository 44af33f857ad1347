import { beforeAll, describe, expect, it } from 'vitest'
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL, segmentLungs, type LungMask } from '../../../src/main/lungs/lungMask'
import { CTSS_REGION_RULES, LOBES, partitionLungRegions } from '../../../src/main/regions/regions'
import { readDicomSeries } from '../../../src/main/volume/dicom'
import type { Volume } from '../../../src/main/volume/volume'
import { p002 } from '../../helpers/paths'

/** Mean world x (LPS: + toward the patient's left) of the voxels with a label. */
function meanWorldX(volume: Volume, labels: Uint8Array, label: number): number {
  const [nx, ny] = volume.dimensions
  let sum = 0
  let count = 0
  for (let v = 0; v < labels.length; v++) {
    if (labels[v] !== label) continue
    const i = v % nx
    const j = Math.floor(v / nx) % ny
    const k = Math.floor(v / (nx * ny))
    const s = volume.spacing
    const d = volume.direction
    sum += volume.origin[0] + d[0] * i * s[0] + d[1] * j * s[1] + d[2] * k * s[2]
    count++
  }
  return sum / count
}

describe('segmentLungs on the real COVID series P002 (512×512×133)', () => {
  let volume: Volume
  let lungs: LungMask
  let elapsedMs = 0

  beforeAll(async () => {
    ;[volume] = await readDicomSeries(p002)
    const started = performance.now()
    lungs = segmentLungs(volume)
    elapsedMs = performance.now() - started
    console.info(
      `P002: right ${lungs.rightVolumeMl.toFixed(0)} mL, left ${lungs.leftVolumeMl.toFixed(0)} mL, ` +
        `${lungs.separation}, ${elapsedMs.toFixed(0)} ms`
    )
  })

  it('finds two adult-sized lungs, the right one on the patient’s right', () => {
    for (const ml of [lungs.rightVolumeMl, lungs.leftVolumeMl]) {
      expect(ml).toBeGreaterThan(1000)
      expect(ml).toBeLessThan(4500)
    }
    expect(meanWorldX(volume, lungs.labels, RIGHT_LUNG_LABEL)).toBeLessThan(
      meanWorldX(volume, lungs.labels, LEFT_LUNG_LABEL)
    )
  })

  it('removes a trachea-sized airway (tens of mL)', () => {
    const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000
    const airwayMl = lungs.airwayVoxelCount * voxelMl
    expect(airwayMl).toBeGreaterThan(5)
    expect(airwayMl).toBeLessThan(150)
  })

  it('gives all 20 regions and 5 lobes a share of their lung', () => {
    const regions = partitionLungRegions(lungs.labels, volume)
    const counts = new Array<number>(CTSS_REGION_RULES.length + 1).fill(0)
    for (const r of regions) counts[r]++
    for (let n = 1; n <= CTSS_REGION_RULES.length; n++)
      expect(counts[n], CTSS_REGION_RULES[n - 1].id).toBeGreaterThan(0)
    const lungVoxels = { right: 0, left: 0 }
    CTSS_REGION_RULES.forEach((rule, n) => (lungVoxels[rule.lung] += counts[n + 1]))
    for (const lobe of LOBES) {
      const voxels = lobe.regionIds.reduce(
        (sum, id) => sum + counts[CTSS_REGION_RULES.findIndex((r) => r.id === id) + 1],
        0
      )
      const share = voxels / lungVoxels[lobe.lung]
      expect(share, lobe.id).toBeGreaterThan(0.1)
      expect(share, lobe.id).toBeLessThan(0.65)
    }
  })
})
