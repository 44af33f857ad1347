/**
 * What can go wrong talking to a PACS, as kinds a person (and the workstation) can act on: the
 * server is down or too slow, refuses the credentials, refuses the size, or answers something
 * that is not what DICOMweb promises.
 */
export type PacsErrorKind =
  'unreachable' | 'timeout' | 'unauthorized' | 'forbidden' | 'not-found' | 'too-large' | 'malformed' | 'refused'

export class PacsError extends Error {
  constructor(
    readonly kind: PacsErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'PacsError'
  }
}

/** The error for an HTTP status that is not success, naming what the server said it was. */
export function statusError(status: number, what: string, url: string): PacsError {
  if (status === 401)
    return new PacsError(
      'unauthorized',
      `The PACS refused the credentials (401) for ${what} at ${url}: check the user name and password or token.`,
      status
    )
  if (status === 403)
    return new PacsError('forbidden', `The PACS does not allow ${what} for this user (403) at ${url}.`, status)
  if (status === 404)
    return new PacsError(
      'not-found',
      `The PACS has no such resource (404) for ${what} at ${url}: check the DICOMweb URL.`,
      status
    )
  if (status === 413)
    return new PacsError('too-large', `The PACS refused ${what} as too large (413) at ${url}.`, status)
  return new PacsError('refused', `The PACS answered ${status} to ${what} at ${url}.`, status)
}
