import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META, CSP_DIRECTIVES } from '../../../src/shared/contentSecurityPolicy'
import { grantPermission, isTrustedSender, isWorkstationPage, secureWebPreferences, windowOpenDecision } from '../../../src/main/windowSecurity'
import { projectRoot } from '../../helpers/paths'

/**
 * The Electron window's hardening, checked without Electron's binary: the settings and decisions
 * live in src/main/windowSecurity.ts and src/main/index.ts only applies them.
 */
const renderer = 'file:///opt/Pulmo/resources/app/out/renderer/index.html'

describe('Electron window security', () => {
  it('runs the renderer sandboxed, context-isolated, without Node, webviews or insecure content', () => {
    expect(secureWebPreferences('/app/out/preload/index.cjs')).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false
    })
  })

  it('allows only the workstation page: other navigations are blocked', () => {
    expect(isWorkstationPage(renderer, renderer)).toBe(true)
    expect(isWorkstationPage(`${renderer}#/viewer/3`, renderer)).toBe(true)
    expect(isWorkstationPage(`${renderer}?token=x`, renderer)).toBe(true)
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:8080/index.html',
      'file:///etc/passwd',
      'file:///opt/Pulmo/resources/app/out/renderer/other.html',
      'file:///opt/Pulmo/resources/app/out/renderer-evil/index.html',
      'javascript:alert(1)',
      'data:text/html,<script>1</script>',
      'not a url'
    ]) {
      expect(isWorkstationPage(url, renderer), url).toBe(false)
    }
  })

  it('never opens a new window; only https links go to the system browser', () => {
    expect(windowOpenDecision('https://github.com/DengPingFan/Inf-Net')).toEqual({ action: 'deny', openExternally: true })
    for (const url of ['http://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', renderer, 'smb://host/share', '']) {
      expect(windowOpenDecision(url), url).toEqual({ action: 'deny', openExternally: false })
    }
  })

  it('serves IPC only to the workstation page main frame', () => {
    expect(isTrustedSender({ url: renderer, parent: null }, renderer)).toBe(true)
    expect(isTrustedSender({ url: `${renderer}#/report`, parent: null }, renderer)).toBe(true)
    expect(isTrustedSender({ url: renderer, parent: { url: renderer } }, renderer)).toBe(false) // a sub-frame
    expect(isTrustedSender({ url: 'file:///opt/Pulmo/resources/app/out/renderer-evil/index.html', parent: null }, renderer)).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, renderer)).toBe(false)
    expect(isTrustedSender(null, renderer)).toBe(false)
    expect(isTrustedSender(undefined, renderer)).toBe(false)
  })

  it('grants no permission', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) expect(grantPermission(p)).toBe(false)
  })

  it('has one strict CSP: no inline or eval code, no plugins, connections to itself and the loopback only', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(`${CONTENT_SECURITY_POLICY_META}; frame-ancestors 'none'`)
    // Every source is the page itself, nothing, inline images, or the loopback socket: no wildcard, no other host, no unsafe-*.
    const allowed = new Set(["'self'", "'none'", 'data:', 'blob:', 'ws://127.0.0.1:*', 'ws://localhost:*'])
    const sources = CONTENT_SECURITY_POLICY.split('; ').flatMap((d) => d.split(' ').slice(1))
    expect(sources.filter((s) => !allowed.has(s))).toEqual([])
    expect(CSP_DIRECTIVES).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'object-src': "'none'",
      'connect-src': "'self' ws://127.0.0.1:* ws://localhost:*"
    })
  })

  it('applies these in the Electron entry, and the built page carries the same CSP', () => {
    const entry = readFileSync(join(projectRoot, 'src/main/index.ts'), 'utf8')
    expect(entry).toMatch(/webPreferences: secureWebPreferences\(/)
    expect(entry).toMatch(/'Content-Security-Policy': \[CONTENT_SECURITY_POLICY\]/)
    expect(entry).toMatch(/'will-navigate', \(e, url\) => \{\s+if \(!isWorkstationPage\(url, rendererUrl\)\) e\.preventDefault\(\)/)
    expect(entry).toMatch(/setWindowOpenHandler\(\(\{ url \}\) => \{\s+const decision = windowOpenDecision\(url\)/)
    expect(entry).toMatch(/'will-attach-webview', \(e\) => e\.preventDefault\(\)/)
    expect(entry.match(/if \(!fromOurRenderer\(event\)\)/g)).toHaveLength(2) // both IPC channels
    expect(entry).not.toMatch(/nodeIntegration|contextIsolation|sandbox:/) // no setting outside secureWebPreferences
    const source = readFileSync(join(projectRoot, 'src/renderer/index.html'), 'utf8')
    expect(source).toContain('content="%PULMO_CSP%"')
    const built = readFileSync(join(projectRoot, 'out/renderer/index.html'), 'utf8')
    expect(built).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY_META}" />`)
    expect(built).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/) // no inline script
  })
})
