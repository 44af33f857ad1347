import type { SliceEdit } from '../../src/shared/api'
import { encodeRuns } from '../../src/shared/runLength'
import type { PulmoService } from '../../src/main/services'
import { LOBES, type LobeId } from '../../src/main/regions/regions'

/**
 * Saves a new mask version of an analysed series with `voxels` more ground-glass voxels in one lobe
 * (voxels of that lobe, by the service's own anatomical lobes, that the latest version leaves clear),
 * through the mask-version API. Returns the voxels added and the lobe's voxel count.
 */
export async function addGroundGlassInLobe(
  service: PulmoService,
  seriesId: number,
  lobe: LobeId,
  voxels: number
): Promise<{ added: number; lobeVoxels: number; version: number }> {
  const header = await service.invoke('series.header', { seriesId })
  const lobes = new Uint8Array(await service.invoke('masks.lobes', { seriesId }))
  const sliceSize = header.dimensions[0] * header.dimensions[1]
  const base = (await service.invoke('masks.list', { seriesId })).at(-1)!.version
  const labels = new Uint8Array(await service.invoke('masks.voxels', { seriesId, version: base }))
  const label = LOBES.findIndex((l) => l.id === lobe) + 1
  let added = 0
  const touched = new Set<number>()
  for (let v = 0; v < labels.length && added < voxels; v++) {
    if (lobes[v] === label && labels[v] === 0) {
      labels[v] = 1
      touched.add(Math.floor(v / sliceSize))
      added++
    }
  }
  const slices: SliceEdit[] = [...touched].map((k) => ({ k, runs: encodeRuns(labels.subarray(k * sliceSize, (k + 1) * sliceSize)) }))
  const saved = await service.invoke('masks.save', { seriesId, baseVersion: base, slices })
  return { added, lobeVoxels: lobes.reduce((n, v) => n + (v === label ? 1 : 0), 0), version: saved.version }
}
