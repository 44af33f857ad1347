/**
 * `pulmo pacs studies|pull|push|watch`: the DICOMweb commands. The PACS is named by --url (with
 * --user/--password or --token, or PULMO_PACS_PASSWORD / PULMO_PACS_TOKEN so the secret need not
 * be on the command line) or by --server, a PACS configured in the workstation's settings.
 */
import { parseArgs } from 'node:util'
import type { PacsStudy } from '../../shared/api'
import type { PacsAuth } from '../pacs'
import { PacsService, PulmoService, type PacsTarget } from '../services'
import type { CommandIo } from './research'
import { stopOnSignal } from './stopOnSignal'
import { envPacsSecrets } from '../env'

export const pacsUsage = `  pacs studies --url URL [--user U --password P | --token T] [--patient Q] [--json]
                                 search a PACS (DICOMweb) for studies
  pacs pull STUDY_UID --url URL …
                                 import the study's CT series (progress on stderr; resumable)
  pacs push SERIES_ID --url URL … [--deidentified]
                                 send the series' SEG, SR and (when signed) PDF into its study
  pacs watch --url URL … [--interval S] [--deidentified]
                                 analysis node: pull, analyse and push every CT study without a
                                 Pulmo result, one at a time, until Ctrl-C
                                 (instead of --url …: --server NAME, a PACS from the settings;
                                 --timeout S per request, default 60)
`

export class PacsUsageError extends Error {}

function targetOf(service: PulmoService, values: Record<string, string | boolean | undefined>): PacsTarget {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined)
  const timeout = str('timeout')
  const timeoutMs = timeout === undefined ? undefined : Number(timeout) * 1000
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new PacsUsageError(`--timeout must be a positive number of seconds, got ${timeout}`)
  const server = str('server')
  if (server) {
    const found = service.pacs.servers().find((s) => s.id === server || s.name === server)
    if (!found)
      throw new PacsUsageError(
        `No PACS named ${server} in the settings (${
          service.pacs
            .servers()
            .map((s) => s.name)
            .join(', ') || 'none configured'
        }).`
      )
    const t = service.pacs.target(found.id)
    return { ...t, connection: { ...t.connection, timeoutMs } }
  }
  const url = str('url')
  if (!url) throw new PacsUsageError('pulmo pacs needs --url URL (the DICOMweb root) or --server NAME')
  const user = str('user')
  const secrets = envPacsSecrets()
  const password = str('password') ?? secrets.password
  const token = str('token') ?? secrets.token
  let auth: PacsAuth = { kind: 'none' }
  if (user) {
    if (!password) throw new PacsUsageError('--user needs --password (or PULMO_PACS_PASSWORD)')
    auth = { kind: 'basic', user, password }
  } else if (token) auth = { kind: 'bearer', token }
  return PacsService.target({ url, auth, timeoutMs })
}

function formatStudies(studies: PacsStudy[]): string {
  if (studies.length === 0) return 'No studies found.'
  const rows = [['STUDY INSTANCE UID', 'PATIENT', 'PATIENT ID', 'DATE', 'DESCRIPTION', 'MODALITIES', 'SERIES']]
  for (const s of studies)
    rows.push([
      s.studyInstanceUid,
      s.patientName,
      s.patientId,
      s.studyDate,
      s.description,
      s.modalities.join(','),
      s.seriesCount === null ? '' : String(s.seriesCount)
    ])
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd()
    )
    .join('\n')
}

export async function pacsCommand(args: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      url: { type: 'string' },
      server: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      token: { type: 'string' },
      patient: { type: 'string' },
      json: { type: 'boolean', default: false },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      deidentified: { type: 'boolean', default: false }
    }
  })
  if (!['studies', 'pull', 'push', 'watch'].includes(sub ?? ''))
    throw new PacsUsageError(`pulmo pacs needs studies, pull, push or watch\n\n${pacsUsage}`)
  const service = new PulmoService({ dataDir: values['data-dir'], transport: 'websocket' })
  const progress = (e: { type: string; label?: string; done?: number; total?: number }): void => {
    if (e.type === 'progress' && !values.json) io.log(`${e.label} ${e.done}/${e.total}`)
  }
  try {
    const target = targetOf(service, values)
    if (sub === 'studies') {
      const studies = await service.pacs.search(target, { patient: values.patient })
      io.print(values.json ? JSON.stringify(studies, null, 2) : formatStudies(studies))
      return 0
    }
    if (sub === 'pull') {
      const uid = positionals[0]
      if (!uid) throw new PacsUsageError('pulmo pacs pull needs a STUDY_UID (see pulmo pacs studies)')
      service.onEvent(progress)
      const result = await service.pacs.pull(target, uid)
      if (values.json) io.print(JSON.stringify(result, null, 2))
      else
        io.print(
          `Created ${result.created.length} series, ${result.existing.length} already imported${result.created.length ? ` (series ${result.created.join(', ')})` : ''}.`
        )
      return 0
    }
    if (sub === 'push') {
      const seriesId = Number(positionals[0])
      if (!Number.isInteger(seriesId) || seriesId <= 0)
        throw new PacsUsageError('pulmo pacs push needs a SERIES_ID (see pulmo studies)')
      service.onEvent(progress)
      const result = await service.pacs.push(target, seriesId, { deidentified: values.deidentified })
      if (values.json) io.print(JSON.stringify(result, null, 2))
      else
        for (const o of result.objects)
          io.print(`${o.kind.toUpperCase().padEnd(3)} ${o.status.padEnd(13)} ${o.sopInstanceUid}`)
      return 0
    }
    const interval = values.interval === undefined ? 30 : Number(values.interval)
    if (!(interval > 0))
      throw new PacsUsageError(`--interval must be a positive number of seconds, got ${values.interval}`)
    const shouldStop = stopOnSignal(io, 'Stopping: the study under way is finished or cancelled, nothing half sent…')
    io.log(`Watching ${target.label} every ${interval} s (Ctrl-C stops).`)
    const { processed } = await service
      .pacsWatcher(target)
      .run({ intervalMs: interval * 1000, log: io.log, shouldStop, deidentified: values.deidentified })
    io.log(`Stopped; ${processed.length} ${processed.length === 1 ? 'study' : 'studies'} processed.`)
    return 0
  } finally {
    await service.shutdown()
  }
}
