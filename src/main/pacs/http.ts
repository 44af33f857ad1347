/**
 * One HTTP exchange with a PACS, bounded: a deadline covers connecting, the headers and the whole
 * body, and the body is refused past a size limit while it streams, so a PACS that stalls or sends
 * without end costs a bounded time and memory and ends in a PacsError. TLS follows the URL (https).
 */
import { PacsError, statusError } from './errors'
import { safeUrl } from './auth'

export interface HttpLimits {
  /** The whole exchange, headers and body, in milliseconds. */
  timeoutMs: number
  /** The most bytes a response body may have. */
  maxResponseBytes: number
}

export interface HttpResponse {
  status: number
  contentType: string | null
  body: Uint8Array
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: Uint8Array
  /** Says what the request is for, in error messages ("the study search"). */
  what: string
}

function describeNetworkError(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : ''
  if (code === 'ECONNREFUSED') return 'nothing listens there (connection refused)'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was reset'
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT')
    return `the TLS connection failed (${code})`
  return cause instanceof Error ? cause.message : String(cause)
}

/** A reused keep-alive connection the server had just closed: worth one more try for a GET. */
function isStaleConnection(e: unknown): boolean {
  const cause = e instanceof PacsError ? e.cause : e
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause
  const code = inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : ''
  return (
    code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || (cause instanceof Error && cause.message === 'terminated')
  )
}

export async function httpRequest(request: HttpRequest, limits: HttpLimits): Promise<HttpResponse> {
  try {
    return await exchange(request, limits)
  } catch (e) {
    if (
      request.method === 'GET' &&
      e instanceof PacsError &&
      (e.kind === 'unreachable' || e.kind === 'malformed') &&
      isStaleConnection(e)
    ) {
      return await exchange(request, limits)
    }
    throw e
  }
}

async function exchange(request: HttpRequest, limits: HttpLimits): Promise<HttpResponse> {
  const where = safeUrl(request.url)
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, limits.timeoutMs)
  const timeout = (): PacsError =>
    new PacsError(
      'timeout',
      `The PACS did not answer ${request.what} within ${(limits.timeoutMs / 1000).toFixed(0)} s (${where}).`
    )
  try {
    let response: Response
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        redirect: 'error'
      })
    } catch (e) {
      if (timedOut) throw timeout()
      throw new PacsError(
        'unreachable',
        `Cannot reach the PACS for ${request.what} at ${where}: ${describeNetworkError(e)}.`,
        undefined,
        { cause: e }
      )
    }
    const declared = Number(response.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > limits.maxResponseBytes) {
      controller.abort()
      throw new PacsError(
        'too-large',
        `The PACS answer to ${request.what} is ${declared} bytes, more than the ${limits.maxResponseBytes} Pulmo accepts (${where}).`
      )
    }
    const chunks: Uint8Array[] = []
    let size = 0
    try {
      if (response.body) {
        const reader = response.body.getReader()
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          size += value.length
          if (size > limits.maxResponseBytes) {
            controller.abort()
            throw new PacsError(
              'too-large',
              `The PACS answer to ${request.what} exceeds the ${limits.maxResponseBytes} bytes Pulmo accepts (${where}).`
            )
          }
          chunks.push(value)
        }
      }
    } catch (e) {
      if (e instanceof PacsError) throw e
      if (timedOut) throw timeout()
      throw new PacsError(
        'malformed',
        `The PACS answer to ${request.what} broke off after ${size} bytes (${where}): ${describeNetworkError(e)}.`,
        undefined,
        { cause: e }
      )
    }
    if (response.status < 200 || response.status > 299) {
      // 409 and the STOW-RS 202 carry a body worth keeping; other errors are just the status.
      if (response.status !== 409) throw statusError(response.status, request.what, where)
    }
    const body = new Uint8Array(size)
    let offset = 0
    for (const c of chunks) {
      body.set(c, offset)
      offset += c.length
    }
    return { status: response.status, contentType: response.headers.get('content-type'), body }
  } finally {
    clearTimeout(timer)
  }
}
