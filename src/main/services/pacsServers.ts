/**
 * The PACS servers in the workstation's settings. Passwords and tokens stay in this database: what
 * the API, the audit log and messages carry names the server, its URL without credentials and the
 * kind of authentication only.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { ApiError, PacsAuthKind, type PacsServer, type Params } from '../../shared/api'
import { DicomWebClient, safeUrl, type DicomWebConnection, type PacsAuth } from '../pacs'
import type { ServiceContext } from './context'

const SERVERS_KEY = 'pacs-servers'

const StoredServer = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  authKind: PacsAuthKind,
  user: z.string(),
  secret: z.string()
})
type StoredServer = z.infer<typeof StoredServer>

export interface PacsTarget {
  connection: DicomWebConnection
  /** For audit and messages: the URL without credentials or query. */
  label: string
}

function authOf(s: Pick<StoredServer, 'authKind' | 'user' | 'secret'>): PacsAuth {
  if (s.authKind === 'basic') return { kind: 'basic', user: s.user, password: s.secret }
  if (s.authKind === 'bearer') return { kind: 'bearer', token: s.secret }
  return { kind: 'none' }
}

/** A target given on the command line. */
export function connectionTarget(connection: DicomWebConnection): PacsTarget {
  return { connection, label: safeUrl(connection.url) }
}

export class PacsServerSettings {
  constructor(private readonly ctx: ServiceContext) {}

  private stored(): StoredServer[] {
    return this.ctx.store.settings.get(SERVERS_KEY, z.array(StoredServer)) ?? []
  }

  list(): PacsServer[] {
    return this.stored().map((s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      authKind: s.authKind,
      user: s.user,
      secretSet: s.secret !== ''
    }))
  }

  save(input: Params<'pacs.servers.save'>): PacsServer[] {
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
    return this.list()
  }

  delete(id: string): PacsServer[] {
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
    return this.list()
  }

  /** A configured server as a target. */
  target(serverId: string): PacsTarget {
    const s = this.stored().find((x) => x.id === serverId)
    if (!s) throw new ApiError('not-found', `There is no PACS ${serverId} in the settings.`)
    return { connection: { url: s.url, auth: authOf(s) }, label: safeUrl(s.url) }
  }

}
