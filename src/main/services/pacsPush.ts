/**
 * Pushing a series' results (DICOM SEG, SR and the signed PDF as Encapsulated PDF) back into its
 * source study. Each object's UIDs derive from what it says; the PACS is asked which are there
 * already and only the others are stored, so pushing twice stores nothing twice.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import dcmjs from 'dcmjs'
import type { DicomDict } from 'dcmjs'
import { ApiError, type PacsPushResult } from '../../shared/api'
import { DicomWebClient, PacsError } from '../pacs'
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
import type { AnalysisService } from './analysis'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import type { PacsTarget } from './pacsServers'
import { pseudonymKeys, storedSeriesMetadata } from './privacy'
import type { ReportService } from './reports'
import type { StudyService } from './studies'

export class PacsPush {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly masks: MaskService,
    private readonly reports: ReportService,
    private readonly analysis: AnalysisService
  ) {}

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
    const lobes = await this.analysis.lobes(seriesId)
    const model = `${report.model.name} ${report.model.version}`
    const seg = buildSegmentation({
      source,
      lungs,
      lobes,
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
