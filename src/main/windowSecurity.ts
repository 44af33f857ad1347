/**
 * The Electron window's security settings and decisions, kept apart from Electron itself so they can
 * be checked without its binary (test/unit/main/windowSecurity.test.ts). index.ts applies them.
 */
import { CONTENT_SECURITY_POLICY } from '../shared/contentSecurityPolicy'

export { CONTENT_SECURITY_POLICY }

/**
 * The renderer is sandboxed, isolated from the preload's world and has no Node: everything it can do
 * goes through window.pulmo (the contract) over IPC.
 */
export function secureWebPreferences(preload: string) {
  return {
    preload,
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
  } as const
}

/** The page without its query and fragment (the app routes in the fragment). */
function pageOf(url: string): string | null {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return null
  }
}

/** Only the bundled workstation page may ever be shown: every other navigation is blocked. */
export function isWorkstationPage(url: string, rendererUrl: string): boolean {
  const page = pageOf(url)
  return page !== null && page === pageOf(rendererUrl)
}

/**
 * New windows are never opened. A https link (a reference in the about box, say) goes to the
 * system browser instead; anything else (file:, javascript:, http:) is dropped.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  let protocol = ''
  try {
    protocol = new URL(url).protocol
  } catch {
    // not a URL: nothing to open
  }
  return { action: 'deny', openExternally: protocol === 'https:' }
}

/** An IPC message is served only when it comes from the workstation page's main frame. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined, rendererUrl: string): boolean {
  return !!frame && frame.parent === null && isWorkstationPage(frame.url, rendererUrl)
}

/** The renderer asks for no permission (camera, notifications, …); all are refused. */
export const grantPermission = (_permission: string): boolean => false
