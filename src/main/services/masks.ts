import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, type MaskVersion, type SliceEdit } from '../../shared/api'
import { decodeRuns } from '../../shared/runLength'
import { MaskConflictError, type MaskRow } from '../db'
import { checksum, readNifti } from '../volume'
import type { Volume } from '../volume/volume'
import type { ServiceContext } from './context'
import type { WrittenLabels } from '../compute/computeProtocol'
import { adoptFile, removeUnreferenced, storeLabelVolume } from './storedFiles'
import type { StudyService } from './studies'

export const LABEL_SET = ['ground-glass opacity', 'consolidation']
const MASK_FOLDER = 'masks'

/** A label file of masks/ and the checksum of its voxels. */
interface StoredLabels {
  path: string
  checksum: string
}

function toView(m: MaskRow, parentVersion: number | null): MaskVersion {
  return {
    id: m.id,
    seriesId: m.seriesRef,
    version: m.version,
    parentVersion,
    source: m.source,
    author: m.author,
    createdAt: m.createdAt,
    labelSet: m.labelSet,
    trainingSlices: m.trainingSlices,
    revertedTo: m.revertedTo
  }
}

/** Versioned infection masks of a series: model outputs and annotators' corrections. */
export class MaskService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService
  ) {
    removeUnreferenced(ctx.dataDir, MASK_FOLDER, new Set(ctx.store.masks.allPaths()))
  }

  list(seriesId: number): MaskVersion[] {
    this.studies.seriesRow(seriesId)
    const rows = this.ctx.store.masks.versions(seriesId)
    const versionOf = new Map(rows.map((r) => [r.id, r.version]))
    return rows.map((r) => toView(r, r.parentRef === null ? null : (versionOf.get(r.parentRef) ?? null)))
  }

  /** A version's row (the latest by default); not-found for a version the series does not have. */
  versionRow(seriesId: number, version?: number): MaskRow | undefined {
    return this.row(seriesId, version)
  }

  private row(seriesId: number, version?: number): MaskRow | undefined {
    const rows = this.ctx.store.masks.versions(seriesId)
    if (version === undefined) return rows.at(-1)
    const row = rows.find((r) => r.version === version)
    if (!row) throw new ApiError('not-found', `Series ${seriesId} has no mask version ${version}.`)
    return row
  }

  /** The labels of a version (the latest by default); an empty mask before any analysis or edit. */
  async labels(seriesId: number, version?: number): Promise<Uint8Array> {
    const series = this.studies.seriesRow(seriesId)
    const row = this.row(seriesId, version)
    if (!row) return new Uint8Array(series.columns * series.rows * series.slices)
    const volume = await readNifti(join(this.ctx.dataDir, row.path), { unit: 'label' })
    if (checksum(volume) !== row.checksum) throw new ApiError('internal', `Mask version ${row.version} of series ${seriesId} is damaged (checksum).`)
    return volume.data instanceof Uint8Array ? volume.data : Uint8Array.from(volume.data)
  }

  /** Labels on the series' grid, stored as a file of masks/ (not yet a version). */
  private async store(seriesId: number, labels: Uint8Array): Promise<StoredLabels> {
    const volume: Volume = { ...this.studies.geometry(seriesId), data: labels, unit: 'label' }
    return { path: await storeLabelVolume(this.ctx.dataDir, MASK_FOLDER, volume), checksum: checksum(volume) }
  }

  /** Makes a stored file the next version; the file goes when its row cannot be written. */
  private add(
    seriesId: number,
    { path, checksum: sum }: StoredLabels,
    base: MaskRow | undefined,
    change: { source: MaskRow['source']; modelRef: number | null; trainingSlices: number[]; revertedTo?: number },
    expectedLatest: number
  ): MaskVersion {
    try {
      // The file is complete and flushed before its row exists; the row and its audit entry commit together.
      const row = this.ctx.store.transaction(() => {
        const added = this.ctx.store.masks.add(
          {
            seriesRef: seriesId,
            parentRef: base?.id ?? null,
            source: change.source,
            modelRef: change.modelRef,
            author: change.source === 'model' ? 'Pulmo' : this.ctx.userName(),
            labelSet: LABEL_SET,
            path,
            checksum: sum,
            trainingSlices: change.trainingSlices,
            revertedTo: change.revertedTo ?? null
          },
          expectedLatest
        )
        const action = change.source === 'model' ? 'analyse' : 'edit'
        this.ctx.store.audit.record(this.ctx.userName(), action, 'mask', added.id, {
          seriesId,
          version: added.version,
          trainingSlices: added.trainingSlices.length,
          ...(change.revertedTo !== undefined ? { revertedTo: change.revertedTo } : {})
        })
        return added
      })
      this.ctx.emit({ type: 'studies-changed' })
      return toView(row, base?.version ?? null)
    } catch (e) {
      rmSync(join(this.ctx.dataDir, path), { force: true })
      if (e instanceof MaskConflictError) throw new ApiError('conflict', e.message)
      throw e
    }
  }

  /**
   * Applies edited slices to `baseVersion` and saves the result as the next version. Training data
   * are the slices where the result differs from the model's latest segmentation: what a person
   * changed. Slices painted back to the model's labels (a revert to the model's version) are not.
   * Without any model version, every slice a person edited (and that holds labels or was edited
   * before) counts.
   */
  async save(seriesId: number, baseVersion: number, slices: SliceEdit[], revertTo?: number): Promise<MaskVersion> {
    const series = this.studies.seriesRow(seriesId)
    const latest = this.row(seriesId)?.version ?? 0
    if (baseVersion !== latest) {
      throw new ApiError('conflict', `Mask version ${latest} was saved since you opened version ${baseVersion}; reload and reapply your edits.`)
    }
    if (revertTo !== undefined) this.row(seriesId, revertTo)
    const base = baseVersion === 0 ? undefined : this.row(seriesId, baseVersion)
    const labels = await this.labels(seriesId, baseVersion === 0 ? undefined : baseVersion)
    const sliceSize = series.columns * series.rows
    const touched = new Set(base?.trainingSlices ?? [])
    for (const s of slices) {
      if (s.k >= series.slices) throw new ApiError('validation', `Slice ${s.k} is outside the series (${series.slices} slices).`)
      decodeRuns(s.runs, labels.subarray(s.k * sliceSize, (s.k + 1) * sliceSize), s.k)
      touched.add(s.k)
    }
    const model = this.ctx.store.masks.versions(seriesId).filter((m) => m.source === 'model').at(-1)
    const modelLabels = model ? await this.labels(seriesId, model.version) : undefined
    const trainingSlices = [...touched]
      .filter((k) => {
        const mine = labels.subarray(k * sliceSize, (k + 1) * sliceSize)
        if (!modelLabels) return true
        const theirs = modelLabels.subarray(k * sliceSize, (k + 1) * sliceSize)
        for (let v = 0; v < sliceSize; v++) if (mine[v] !== theirs[v]) return true
        return false
      })
      .sort((a, b) => a - b)
    const stored = await this.store(seriesId, labels)
    return this.add(seriesId, stored, base, { source: 'annotator', modelRef: null, trainingSlices, revertedTo: revertTo }, baseVersion)
  }

  /**
   * After a re-analysis that must not drop a correction: the corrected version's labels again as
   * the newest version (so the editor and the report start from them), labelled as restoring it,
   * with the same training slices. `modelVersion` is the model's new version it follows.
   */
  async keepCorrected(seriesId: number, correctedVersion: number, modelVersion: number): Promise<MaskVersion> {
    const corrected = this.row(seriesId, correctedVersion)!
    const model = this.row(seriesId, modelVersion)
    const stored = await this.store(seriesId, await this.labels(seriesId, correctedVersion))
    return this.add(
      seriesId,
      stored,
      model,
      { source: corrected.source, modelRef: null, trainingSlices: corrected.trainingSlices, revertedTo: correctedVersion },
      modelVersion
    )
  }

  /**
   * Registers a model's segmentation, as the compute process wrote it, as the newest version: the
   * file moves into masks/ as it is (the mask travels once, never decoded and re-encoded here).
   */
  addModelVersion(seriesId: number, written: WrittenLabels, modelRef: number | null): MaskVersion {
    const base = this.row(seriesId)
    const stored = { path: adoptFile(this.ctx.dataDir, MASK_FOLDER, written.file), checksum: written.checksum }
    return this.add(seriesId, stored, base, { source: 'model', modelRef, trainingSlices: [] }, base?.version ?? 0)
  }
}
