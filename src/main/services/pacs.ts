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
import { randomUUID } from 'node:crypto'
import type { DicomDict } from 'dcmjs'
import type { ImportResult, PacsPushResult, PacsServer, PacsStudy, Params } from '../../shared/api'
import type { SourceSeries } from '../dicomResults'
import { DicomWebClient, type DicomWebConnection, type RemoteStudy } from '../pacs'
import type { AnalysisService } from './analysis'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import { PacsPull, removeInterruptedFetches } from './pacsPull'
import { PacsPush } from './pacsPush'
import { connectionTarget, PacsServerSettings, type PacsTarget } from './pacsServers'
import type { ReportService } from './reports'
import type { StudyService } from './studies'

export type { PacsTarget } from './pacsServers'

/** The PACS as the rest of the workstation sees it: settings, search, pull and push in one place. */
export class PacsService {
  private readonly settings: PacsServerSettings
  private readonly puller: PacsPull
  private readonly pusher: PacsPush

  constructor(ctx: ServiceContext, studies: StudyService, masks: MaskService, reports: ReportService, analysis: AnalysisService) {
    removeInterruptedFetches(ctx.dataDir)
    this.settings = new PacsServerSettings(ctx)
    this.puller = new PacsPull(ctx, studies)
    this.pusher = new PacsPush(ctx, studies, masks, reports, analysis)
  }

  // ---- settings -------------------------------------------------------------------------------

  servers(): PacsServer[] {
    return this.settings.list()
  }

  saveServer(input: Params<'pacs.servers.save'>): PacsServer[] {
    return this.settings.save(input)
  }

  deleteServer(id: string): PacsServer[] {
    return this.settings.delete(id)
  }

  /** A configured server as a target. */
  target(serverId: string): PacsTarget {
    return this.settings.target(serverId)
  }

  /** A target given on the command line. */
  static target(connection: DicomWebConnection): PacsTarget {
    return connectionTarget(connection)
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

  // ---- pull and push -------------------------------------------------------------------------

  /**
   * Imports the study's CT series. Slices already fetched by an interrupted pull are not fetched
   * again; series already in the database are not fetched at all.
   */
  pull(target: PacsTarget, studyInstanceUid: string, taskId: string = randomUUID()): Promise<ImportResult> {
    return this.puller.pull(target, studyInstanceUid, taskId)
  }

  /** The source series of an imported series, as the result objects reference it. */
  sourceSeries(seriesId: number): SourceSeries {
    return this.pusher.sourceSeries(seriesId)
  }

  /** The SEG, SR and (when signed) PDF of the series' current analysis and report. */
  resultObjects(seriesId: number, options: { deidentified?: boolean } = {}): Promise<Array<{ kind: 'seg' | 'sr' | 'pdf'; dict: DicomDict }>> {
    return this.pusher.resultObjects(seriesId, options)
  }

  push(target: PacsTarget, seriesId: number, options: { deidentified?: boolean; taskId?: string } = {}): Promise<PacsPushResult> {
    return this.pusher.push(target, seriesId, options)
  }
}
