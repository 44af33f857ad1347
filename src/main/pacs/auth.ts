/**
 * How Pulmo authenticates to a PACS: nothing, HTTP basic, or a bearer token. The secret only ever
 * leaves this module as an Authorization header; `describeAuth` is what logs and audits may show.
 */
export type PacsAuth =
  { kind: 'none' } | { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string }

export function authorizationHeader(auth: PacsAuth): Record<string, string> {
  if (auth.kind === 'basic')
    return { authorization: 'Basic ' + Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64') }
  if (auth.kind === 'bearer') return { authorization: `Bearer ${auth.token}` }
  return {}
}

/** The auth without its secret: for audit entries, logs and error messages. */
export function describeAuth(auth: PacsAuth): string {
  if (auth.kind === 'basic') return `basic (user ${auth.user})`
  if (auth.kind === 'bearer') return 'bearer token'
  return 'none'
}

/** A URL fit for a log line: no user info, no query (which may carry a token). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}
