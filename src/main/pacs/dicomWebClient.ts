/**
 * A DICOMweb client: QIDO-RS search (studies, series, instances), WADO-RS retrieve of one
 * instance, STOW-RS store. Every exchange is bounded in time and size (http.ts) and every answer
 * is checked for its shape before it is used, so a broken PACS ends in a PacsError, not in a
 * half-read study.
 */
import { authorizationHeader, safeUrl, type PacsAuth } from './auth'
import {
  jsonItems,
  jsonNumber,
  jsonText,
  jsonTexts,
  parseDicomJsonArray,
  parseDicomJsonObject,
  TAGS,
  type DicomJsonDataset
} from './dicomJson'
import { PacsError } from './errors'
import { httpRequest, type HttpLimits } from './http'
import { buildMultipart, parseContentType, parseMultipart } from './multipart'

export interface DicomWebConnection {
  /** The DICOMweb root, e.g. https://pacs.example.org/dicom-web */
  url: string
  auth: PacsAuth
  /** Per request; defaults suit a hospital network. */
  timeoutMs?: number
  /** Largest answer accepted (a search, or one instance). */
  maxResponseBytes?: number
}

export interface RemoteStudy {
  studyInstanceUid: string
  patientName: string
  patientId: string
  /** ISO YYYY-MM-DD when the PACS gives a full date, else as given. */
  studyDate: string
  description: string
  accessionNumber: string
  modalities: string[]
  seriesCount: number | null
  instanceCount: number | null
}

export interface RemoteSeries {
  seriesInstanceUid: string
  modality: string
  description: string
  manufacturer: string
  seriesNumber: number | null
  instanceCount: number | null
}

export interface RemoteInstance {
  sopInstanceUid: string
  sopClassUid: string
  instanceNumber: number | null
}

export interface StoreOutcome {
  stored: string[]
  failed: Array<{ sopInstanceUid: string; reason: number | null }>
}

export const DEFAULT_TIMEOUT_MS = 60_000
/** A CT slice is well under 2 MB; a search of thousands of studies well under 64 MB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

const UID = /^[0-9]+(\.[0-9]+)*$/

function isoDate(da: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da)
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da
}

function requireUid(value: string, what: string): string {
  if (!UID.test(value) || value.length > 64)
    throw new PacsError(
      'malformed',
      `The PACS answered ${what} without a valid UID (${JSON.stringify(value.slice(0, 70))}).`
    )
  return value
}

export class DicomWebClient {
  private readonly root: string
  private readonly limits: HttpLimits

  constructor(private readonly connection: DicomWebConnection) {
    let parsed: URL
    try {
      parsed = new URL(connection.url)
    } catch {
      throw new PacsError(
        'unreachable',
        `${JSON.stringify(connection.url)} is not a URL; a DICOMweb root looks like https://pacs.example.org/dicom-web.`
      )
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new PacsError('unreachable', `A DICOMweb URL starts with http:// or https://, not ${parsed.protocol}.`)
    if (parsed.username || parsed.password)
      throw new PacsError('unreachable', 'Put the PACS user and password in their own fields, not in the URL.')
    this.root = connection.url.replace(/\/+$/, '')
    this.limits = {
      timeoutMs: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: connection.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    }
  }

  get where(): string {
    return safeUrl(this.root)
  }

  private async getJson(path: string, what: string): Promise<DicomJsonDataset[]> {
    const r = await httpRequest(
      {
        method: 'GET',
        url: this.root + path,
        headers: { accept: 'application/dicom+json', ...authorizationHeader(this.connection.auth) },
        what
      },
      this.limits
    )
    if (r.status === 204) return []
    const { mediaType } = parseContentType(r.contentType)
    if (mediaType !== 'application/dicom+json' && mediaType !== 'application/json') {
      throw new PacsError(
        'malformed',
        `The PACS answered ${what} with ${mediaType || 'no content type'}, not DICOM JSON (${this.where}).`
      )
    }
    return parseDicomJsonArray(r.body, what)
  }

  /** QIDO-RS /studies. `patient` matches the patient's name or ID (wildcards allowed). */
  async searchStudies(query: { patient?: string; modality?: string; limit?: number } = {}): Promise<RemoteStudy[]> {
    const params = new URLSearchParams()
    for (const tag of ['00100010', '00100020', '00080020', '00081030', '00080061', '00201206', '00201208', '00080050'])
      params.append('includefield', tag)
    if (query.modality) params.set('ModalitiesInStudy', query.modality)
    if (query.limit) params.set('limit', String(query.limit))
    const patient = query.patient?.trim()
    let found: DicomJsonDataset[]
    if (patient) {
      // QIDO matches one attribute at a time: ask by name and by ID, and merge.
      const pattern = /[*?]/.test(patient) ? patient : `*${patient}*`
      const byName = new URLSearchParams(params)
      byName.set('PatientName', pattern)
      const byId = new URLSearchParams(params)
      byId.set('PatientID', pattern)
      const [a, b] = await Promise.all([
        this.getJson(`/studies?${byName}`, 'the study search'),
        this.getJson(`/studies?${byId}`, 'the study search')
      ])
      const seen = new Set<string>()
      found = [...a, ...b].filter((s) => {
        const uid = jsonText(s, TAGS.StudyInstanceUID)
        if (seen.has(uid)) return false
        seen.add(uid)
        return true
      })
    } else found = await this.getJson(`/studies?${params}`, 'the study search')
    return found.map((s) => ({
      studyInstanceUid: requireUid(jsonText(s, TAGS.StudyInstanceUID), 'a study'),
      patientName: jsonText(s, TAGS.PatientName),
      patientId: jsonText(s, TAGS.PatientID),
      studyDate: isoDate(jsonText(s, TAGS.StudyDate)),
      description: jsonText(s, TAGS.StudyDescription),
      accessionNumber: jsonText(s, TAGS.AccessionNumber),
      modalities: jsonTexts(s, TAGS.ModalitiesInStudy),
      seriesCount: jsonNumber(s, TAGS.NumberOfStudyRelatedSeries) ?? null,
      instanceCount: jsonNumber(s, TAGS.NumberOfStudyRelatedInstances) ?? null
    }))
  }

  async searchSeries(studyUid: string): Promise<RemoteSeries[]> {
    const params = new URLSearchParams()
    for (const tag of ['00080060', '0008103E', '00080070', '00200011', '00201209']) params.append('includefield', tag)
    const found = await this.getJson(
      `/studies/${requireUid(studyUid, 'a study')}/series?${params}`,
      'the series search'
    )
    return found.map((s) => ({
      seriesInstanceUid: requireUid(jsonText(s, TAGS.SeriesInstanceUID), 'a series'),
      modality: jsonText(s, TAGS.Modality),
      description: jsonText(s, TAGS.SeriesDescription),
      manufacturer: jsonText(s, TAGS.Manufacturer),
      seriesNumber: jsonNumber(s, TAGS.SeriesNumber) ?? null,
      instanceCount: jsonNumber(s, TAGS.NumberOfSeriesRelatedInstances) ?? null
    }))
  }

  async searchInstances(studyUid: string, seriesUid: string): Promise<RemoteInstance[]> {
    const found = await this.getJson(
      `/studies/${requireUid(studyUid, 'a study')}/series/${requireUid(seriesUid, 'a series')}/instances?includefield=00200013`,
      'the instance search'
    )
    return found.map((s) => ({
      sopInstanceUid: requireUid(jsonText(s, TAGS.SOPInstanceUID), 'an instance'),
      sopClassUid: jsonText(s, TAGS.SOPClassUID),
      instanceNumber: jsonNumber(s, TAGS.InstanceNumber) ?? null
    }))
  }

  /**
   * WADO-RS of one instance as Part 10 bytes, in whatever transfer syntax the PACS holds it
   * (Pulmo decodes the compressed ones), checked to be exactly one DICOM part.
   */
  async retrieveInstance(studyUid: string, seriesUid: string, sopInstanceUid: string): Promise<Uint8Array> {
    const path = `/studies/${requireUid(studyUid, 'a study')}/series/${requireUid(seriesUid, 'a series')}/instances/${requireUid(sopInstanceUid, 'an instance')}`
    const what = `the retrieval of instance ${sopInstanceUid}`
    const r = await httpRequest(
      {
        method: 'GET',
        url: this.root + path,
        headers: {
          accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
          ...authorizationHeader(this.connection.auth)
        },
        what
      },
      this.limits
    )
    const { mediaType, params } = parseContentType(r.contentType)
    if (mediaType !== 'multipart/related')
      throw new PacsError(
        'malformed',
        `The PACS answered ${what} with ${mediaType || 'no content type'}, not multipart/related DICOM (${this.where}).`
      )
    const parts = parseMultipart(r.body, params.boundary ?? '')
    if (parts.length !== 1)
      throw new PacsError(
        'malformed',
        `The PACS answered ${what} with ${parts.length} parts instead of one (${this.where}).`
      )
    const partType = parseContentType(parts[0].headers['content-type'] ?? params.type ?? null).mediaType
    if (partType && partType !== 'application/dicom')
      throw new PacsError(
        'malformed',
        `The PACS answered ${what} with a ${partType} part, not application/dicom (${this.where}).`
      )
    const bytes = parts[0].body
    if (
      bytes.length < 132 ||
      bytes[128] !== 0x44 ||
      bytes[129] !== 0x49 ||
      bytes[130] !== 0x43 ||
      bytes[131] !== 0x4d
    ) {
      throw new PacsError(
        'malformed',
        `The PACS answered ${what} with something that is not a DICOM file (${this.where}).`
      )
    }
    return bytes
  }

  /** STOW-RS of Part 10 objects into `studyUid`; says which were stored and which refused. */
  async store(studyUid: string, objects: Array<{ sopInstanceUid: string; bytes: Uint8Array }>): Promise<StoreOutcome> {
    const { body, contentType } = buildMultipart(objects.map((o) => o.bytes))
    const what = `storing ${objects.length} object${objects.length === 1 ? '' : 's'}`
    const r = await httpRequest(
      {
        method: 'POST',
        url: `${this.root}/studies/${requireUid(studyUid, 'a study')}`,
        headers: {
          'content-type': contentType,
          accept: 'application/dicom+json',
          ...authorizationHeader(this.connection.auth)
        },
        body,
        what
      },
      this.limits
    )
    const answer = r.body.length ? parseDicomJsonObject(r.body, what) : {}
    const stored = jsonItems(answer, TAGS.ReferencedSOPSequence).map((i) => jsonText(i, TAGS.ReferencedSOPInstanceUID))
    const failed = jsonItems(answer, TAGS.FailedSOPSequence).map((i) => ({
      sopInstanceUid: jsonText(i, TAGS.ReferencedSOPInstanceUID),
      reason: jsonNumber(i, TAGS.FailureReason) ?? null
    }))
    if (r.status === 409 && failed.length === 0)
      throw new PacsError('refused', `The PACS refused ${what} (409) without saying why (${this.where}).`, 409)
    // Some servers answer 200 with no body: then every object counts as stored only if none failed.
    if (stored.length === 0 && failed.length === 0 && r.status >= 200 && r.status < 300)
      return { stored: objects.map((o) => o.sopInstanceUid), failed }
    return { stored, failed }
  }
}
