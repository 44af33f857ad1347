import { chromium, type Browser, type Page } from 'playwright-core'
import { join } from 'node:path'
import { startServer, type RunningServer } from '../../src/main/server'
import { PulmoService } from '../../src/main/services'
import { projectRoot, tempDir } from '../helpers/paths'

/** Debian's Chromium, started the way this machine allows: no sandbox, GPU or background network. */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
]

export interface Workstation {
  service: PulmoService
  server: RunningServer
  browser: Browser
  page: Page
  close(): Promise<void>
}

/** A real `pulmo serve` (in this process, on a random port, fresh data folder) and a page open on it. */
export async function openWorkstation(
  options: { viewport?: { width: number; height: number }; modelDir?: string; setup?: (service: PulmoService) => void | Promise<void> } = {}
): Promise<Workstation> {
  const viewport = options.viewport ?? { width: 1920, height: 1080 }
  const dir = tempDir('pulmo-e2e-')
  const service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket', modelDir: options.modelDir })
  await options.setup?.(service)
  const server = await startServer(service, { staticDir: join(projectRoot, 'out/renderer') })
  const browser = await chromium.launch({ executablePath: process.env.PULMO_CHROMIUM ?? '/usr/bin/chromium', args: chromiumFlags })
  const page = await browser.newPage({ viewport })
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(server.url)
  return {
    service,
    server,
    browser,
    page,
    close: async () => {
      await browser.close()
      await server.close()
      service.close()
      dir.remove()
      if (errors.length) throw new Error(`The page threw: ${errors.join('; ')}`)
    }
  }
}
