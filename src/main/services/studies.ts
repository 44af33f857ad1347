import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { ApiError, type ExportFormat, type ImportResult, type Result, type SeriesSummary, type StudySummary } from '../../shared/api'
import { modalityRefusal } from '../analysis/chestCtCheck'
import type { SeriesRow } from '../db'
import { DEIDENTIFICATION_METHOD, deidentifyDicom, deidentifySeriesMetadata, pseudonymOfSeries } from '../privacy'
import { buildCtSeries, checksum as voxelChecksum, readVolumes, writeDicomFolder, writeNifti, writeVolume } from '../volume'
import { valueRange, type Volume } from '../volume/volume'
import type { ServiceContext } from './context'
import { pseudonymKeys, storedSeriesMetadata } from './privacy'
import { syncFile, syncFolder } from './storedFiles'

/** Voxel files live here, named by a hash of the series UID, so paths never carry patient data. */
export const seriesFolder = (dataDir: string): string => join(dataDir, 'series')

/** A stable UID for images that carry none (JPEG/PNG slices), so importing them twice finds them. */
function derivedUid(checksum: string, salt: string): string {
  return '2.25.' + BigInt('0x' + createHash('sha256').update(salt + checksum).digest('hex').slice(0, 30)).toString()
}

/** How a refusal names what was imported: the series description, else the path given. */
function importedName(volume: Volume, paths: string[]): string {
  const description = volume.metadata?.seriesDescription
  if (description) return `series "${description}"`
  return paths.length === 1 ? basename(paths[0]) : 'an image'
}

function toSeriesSummary(s: SeriesRow): SeriesSummary {
  return {
    id: s.id,
    studyId: s.studyRef,
    seriesInstanceUid: s.seriesInstanceUid,
    description: s.description,
    modality: s.modality,
    unit: s.unit,
    rows: s.rows,
    columns: s.columns,
    slices: s.slices,
    spacing: s.spacing,
    importedAt: s.importedAt
  }
}

interface PendingSeries {
  volume: Volume
  uid: string
  studyUid: string
  checksum: string
  finalPath: string
  tmpPath: string
}

export class StudyService {
  constructor(private readonly ctx: ServiceContext) {
    mkdirSync(seriesFolder(ctx.dataDir), { recursive: true })
    this.removeOrphans()
  }

  /**
   * A crash between writing a voxel file and committing its row leaves a file nobody references;
   * such files and interrupted temporary writes are removed at start.
   */
  private removeOrphans(): void {
    const folder = seriesFolder(this.ctx.dataDir)
    const known = new Set(this.ctx.store.studies.allSeriesPaths())
    for (const name of readdirSync(folder)) {
      if (!known.has(join('series', name))) rmSync(join(folder, name), { force: true })
    }
  }

  list(query?: string): StudySummary[] {
    const { studies, masks, reports } = this.ctx.store
    return studies.studies(query).map((s) => {
      const series = studies.seriesOfStudy(s.id)
      const versions = series.flatMap((x) => masks.versions(x.id))
      const maskSources = versions.map((m) => m.source)
      return {
        id: s.id,
        patientName: s.patientName,
        patientId: s.patientId,
        studyInstanceUid: s.studyInstanceUid,
        studyDate: s.studyDate,
        description: s.description,
        status: {
          analysed: maskSources.includes('model'),
          // a person's correction, not a revert to the model's labels
          corrected: versions.some((m) => m.source === 'annotator' && m.trainingSlices.length > 0),
          // a signed report stays a record when an amendment is drafted after it
          reported: series.some((x) => reports.forSeries(x.id).some((r) => r.signedAt !== null))
        },
        series: series.map(toSeriesSummary)
      }
    })
  }

  /**
   * Reads every path first; only when all of them are valid are voxel files written and rows
   * inserted, in one transaction, so a bad file leaves the database and the data folder unchanged.
   * A series that can never be scored (a colour photograph, a secondary capture, another modality)
   * is refused here with the reason, before anything is stored; the anatomy of grey-level slices
   * and CT (lungs in a chest) is checked at Analyze, where the lung segmentation runs anyway.
   */
  async import(paths: string[], taskId: string = randomUUID()): Promise<ImportResult> {
    const { store, dataDir } = this.ctx
    const emit = (label: string, done: number, total: number): void =>
      this.ctx.emit({ type: 'progress', taskId, label, done, total })
    emit('Reading images', 0, 1)
    const volumes = await readVolumes(paths)
    emit('Reading images', 1, 1)
    for (const volume of volumes) {
      const refusal = modalityRefusal(volume.modality, volume.unit)
      if (refusal) throw new ApiError('bad-input', `Not imported: ${importedName(volume, paths)} is not a chest CT: ${refusal}`)
    }

    const existing: number[] = []
    const pending: PendingSeries[] = []
    for (const volume of volumes) {
      const checksum = voxelChecksum(volume)
      const uid = volume.metadata?.seriesInstanceUid || derivedUid(checksum, 'series')
      const studyUid = volume.metadata?.studyInstanceUid || derivedUid(checksum, 'study')
      const found = store.studies.seriesByUid(uid) ?? pending.find((p) => p.uid === uid)
      if (found) {
        if ('id' in found) {
          existing.push(found.id)
          // A series imported before Pulmo kept its source instances gets them from the new import.
          const m = volume.metadata
          if (m?.instances?.length === found.slices && !store.seriesSources.get(found.id)) {
            store.seriesSources.set(found.id, { frameOfReferenceUid: m.frameOfReferenceUid ?? null, instances: m.instances })
          }
        }
        continue
      }
      const name = createHash('sha256').update(uid).digest('hex').slice(0, 24) + '.nii.gz'
      pending.push({
        volume,
        uid,
        studyUid,
        checksum,
        finalPath: join('series', name),
        tmpPath: join(seriesFolder(dataDir), `.tmp-${randomUUID()}.nii.gz`)
      })
    }

    const written: string[] = []
    try {
      for (const [i, p] of pending.entries()) {
        emit('Storing series', i, pending.length)
        written.push(p.tmpPath)
        await writeVolume(p.tmpPath, p.volume)
        syncFile(p.tmpPath)
      }
      for (const p of pending) {
        renameSync(p.tmpPath, join(dataDir, p.finalPath))
        written.push(join(dataDir, p.finalPath))
      }
      syncFolder(seriesFolder(dataDir))
      const created = store.transaction(() => pending.map((p) => this.insert(p)))
      emit('Storing series', pending.length, pending.length)
      for (const id of created) store.audit.record(this.ctx.userName(), 'import', 'series', id, {})
      const studyIds = new Set<number>()
      for (const id of [...created, ...existing]) studyIds.add(store.studies.series(id)!.studyRef)
      const studies = this.list().filter((s) => studyIds.has(s.id))
      if (created.length) this.ctx.emit({ type: 'studies-changed' })
      return { studies, created, existing }
    } catch (e) {
      for (const f of written) rmSync(f, { force: true })
      throw e
    }
  }

  private insert(p: PendingSeries): number {
    const { studies } = this.ctx.store
    const m = p.volume.metadata
    const patientRef = studies.findOrCreatePatient({
      patientId: m?.patientId ?? '',
      name: m?.patientName ?? '',
      birthDate: m?.patientBirthDate ?? null,
      sex: m?.patientSex ?? null
    })
    const studyRef = studies.findOrCreateStudy({
      patientRef,
      studyInstanceUid: p.studyUid,
      studyDate: m?.studyDate ?? '',
      description: m?.studyDescription ?? '',
      accessionNumber: m?.accessionNumber ?? ''
    })
    const [min, max] = valueRange(p.volume.data)
    const [columns, rows, slices] = p.volume.dimensions
    const seriesId = studies.insertSeries({
      studyRef,
      seriesInstanceUid: p.uid,
      seriesNumber: m?.seriesNumber ?? null,
      description: m?.seriesDescription ?? '',
      modality: p.volume.modality,
      unit: p.volume.unit === 'HU' ? 'HU' : 'grey',
      columns,
      rows,
      slices,
      spacing: p.volume.spacing,
      origin: p.volume.origin,
      direction: p.volume.direction,
      valueMin: min,
      valueMax: max,
      voxelPath: p.finalPath,
      checksum: p.checksum,
      instanceNumbers: p.volume.instanceNumbers ?? null
    })
    if (m?.instances?.length === slices) {
      this.ctx.store.seriesSources.set(seriesId, { frameOfReferenceUid: m.frameOfReferenceUid ?? null, instances: m.instances })
    }
    return seriesId
  }

  delete(studyId: number): boolean {
    const { store, dataDir } = this.ctx
    const files = store.studies.seriesOfStudy(studyId).map((s) => join(dataDir, s.voxelPath))
    const deleted = store.transaction(() => store.studies.deleteStudy(studyId))
    if (deleted) {
      for (const f of files) rmSync(f, { force: true })
      store.audit.record(this.ctx.userName(), 'delete', 'study', studyId)
      this.ctx.emit({ type: 'studies-changed' })
    }
    return deleted
  }

  seriesRow(seriesId: number): SeriesRow {
    const s = this.ctx.store.studies.series(seriesId)
    if (!s) throw new ApiError('not-found', `There is no series ${seriesId}.`)
    return s
  }

  header(seriesId: number): Result<'series.header'> {
    const s = this.seriesRow(seriesId)
    return {
      seriesId,
      dimensions: [s.columns, s.rows, s.slices],
      spacing: s.spacing,
      origin: s.origin,
      direction: s.direction,
      unit: s.unit,
      valueRange: [s.valueMin, s.valueMax],
      voxelType: s.unit === 'HU' ? 'int16' : 'uint8',
      instanceNumbers: s.instanceNumbers
    }
  }

  private cache: { seriesId: number; volume: Volume } | undefined

  /**
   * The series' voxel grid and what its label volumes are written with, from its row (the values its
   * voxel file was written with at import): a mask is stored and scored without reading the CT.
   */
  geometry(seriesId: number): Omit<Volume, 'data' | 'metadata' | 'instanceNumbers'> {
    const s = this.seriesRow(seriesId)
    return { dimensions: [s.columns, s.rows, s.slices], spacing: s.spacing, origin: s.origin, direction: s.direction, modality: s.modality, unit: s.unit }
  }

  /** The stored volume, checked against its checksum; the last one read is kept for scrolling clients. */
  async volume(seriesId: number): Promise<Volume> {
    if (this.cache?.seriesId === seriesId) return this.cache.volume
    const s = this.seriesRow(seriesId)
    const file = join(this.ctx.dataDir, s.voxelPath)
    if (!existsSync(file)) throw new ApiError('not-found', `The voxel file of series ${seriesId} is missing (${file}).`)
    const [volume] = await readVolumes([file])
    if (voxelChecksum(volume) !== s.checksum) {
      throw new ApiError('internal', `The voxel file of series ${seriesId} does not match its checksum (${file}).`)
    }
    volume.modality = s.modality
    volume.unit = s.unit
    // The voxel file keeps geometry, not DICOM numbering: key images and captions need it from the row.
    if (s.instanceNumbers) volume.instanceNumbers = s.instanceNumbers
    this.cache = { seriesId, volume }
    return volume
  }

  async voxels(seriesId: number): Promise<Uint8Array<ArrayBuffer>> {
    const v = await this.volume(seriesId)
    const data = v.unit === 'HU' && !(v.data instanceof Int16Array) ? Int16Array.from(v.data) : v.data
    this.ctx.store.audit.record(this.ctx.userName(), 'view', 'series', seriesId)
    return new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength)
  }

  /**
   * Writes a series for sharing: NIfTI (.nii, .nii.gz) or a folder of DICOM CT files. De-identified
   * unless `identified` is asked for explicitly; the identity travels in the NIfTI identity
   * extension or the DICOM header, as pseudonym and shifted dates when de-identified.
   */
  async export(seriesId: number, path: string, options: { format?: ExportFormat; identified?: boolean } = {}): Promise<Result<'series.export'>> {
    const row = this.seriesRow(seriesId)
    const v = await this.volume(seriesId)
    const format = options.format ?? (/\.nii(\.gz)?$/i.test(path) ? 'nifti' : 'dicom')
    const deidentified = options.identified !== true
    const keys = pseudonymKeys(this.ctx.store)
    const identity = storedSeriesMetadata(this.ctx.store, row)
    const shared = deidentified ? deidentifySeriesMetadata(identity, keys) : identity
    let files = 1
    if (format === 'nifti') {
      const ext = path.endsWith('.nii.gz') ? '.nii.gz' : path.endsWith('.nii') ? '.nii' : ''
      if (!ext) throw new ApiError('bad-input', `NIfTI export needs a .nii or .nii.gz file name, not ${path}.`)
      // Write beside the target then rename, so an interrupted export never leaves a truncated file.
      const tmp = `${path}.partial-${randomUUID().slice(0, 8)}${ext}`
      await writeNifti(tmp, v, { identity: { ...shared, deidentified, ...(deidentified ? { method: DEIDENTIFICATION_METHOD } : {}) } })
      renameSync(tmp, path)
    } else {
      if (v.unit !== 'HU') throw new ApiError('bad-input', `Series ${seriesId} holds ${v.unit} values, not Hounsfield units; export it as NIfTI.`)
      if (existsSync(path)) throw new ApiError('conflict', `${path} already exists; DICOM export writes a new folder.`)
      const objects = buildCtSeries(v, identity)
      const patient = pseudonymOfSeries(identity, keys)
      const written = await writeDicomFolder(path, deidentified ? objects.map((o) => deidentifyDicom(o, keys, patient)) : objects)
      files = written.length
    }
    this.ctx.store.audit.record(this.ctx.userName(), 'export', 'series', seriesId, {
      format,
      deidentified,
      path,
      files,
      ...(deidentified ? { pseudonym: shared.patientId } : {})
    })
    return { path, format, deidentified, files }
  }
}
