/**
 * Pulling a study's CT series from a PACS. It fetches one instance at a time into a cache folder
 * (validated, temporary name, renamed), so an interrupted pull resumes where it stopped; only when
 * every slice is there does the ordinary import run, which commits all or nothing.
 */
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dcmjs from 'dcmjs'
import { ApiError, type ImportResult } from '../../shared/api'
import { DicomWebClient, PacsError } from '../pacs'
import type { ServiceContext } from './context'
import type { PacsTarget } from './pacsServers'
import type { StudyService } from './studies'

/** Pulled instances wait here until their series is complete and imported. */
export const PULL_CACHE = 'pacs-cache'
const FETCH_CONCURRENCY = 4

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 24)

/** The instance UIDs a Part 10 header names, without decoding pixels. */
function headerUids(bytes: Uint8Array): { sop: string; series: string; study: string } {
  const exact = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const message = dcmjs.data.DicomMessage.readFile(exact, { untilTag: '7FE00010', includeUntilTagValue: false })
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
  const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')
  return { sop: str(ds.SOPInstanceUID), series: str(ds.SeriesInstanceUID), study: str(ds.StudyInstanceUID) }
}

/** Removes the temporary files of an interrupted fetch; complete instances stay for the resumed pull. */
export function removeInterruptedFetches(dataDir: string): void {
  const cache = join(dataDir, PULL_CACHE)
  if (!existsSync(cache)) return
  for (const study of readdirSync(cache)) {
    for (const series of readdirSync(join(cache, study))) {
      const dir = join(cache, study, series)
      for (const f of readdirSync(dir)) if (f.startsWith('.tmp-')) rmSync(join(dir, f), { force: true })
    }
  }
}

export class PacsPull {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService
  ) {}

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
}
