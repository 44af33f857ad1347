/**
 * The Electron entry. It only wires: one window with a locked-down renderer, the contract bound to
 * IPC, events forwarded to the window. All behaviour lives in the services.
 */
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { appRoot, rendererDir } from './paths'
import { PulmoService, toApiError } from './services'

const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

const rendererUrl = pathToFileURL(join(rendererDir(), 'index.html')).href

function fromOurRenderer(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  return url.startsWith(pathToFileURL(rendererDir()).href)
}

function createWindow(service: PulmoService): BrowserWindow {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    backgroundColor: '#0f1115',
    title: 'Pulmo',
    icon: join(appRoot(), 'resources', 'icon.png'),
    webPreferences: {
      preload: join(appRoot(), 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true
    }
  })
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== rendererUrl) e.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  const off = service.onEvent((event) => {
    if (!win.isDestroyed()) win.webContents.send('pulmo:event', event)
  })
  win.on('closed', off)
  void win.loadURL(rendererUrl)
  return win
}

app.whenReady().then(() => {
  const service = new PulmoService({ dataDir: process.env.PULMO_DATA_DIR ?? app.getPath('userData'), transport: 'ipc', version: app.getVersion() })
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))

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
