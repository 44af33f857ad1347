/**
 * Hospital integration: PACS servers in the settings, study search, pulling a study's CT series
 * into the local database, and pushing a series' results (DICOM SEG, SR and the signed PDF as
 * Encapsulated PDF) back into the source study.
 *
 * Pulling fetches one instance at a time into a cache folder (validated, temporary name, renamed),
 * so an interrupted pull resumes where it stopped; only when every slice is there does the
 * ordinary import run, which commits all or nothing. Pushing derives each object's UIDs from what
 * it says, asks the PACS which are there already and stores the others, so pushing twice stores
 * nothing twice. Passwords and tokens stay in this workstation's database: the API, the audit log,
 * progress and error messages never carry them.
 */
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dcmjs from 'dcmjs'
import {
  ApiError,
  type ImportResult,
  type PacsPushResult,
  type PacsServer,
  type PacsStudy,
  type Params
} from '../../shared/api'
import { DicomWebClient, PacsError, safeUrl, type DicomWebConnection, type PacsAuth, type RemoteStudy } from '../pacs'
import {
  buildEncapsulatedPdf,
  buildSegmentation,
  buildStructuredReport,
  derivedUid,
  restoreResultAttributes,
  SEGMENTATION_STORAGE,
  toBytes,
  type SourceSeries
} from '../dicomResults'
import { deidentifyDicom, pseudonymOfSeries } from '../privacy'
import type { DicomDict } from 'dcmjs'
import type { AnalysisService } from './analysis'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import { pseudonymKeys, storedSeriesMetadata } from './privacy'
import type { ReportService } from './reports'
import type { StudyService } from './studies'

const SERVERS_KEY = 'pacs-servers'
/** Pulled instances wait here until their series is complete and imported. */
export const PULL_CACHE = 'pacs-cache'
const FETCH_CONCURRENCY = 4

interface StoredServer {
  id: string
  name: string
  url: string
  authKind: 'none' | 'basic' | 'bearer'
  user: string
  secret: string
}

export interface PacsTarget {
  connection: DicomWebConnection
  /** For audit and messages: the URL without credentials or query. */
  label: string
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 24)

function authOf(s: Pick<StoredServer, 'authKind' | 'user' | 'secret'>): PacsAuth {
  if (s.authKind === 'basic') return { kind: 'basic', user: s.user, password: s.secret }
  if (s.authKind === 'bearer') return { kind: 'bearer', token: s.secret }
  return { kind: 'none' }
}

/** The instance UIDs a Part 10 header names, without decoding pixels. */
function headerUids(bytes: Uint8Array): { sop: string; series: string; study: string } {
  const exact = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const message = dcmjs.data.DicomMessage.readFile(exact, { untilTag: '7FE00010', includeUntilTagValue: false })
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
  const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')
  return { sop: str(ds.SOPInstanceUID), series: str(ds.SeriesInstanceUID), study: str(ds.StudyInstanceUID) }
}

export class PacsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly masks: MaskService,
    private readonly reports: ReportService,
    private readonly analysis: AnalysisService
  ) {
    // Temporary files of an interrupted fetch; complete instances stay for the resumed pull.
    const cache = join(ctx.dataDir, PULL_CACHE)
    if (existsSync(cache)) {
      for (const study of readdirSync(cache)) {
        for (const series of readdirSync(join(cache, study))) {
          const dir = join(cache, study, series)
          for (const f of readdirSync(dir)) if (f.startsWith('.tmp-')) rmSync(join(dir, f), { force: true })
        }
      }
    }
  }

  // ---- settings -------------------------------------------------------------------------------

  private stored(): StoredServer[] {
    return this.ctx.store.settings.get<StoredServer[]>(SERVERS_KEY) ?? []
  }

  servers(): PacsServer[] {
    return this.stored().map((s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      authKind: s.authKind,
      user: s.user,
      secretSet: s.secret !== ''
    }))
  }

  saveServer(input: Params<'pacs.servers.save'>): PacsServer[] {
    const authKind = input.authKind ?? 'none'
    // Checks the URL (scheme, no credentials in it) before anything is stored.
    new DicomWebClient({ url: input.url, auth: { kind: 'none' } })
    const all = this.stored()
    const existing = input.id ? all.find((s) => s.id === input.id) : undefined
    if (input.id && !existing) throw new ApiError('not-found', `There is no PACS ${input.id}.`)
    const secret = input.secret ?? (existing && existing.authKind === authKind ? existing.secret : '')
    if (authKind === 'basic' && !input.user) throw new ApiError('validation', 'Basic authentication needs a user name.')
    if (authKind !== 'none' && !secret)
      throw new ApiError(
        'validation',
        authKind === 'basic' ? 'Basic authentication needs a password.' : 'Bearer authentication needs a token.'
      )
    const server: StoredServer = {
      id: existing?.id ?? randomUUID(),
      name: input.name,
      url: input.url.trim(),
      authKind: authKind,
      user: authKind === 'basic' ? (input.user ?? '') : '',
      secret: authKind === 'none' ? '' : secret
    }
    this.ctx.store.settings.set(
      SERVERS_KEY,
      existing ? all.map((s) => (s.id === server.id ? server : s)) : [...all, server]
    )
    this.ctx.store.audit.record(this.ctx.userName(), existing ? 'edit' : 'create', 'pacs', null, {
      name: server.name,
      url: safeUrl(server.url),
      auth: server.authKind
    })
    return this.servers()
  }

  deleteServer(id: string): PacsServer[] {
    const all = this.stored()
    const gone = all.find((s) => s.id === id)
    if (!gone) throw new ApiError('not-found', `There is no PACS ${id}.`)
    this.ctx.store.settings.set(
      SERVERS_KEY,
      all.filter((s) => s.id !== id)
    )
    this.ctx.store.audit.record(this.ctx.userName(), 'delete', 'pacs', null, {
      name: gone.name,
      url: safeUrl(gone.url)
    })
    return this.servers()
  }

  /** A configured server as a target. */
  target(serverId: string): PacsTarget {
    const s = this.stored().find((x) => x.id === serverId)
    if (!s) throw new ApiError('not-found', `There is no PACS ${serverId} in the settings.`)
    return { connection: { url: s.url, auth: authOf(s) }, label: safeUrl(s.url) }
  }

  /** A target given on the command line. */
  static target(connection: DicomWebConnection): PacsTarget {
    return { connection, label: safeUrl(connection.url) }
  }

  // ---- search ---------------------------------------------------------------------------------

  async search(target: PacsTarget, query: { patient?: string; modality?: string } = {}): Promise<PacsStudy[]> {
    const client = new DicomWebClient(target.connection)
    const found = await client.searchStudies(query)
    return found.map((s) => ({
      studyInstanceUid: s.studyInstanceUid,
      patientName: s.patientName,
      patientId: s.patientId,
      studyDate: s.studyDate,
      description: s.description,
      modalities: s.modalities,
      seriesCount: s.seriesCount
    }))
  }

  /** The search as the PACS answers it, with instance counts (the watcher waits for a study to stop growing). */
  async searchRemote(target: PacsTarget, query: { patient?: string; modality?: string } = {}): Promise<RemoteStudy[]> {
    return new DicomWebClient(target.connection).searchStudies(query)
  }

  /** Whether the study already holds a Pulmo segmentation (what the watcher looks for). */
  async hasPulmoResult(target: PacsTarget, studyInstanceUid: string): Promise<boolean> {
    const series = await new DicomWebClient(target.connection).searchSeries(studyInstanceUid)
    return series.some((s) => s.modality === 'SEG' && (s.manufacturer === 'Pulmo' || s.description.startsWith('Pulmo')))
  }

  // ---- pull -----------------------------------------------------------------------------------

  /**
   * Imports the study's CT series. Slices already fetched by an interrupted pull are not fetched
   * again; series already in the database are not fetched at all.
   */
  async pull(target: PacsTarget, studyInstanceUid: string, taskId: string = randomUUID()): Promise<ImportResult> {
    const client = new DicomWebClient(target.connection)
    const emit = (label: string, done: number, total: number): void =>
      this.ctx.emit({ type: 'progress', taskId, label, done, total })
    emit('Asking the PACS for the study', 0, 1)
    const series = (await client.searchSeries(studyInstanceUid)).filter((s) => s.modality === 'CT')
    if (series.length === 0)
      throw new ApiError('not-found', `Study ${studyInstanceUid} on ${target.label} holds no CT series.`)
    const existing = series
      .map((s) => this.ctx.store.studies.seriesByUid(s.seriesInstanceUid))
      .filter((s) => s !== undefined)
    const missing = series.filter((s) => !this.ctx.store.studies.seriesByUid(s.seriesInstanceUid))
    const plans: Array<{ seriesUid: string; dir: string; instances: string[] }> = []
    for (const s of missing) {
      const instances = await client.searchInstances(studyInstanceUid, s.seriesInstanceUid)
      if (instances.length === 0) continue
      const dir = join(this.ctx.dataDir, PULL_CACHE, hash(studyInstanceUid), hash(s.seriesInstanceUid))
      plans.push({ seriesUid: s.seriesInstanceUid, dir, instances: instances.map((i) => i.sopInstanceUid) })
    }
    const total = plans.reduce((n, p) => n + p.instances.length, 0)
    let done = 0
    for (const plan of plans) {
      mkdirSync(plan.dir, { recursive: true })
      const have = new Set(
        readdirSync(plan.dir)
          .filter((f) => f.endsWith('.dcm'))
          .map((f) => f.slice(0, -4))
      )
      done += plan.instances.filter((uid) => have.has(uid)).length
      emit('Fetching slices', done, total)
      const queue = plan.instances.filter((uid) => !have.has(uid))
      const worker = async (): Promise<void> => {
        for (let uid = queue.shift(); uid !== undefined; uid = queue.shift()) {
          const bytes = await client.retrieveInstance(studyInstanceUid, plan.seriesUid, uid)
          let header: ReturnType<typeof headerUids>
          try {
            header = headerUids(bytes)
          } catch (e) {
            throw new PacsError(
              'malformed',
              `The PACS sent instance ${uid} as a DICOM file that cannot be read: ${e instanceof Error ? e.message : String(e)}.`
            )
          }
          if (header.sop !== uid || header.series !== plan.seriesUid) {
            throw new PacsError(
              'malformed',
              `The PACS sent another instance (${header.sop || 'no UID'}) when asked for ${uid}.`
            )
          }
          const tmp = join(plan.dir, `.tmp-${randomUUID()}`)
          writeFileSync(tmp, bytes)
          renameSync(tmp, join(plan.dir, `${uid}.dcm`))
          done++
          emit('Fetching slices', done, total)
        }
      }
      await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, queue.length) }, worker))
    }
    let result: ImportResult
    if (plans.length > 0) {
      result = await this.studies.import(
        plans.map((p) => p.dir),
        taskId
      )
      for (const p of plans) rmSync(p.dir, { recursive: true, force: true })
      rmSync(join(this.ctx.dataDir, PULL_CACHE, hash(studyInstanceUid)), { recursive: true, force: true })
    } else {
      const studyIds = new Set(existing.map((s) => s.studyRef))
      result = { studies: this.studies.list().filter((s) => studyIds.has(s.id)), created: [], existing: [] }
    }
    result = { ...result, existing: [...new Set([...result.existing, ...existing.map((s) => s.id)])] }
    for (const id of result.created)
      this.ctx.store.audit.record(this.ctx.userName(), 'pull', 'series', id, {
        pacs: target.label,
        studyInstanceUid,
        slices: total
      })
    emit('Fetching slices', total, total)
    return result
  }

  // ---- push -----------------------------------------------------------------------------------

  /** The source series of an imported series, as the result objects reference it. */
  sourceSeries(seriesId: number): SourceSeries {
    const row = this.studies.seriesRow(seriesId)
    const source = this.ctx.store.seriesSources.get(seriesId)
    if (!source || source.instances.length !== row.slices) {
      throw new ApiError(
        'bad-input',
        `Series ${seriesId} was not imported from DICOM files with instance UIDs (or before Pulmo kept them), so results cannot reference its images; import it from DICOM again.`
      )
    }
    const identity = storedSeriesMetadata(this.ctx.store, row)
    return {
      patient: {
        name: identity.patientName,
        id: identity.patientId,
        birthDate: identity.patientBirthDate,
        sex: identity.patientSex
      },
      study: {
        studyInstanceUid: identity.studyInstanceUid,
        date: identity.studyDate,
        description: identity.studyDescription,
        accessionNumber: identity.accessionNumber
      },
      seriesInstanceUid: row.seriesInstanceUid,
      frameOfReferenceUid: source.frameOfReferenceUid,
      instances: source.instances,
      dimensions: [row.columns, row.rows, row.slices],
      spacing: row.spacing,
      direction: row.direction
    }
  }

  /** The SEG, SR and (when signed) PDF of the series' current analysis and report. */
  async resultObjects(
    seriesId: number,
    options: { deidentified?: boolean } = {}
  ): Promise<Array<{ kind: 'seg' | 'sr' | 'pdf'; dict: DicomDict }>> {
    const source = this.sourceSeries(seriesId)
    const reportRow = this.ctx.store.reports.latestForSeries(seriesId)
    if (!reportRow)
      throw new ApiError(
        'not-found',
        `Series ${seriesId} has not been analysed yet: analyse it before sending results.`
      )
    const report = this.reports.view(reportRow)
    const maskRows = this.ctx.store.masks.versions(seriesId)
    const mask = maskRows.find((m) => m.version === report.maskVersion) ?? maskRows.at(-1)
    if (!mask) throw new ApiError('not-found', `Series ${seriesId} has no mask to send.`)
    // The report's mask version is what its figures were measured on; a later correction is sent with its own report.
    const labels = await this.masks.labels(seriesId, mask.version)
    const lungs = await this.analysis.lungs(seriesId)
    const model = `${report.model.name} ${report.model.version}`
    const seg = buildSegmentation({
      source,
      lungs,
      labels,
      model,
      corrected: maskRows.some((m) => m.version <= mask.version && m.source === 'annotator'),
      createdAt: mask.createdAt,
      resultKey: `${source.seriesInstanceUid}|mask|${mask.version}|${mask.checksum}`
    })
    const segUid = String(dcmjs.data.DicomMetaDictionary.naturalizeDataset(seg.dict).SOPInstanceUID)
    const objects: Array<{ kind: 'seg' | 'sr' | 'pdf'; dict: DicomDict }> = []
    objects.push({
      kind: 'sr',
      dict: buildStructuredReport({
        source,
        report,
        segmentation: {
          sopInstanceUid: segUid,
          seriesInstanceUid: derivedUid(source.seriesInstanceUid, 'pulmo-seg-series'),
          sopClassUid: SEGMENTATION_STORAGE
        },
        resultKey: `${source.seriesInstanceUid}|report|${report.id}|${report.updatedAt}|${report.signedAt ?? ''}`
      })
    })
    if (reportRow.signedAt && reportRow.signedPdfPath) {
      const pdf = options.deidentified
        ? ((await this.reports.pdf(reportRow.id, undefined, { identified: false })) as Uint8Array)
        : new Uint8Array(readFileSync(join(this.ctx.dataDir, reportRow.signedPdfPath)))
      objects.push({
        kind: 'pdf',
        dict: buildEncapsulatedPdf({
          source,
          pdf,
          title: 'Pulmo CT severity report',
          signedAt: reportRow.signedAt,
          modelName: model,
          resultKey: `${source.seriesInstanceUid}|pdf|${report.id}|${reportRow.signedPdfSha256 ?? ''}|${options.deidentified ? 'deidentified' : 'identified'}`
        })
      })
    }
    // The SEG goes last: the watcher takes a Pulmo SEG in a study to mean its result is complete.
    objects.push({ kind: 'seg', dict: seg })
    if (!options.deidentified) return objects
    const keys = pseudonymKeys(this.ctx.store)
    const patient = pseudonymOfSeries(storedSeriesMetadata(this.ctx.store, this.studies.seriesRow(seriesId)), keys)
    return objects.map((o) => ({
      kind: o.kind,
      dict: restoreResultAttributes(o.dict, deidentifyDicom(o.dict, keys, patient))
    }))
  }

  async push(
    target: PacsTarget,
    seriesId: number,
    options: { deidentified?: boolean; taskId?: string } = {}
  ): Promise<PacsPushResult> {
    const taskId = options.taskId ?? randomUUID()
    const emit = (label: string, done: number, total: number): void =>
      this.ctx.emit({ type: 'progress', taskId, label, done, total })
    emit('Building the DICOM objects', 0, 1)
    const objects = (await this.resultObjects(seriesId, options)).map((o) => {
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(o.dict.dict)
      return {
        kind: o.kind,
        bytes: toBytes(o.dict),
        sop: String(ds.SOPInstanceUID),
        series: String(ds.SeriesInstanceUID),
        study: String(ds.StudyInstanceUID)
      }
    })
    const study = objects[0].study
    const client = new DicomWebClient(target.connection)
    const outcome: PacsPushResult['objects'] = []
    const present = new Map<string, Set<string>>()
    for (const [i, o] of objects.entries()) {
      emit('Sending to the PACS', i, objects.length)
      if (!present.has(o.series)) {
        const there = await client.searchInstances(study, o.series).catch((e: unknown) => {
          // A series the PACS does not know yet may answer 404 instead of an empty list.
          if (e instanceof PacsError && e.kind === 'not-found') return []
          throw e
        })
        present.set(o.series, new Set(there.map((x) => x.sopInstanceUid)))
      }
      if (present.get(o.series)!.has(o.sop)) {
        outcome.push({ kind: o.kind, sopInstanceUid: o.sop, status: 'already-there', message: 'already in the PACS' })
        continue
      }
      const stored = await client.store(study, [{ sopInstanceUid: o.sop, bytes: o.bytes }])
      const failure = stored.failed.find((f) => f.sopInstanceUid === o.sop || f.sopInstanceUid === '')
      outcome.push(
        failure
          ? {
              kind: o.kind,
              sopInstanceUid: o.sop,
              status: 'failed',
              message: `refused by the PACS${failure.reason === null ? '' : ` (reason 0x${failure.reason.toString(16)})`}`
            }
          : { kind: o.kind, sopInstanceUid: o.sop, status: 'stored', message: 'stored' }
      )
    }
    emit('Sending to the PACS', objects.length, objects.length)
    this.ctx.store.audit.record(this.ctx.userName(), 'send', 'series', seriesId, {
      pacs: target.label,
      deidentified: options.deidentified === true,
      objects: outcome.map((o) => `${o.kind} ${o.status}`)
    })
    const result = { studyInstanceUid: study, deidentified: options.deidentified === true, objects: outcome }
    const failed = outcome.filter((o) => o.status === 'failed')
    if (failed.length)
      throw new ApiError(
        'bad-input',
        `The PACS refused ${failed.map((f) => f.kind.toUpperCase()).join(', ')} (${target.label}).`
      )
    return result
  }
}
