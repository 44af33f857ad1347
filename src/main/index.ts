/**
 * The Electron entry. It only wires: one window with a locked-down renderer, the contract bound to
 * IPC, events forwarded to the window. All behaviour lives in the services; the security settings
 * and decisions live in windowSecurity.ts.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { envDataDir } from './env'
import { appRoot, rendererDir } from './paths'
import { PulmoService, toApiError } from './services'
import {
  CONTENT_SECURITY_POLICY,
  grantPermission,
  isTrustedSender,
  isWorkstationPage,
  secureWebPreferences,
  windowOpenDecision
} from './windowSecurity'

const rendererUrl = pathToFileURL(join(rendererDir(), 'index.html')).href

const fromOurRenderer = (event: IpcMainInvokeEvent): boolean => isTrustedSender(event.senderFrame, rendererUrl)

function createWindow(service: PulmoService): BrowserWindow {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    backgroundColor: '#0f1115',
    title: 'Pulmo',
    icon: join(appRoot(), 'resources', 'icon.png'),
    webPreferences: secureWebPreferences(join(appRoot(), 'out', 'preload', 'index.cjs'))
  })
  const off = service.onEvent((event) => {
    if (!win.isDestroyed()) win.webContents.send('pulmo:event', event)
  })
  win.on('closed', off)
  // The page holds unsaved edits when it refuses to unload (beforeunload); Electron shows no prompt
  // of its own, so ask here. preventDefault on this event lets the page go.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      title: 'Unsaved changes',
      message: 'You have unsaved mask or report edits.',
      detail: 'Keep editing to save them (Save version, Save report), or discard them and leave.',
      buttons: ['Keep editing', 'Discard changes and leave'],
      defaultId: 0,
      cancelId: 0
    })
    if (choice === 1) event.preventDefault()
  })
  void win.loadURL(rendererUrl)
  return win
}

// Every web contents (the window, and anything a bug might create): no navigation away from the
// workstation page, no new windows, no <webview>.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isWorkstationPage(url, rendererUrl)) e.preventDefault()
  })
  contents.on('will-redirect', (e, url) => {
    if (!isWorkstationPage(url, rendererUrl)) e.preventDefault()
  })
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url)
    if (decision.openExternally) void shell.openExternal(url)
    return { action: decision.action }
  })
})

app.whenReady().then(() => {
  const service = new PulmoService({ dataDir: envDataDir() ?? app.getPath('userData'), transport: 'ipc', version: app.getVersion() })
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(grantPermission(permission)))

  ipcMain.handle('pulmo:invoke', async (event, method: unknown, params: unknown) => {
    if (!fromOurRenderer(event)) return { ok: false, error: { code: 'unauthorized', message: 'Unknown sender.' } }
    try {
      return { ok: true, result: await service.dispatch(String(method), params) }
    } catch (e) {
      return { ok: false, error: toApiError(e) }
    }
  })
  ipcMain.handle('pulmo:pick-folder', async (event) => {
    if (!fromOurRenderer(event)) return null
    const r = await dialog.showOpenDialog({ properties: ['openDirectory', 'openFile', 'multiSelections'] })
    return r.canceled ? null : r.filePaths
  })

  createWindow(service)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow(service)
  })
  // A running training is checkpointed and paused before the app goes, so it resumes next time.
  let quitting = false
  app.on('will-quit', (e) => {
    if (quitting) return
    quitting = true
    e.preventDefault()
    void service.shutdown().finally(() => app.quit())
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
