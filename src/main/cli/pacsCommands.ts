/**
 * `pulmo pacs studies|pull|push|watch`: the DICOMweb commands. The PACS is named by --url (with
 * --user/--password or --token, or PULMO_PACS_PASSWORD / PULMO_PACS_TOKEN so the secret need not
 * be on the command line) or by --server, a PACS configured in the workstation's settings.
 */
import type { PacsStudy } from '../../shared/api'
import type { PacsAuth } from '../pacs'
import { PacsService, type PulmoService, type PacsTarget } from '../services'
import { openCliService } from './cliService'
import type { CommandIo } from './research'
import { stopOnSignal } from './stopOnSignal'
import { formatTable } from './tables'
import { envPacsSecrets, setEnvBackend } from '../env'
import { command, commandForms, commandUsage, parseCommand, type CommandSpec, type OptionTable, type OptionValues, UsageError } from './options'

const connection = {
  url: { type: 'string', value: 'URL', help: 'the DICOMweb root (https for TLS)' },
  server: { type: 'string', value: 'NAME', help: "instead of --url: a PACS from the workstation's settings" },
  user: { type: 'string', value: 'U', help: 'HTTP basic user (with --password or PULMO_PACS_PASSWORD)' },
  password: { type: 'string', value: 'P', help: 'HTTP basic password' },
  token: { type: 'string', value: 'T', help: 'bearer token (or PULMO_PACS_TOKEN)' },
  timeout: { type: 'string', value: 'S', help: 'seconds per request (default 60)' }
} as const
const json = { type: 'boolean', help: 'machine-readable output' } as const
const deidentified = { type: 'boolean', help: 'de-identify the results exactly like exports' } as const

/** Each `pulmo pacs` subcommand's option table. */
export const PACS_COMMANDS = {
  studies: command(
    'studies',
    [{ args: '--url URL [--user U --password P | --token T] [--patient Q] [--json]', does: 'search a PACS (DICOMweb) for studies' }],
    { ...connection, patient: { type: 'string', value: 'Q', help: "the patient's name or ID" }, json }
  ),
  pull: command('pull', [{ args: 'STUDY_UID --url URL …', does: "import the study's CT series (progress on stderr; resumable)" }], {
    ...connection,
    json
  }),
  push: command(
    'push',
    [{ args: 'SERIES_ID --url URL … [--deidentified]', does: "send the series' SEG, SR and (when signed) PDF into its study" }],
    { ...connection, deidentified, json }
  ),
  watch: command(
    'watch',
    [
      {
        args: '--url URL … [--interval S] [--deidentified]',
        does: 'analysis node: pull, analyse and push every CT study without a\nPulmo result, one at a time, until Ctrl-C\n(instead of --url …: --server NAME, a PACS from the settings;\n--timeout S per request, default 60)'
      }
    ],
    { ...connection, interval: { type: 'string', value: 'S', help: 'seconds between looks (default 30)' }, deidentified }
  )
}
type PacsSubcommand = keyof typeof PACS_COMMANDS
const isPacsSubcommand = (name: string | undefined): name is PacsSubcommand => name !== undefined && Object.hasOwn(PACS_COMMANDS, name)

export const pacsUsage = Object.values(PACS_COMMANDS)
  .map((spec) => commandForms(spec, 'pacs '))
  .join('')

export class PacsUsageError extends UsageError {}

function targetOf(service: PulmoService, values: OptionValues<typeof connection>): PacsTarget {
  const str = (k: keyof typeof connection): string | undefined => values[k]
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
  return formatTable(rows)
}

export async function pacsCommand(args: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args
  if (!isPacsSubcommand(sub)) throw new PacsUsageError(`pulmo pacs needs studies, pull, push or watch\n\n${pacsUsage}`)
  const spec: CommandSpec<OptionTable> = PACS_COMMANDS[sub]
  const parsed = parseCommand(spec, rest, 'pacs ')
  // Each subcommand was held to its own table; read here through the union of the tables.
  const values = parsed.values as OptionValues<
    (typeof PACS_COMMANDS)['studies']['options'] & (typeof PACS_COMMANDS)['push']['options'] & (typeof PACS_COMMANDS)['watch']['options']
  >
  const positionals = parsed.positionals
  if (values.help) {
    io.print(commandUsage(spec, 'pacs '))
    return 0
  }
  if (values.backend) setEnvBackend(values.backend)
  const service = openCliService(values['data-dir'])
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
