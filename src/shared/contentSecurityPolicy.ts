/**
 * The one Content-Security-Policy of the workstation page, wherever it is shown: the Electron window
 * (response header), `pulmo serve` (response header) and the built index.html (meta element, for
 * pages opened from disk). Scripts and styles come only from the page's own origin, never inline;
 * the page may connect only to itself and to a loopback WebSocket (the `pulmo serve` socket).
 */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data: blob:",
  'font-src': "'self'",
  'connect-src': "'self' ws://127.0.0.1:* ws://localhost:*",
  'object-src': "'none'",
  'base-uri': "'self'",
  'form-action': "'none'",
  'frame-src': "'none'"
}

/** Directives a meta element cannot carry (browsers ignore them there with a warning). */
const HEADER_ONLY_DIRECTIVES: Readonly<Record<string, string>> = {
  'frame-ancestors': "'none'"
}

const serialise = (directives: Readonly<Record<string, string>>): string =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ')

/** For the index.html meta element. */
export const CONTENT_SECURITY_POLICY_META = serialise(CSP_DIRECTIVES)

/** For the Content-Security-Policy response header. */
export const CONTENT_SECURITY_POLICY = serialise({ ...CSP_DIRECTIVES, ...HEADER_ONLY_DIRECTIVES })
