/**
 * multipart/related bodies (RFC 2387) as DICOMweb uses them: WADO-RS answers with one part per
 * instance, STOW-RS sends one part per instance. Parsing checks the framing strictly (the closing
 * delimiter must be there) so a truncated body is an error, never a shorter list of instances.
 */
import { randomBytes } from 'node:crypto'
import { PacsError } from './errors'

export interface BodyPart {
  headers: Record<string, string>
  body: Uint8Array
}

/** The parameters of a Content-Type header: `multipart/related; type="application/dicom"; boundary=x`. */
export function parseContentType(value: string | null): { mediaType: string; params: Record<string, string> } {
  if (!value) return { mediaType: '', params: {} }
  const [head, ...rest] = splitParams(value)
  const params: Record<string, string> = {}
  for (const p of rest) {
    const eq = p.indexOf('=')
    if (eq < 0) continue
    const key = p.slice(0, eq).trim().toLowerCase()
    let v = p.slice(eq + 1).trim()
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1')
    params[key] = v
  }
  return { mediaType: head.trim().toLowerCase(), params }
}

/** Splits on ';' outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted
    if (c === ';' && !quoted) {
      out.push(current)
      current = ''
    } else current += c
  }
  out.push(current)
  return out
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]
  const last = haystack.length - needle.length
  outer: for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

const CRLF = new Uint8Array([13, 10])
const latin1 = new TextDecoder('latin1')

function parseHeaders(block: Uint8Array): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of latin1.decode(block).split('\r\n')) {
    if (!line) continue
    const colon = line.indexOf(':')
    if (colon <= 0)
      throw new PacsError(
        'malformed',
        `a multipart part has a malformed header line (${JSON.stringify(line.slice(0, 60))})`
      )
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

/**
 * The parts of a multipart body with the given boundary. Throws PacsError('malformed') when the
 * first delimiter or the closing one is missing, or a part has no header/body separator.
 */
export function parseMultipart(body: Uint8Array, boundary: string): BodyPart[] {
  if (!boundary) throw new PacsError('malformed', 'the multipart response names no boundary')
  const delimiter = new TextEncoder().encode(`--${boundary}`)
  let at = indexOf(body, delimiter, 0)
  if (at < 0) throw new PacsError('malformed', 'the multipart response holds no part (its boundary never occurs)')
  const parts: BodyPart[] = []
  for (;;) {
    let start = at + delimiter.length
    // "--" right after a delimiter closes the body.
    if (body[start] === 45 && body[start + 1] === 45) return parts
    // Transport padding, then CRLF.
    while (body[start] === 32 || body[start] === 9) start++
    if (body[start] !== 13 || body[start + 1] !== 10)
      throw new PacsError('malformed', 'a multipart delimiter is not followed by a line break')
    start += 2
    const separator = indexOf(body, new Uint8Array([13, 10, 13, 10]), start)
    const next = indexOf(body, concat(CRLF, delimiter), start)
    if (next < 0)
      throw new PacsError(
        'malformed',
        `the multipart response is truncated (part ${parts.length + 1} has no closing delimiter)`
      )
    let headers: Record<string, string>
    let contentStart: number
    if (body[start] === 13 && body[start + 1] === 10) {
      headers = {}
      contentStart = start + 2
    } else {
      if (separator < 0 || separator > next)
        throw new PacsError('malformed', `part ${parts.length + 1} of the multipart response has no end of headers`)
      headers = parseHeaders(body.subarray(start, separator))
      contentStart = separator + 4
    }
    parts.push({ headers, body: body.subarray(contentStart, next) })
    at = next + 2
  }
}

function concat(...chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/** A multipart/related body of DICOM parts for STOW-RS, with a boundary that cannot occur in them. */
export function buildMultipart(
  parts: Uint8Array[],
  type = 'application/dicom'
): { body: Uint8Array; contentType: string } {
  let boundary = ''
  do boundary = 'pulmo-' + randomBytes(16).toString('hex')
  while (parts.some((p) => indexOf(p, new TextEncoder().encode(boundary), 0) >= 0))
  const enc = new TextEncoder()
  const chunks: Uint8Array[] = []
  for (const p of parts) {
    chunks.push(enc.encode(`--${boundary}\r\nContent-Type: ${type}\r\nContent-Length: ${p.length}\r\n\r\n`), p, CRLF)
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`))
  return { body: concat(...chunks), contentType: `multipart/related; type="${type}"; boundary=${boundary}` }
}
