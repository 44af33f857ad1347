import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator } from 'playwright-core'
import type { TaskEndedEvent } from '../../src/shared/api'
import type { PulmoService } from '../../src/main/services'
import { lungmaskSlices, p002, projectRoot, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'
import { openWorkstation, type Workstation } from './harness'

const screenshots = join(projectRoot, 'docs/screenshots')

/** The page's DataTransfer and File, typed for these Node-side sources (the callbacks run in the page). */
type PageGlobals = {
  DataTransfer: new () => { items: { add(file: unknown): void }; setData(type: string, data: string): void }
  File: new (parts: string[], name: string, options?: { type: string }) => unknown
}

async function analyse(service: PulmoService, seriesId: number): Promise<TaskEndedEvent> {
  let off: () => void = () => {}
  const ended = new Promise<TaskEndedEvent>((resolve) => {
    off = service.onEvent((e) => {
      if (e.type === 'task-ended') resolve(e)
    })
  })
  await service.invoke('analysis.start', { seriesId })
  const result = await ended
  off()
  return result
}

async function centreOf(locator: Locator, fx = 0.5, fy = 0.5): Promise<{ x: number; y: number }> {
  const box = (await locator.boundingBox())!
  return { x: box.x + box.width * fx, y: box.y + box.height * fy }
}

describe('studies, the three-up viewer, zoom and pan, delete, drop and settings', () => {
  const dir = tempDir('pulmo-e2e-studies-')
  let ws: Workstation
  let sliceSeries: number

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    ws = await openWorkstation({
      modelDir,
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Rossi' })
        const slices = await service.invoke('studies.import', { paths: [lungmaskSlices] })
        sliceSeries = slices.created[0]
        await service.invoke('studies.import', { paths: [p002] })
        // one study analysed, corrected and reported, to show every status badge
        const ended = await analyse(service, sliceSeries)
        if (ended.status !== 'finished') throw new Error(ended.message)
        const runs = [0, 512 * 200, 1, 40, 0, 512 * 512 - 512 * 200 - 40]
        await service.invoke('masks.save', { seriesId: sliceSeries, baseVersion: 1, slices: [{ k: 0, runs }] })
        const report = (await service.invoke('reports.get', { seriesId: sliceSeries }))!
        await service.invoke('reports.sign', { reportId: report.id })
      }
    })
    mkdirSync(screenshots, { recursive: true })
  }, 600_000)
  afterAll(async () => {
    await ws?.close()
    dir.remove()
  })

  it('lists the studies with their status badges and searches them', async () => {
    const { page } = ws
    await expect.poll(() => page.getByTestId('study-row').count()).toBe(2)
    const analysed = page.locator(`[data-testid="study-row"]:has-text("Reported")`)
    await expect(analysed.textContent()).resolves.toMatch(/Analysed.*Corrected.*Reported/)
    await expect(page.locator(`[data-testid="study-row"]:has-text("Not analysed")`).count()).resolves.toBe(1)
    await page.getByTestId('study-search').fill('P002')
    await expect.poll(() => page.getByTestId('study-row').count()).toBe(1)
    await page.getByTestId('study-search').fill('')
    await expect.poll(() => page.getByTestId('study-row').count()).toBe(2)
  })

  it('shows axial, coronal and sagittal views of P002 with a linked crosshair', async () => {
    const { page } = ws
    const studies = await ws.service.invoke('studies.list', {})
    const p002Study = studies.find((s) => s.series[0].slices === 133)!
    await page.locator(`[data-testid="study-row"][data-study-id="${p002Study.id}"]`).click()
    await page.getByTestId('series-row').first().click()
    const axial = page.getByTestId('viewer-canvas')
    await expect.poll(() => axial.getAttribute('data-rendered-slice'), { timeout: 60_000 }).toBe('66')
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(screenshots, 'studies.png') })

    await page.getByTestId('layout-three').click()
    const coronal = page.getByTestId('viewer-canvas-coronal')
    const sagittal = page.getByTestId('viewer-canvas-sagittal')
    await expect.poll(() => coronal.getAttribute('data-rendered-slice')).toBe('256')
    await expect.poll(() => sagittal.getAttribute('data-rendered-slice')).toBe('256')
    // coronal and sagittal planes are the volume's rows and columns through all 133 slices
    await expect(coronal.getAttribute('height')).resolves.toBe('133')
    await expect(sagittal.getAttribute('width')).resolves.toBe('512')

    await page.getByTestId('tool-crosshair').click()
    const axialBox = (await axial.boundingBox())!
    await page.mouse.click(
      axialBox.x + axialBox.width * ((300 + 0.5) / 512),
      axialBox.y + axialBox.height * ((200 + 0.5) / 512)
    )
    await expect.poll(() => coronal.getAttribute('data-rendered-slice')).toBe('200')
    await expect.poll(() => sagittal.getAttribute('data-rendered-slice')).toBe('300')

    // a click in the coronal view moves the axial slice to the voxel's z
    const target = await centreOf(coronal, 0.4, 0.3)
    await page.mouse.move(target.x, target.y)
    const readout = page.getByTestId('hu-readout-coronal')
    await expect.poll(() => readout.getAttribute('data-k')).not.toBeNull()
    const z = Number(await readout.getAttribute('data-k'))
    await page.mouse.click(target.x, target.y)
    await expect.poll(() => axial.getAttribute('data-rendered-slice')).toBe(String(z))
    await expect(page.getByTestId('slice-index').getAttribute('data-k')).resolves.toBe(String(z))

    // the coronal click also moved the sagittal plane to the clicked column; the wheel there steps it
    const column = Number(await sagittal.getAttribute('data-rendered-slice'))
    expect(column).toBe(Math.floor(0.4 * 512))
    const sagCentre = await centreOf(sagittal)
    await page.mouse.move(sagCentre.x, sagCentre.y)
    await page.mouse.wheel(0, 100)
    await expect.poll(() => sagittal.getAttribute('data-rendered-slice')).toBe(String(column + 1))
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(screenshots, 'viewer-three-up.png') })
    await page.getByTestId('layout-single').click()
    await page.getByTestId('tool-window').click()
  })

  it('cancels a running analysis of P002 and says so', async () => {
    const { page } = ws
    await page.getByTestId('analyze-button').click()
    await page.getByTestId('analysis-progress').waitFor()
    await expect(page.getByTestId('analyze-button').isDisabled()).resolves.toBe(true)
    await page.getByTestId('analysis-cancel').click()
    const message = page.getByTestId('analysis-message')
    await message.waitFor({ timeout: 60_000 })
    await expect(message.getAttribute('data-status')).resolves.toBe('cancelled')
    await expect(message.textContent()).resolves.toMatch(/Analysis cancelled/)
    await expect(page.getByTestId('analyze-button').isEnabled()).resolves.toBe(true)
    const studies = await ws.service.invoke('studies.list', {})
    expect(studies.find((s) => s.series[0].slices === 133)!.status.analysed).toBe(false)
  })

  it('zooms with Ctrl+wheel about the pointer, pans, and fits again', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    await canvas.waitFor()
    const before = (await canvas.boundingBox())!
    const point = { x: before.x + before.width * 0.3, y: before.y + before.height * 0.4 }
    await page.mouse.move(point.x, point.y)
    const readout = page.getByTestId('hu-readout')
    await expect.poll(() => readout.getAttribute('data-x')).not.toBeNull()
    const voxel = [await readout.getAttribute('data-x'), await readout.getAttribute('data-y')]
    await page.keyboard.down('Control')
    await page.mouse.wheel(0, -300)
    await page.keyboard.up('Control')
    await expect.poll(() => page.getByTestId('zoom-readout').textContent()).not.toBe('Zoom 100 %')
    const zoomed = (await canvas.boundingBox())!
    expect(zoomed.width).toBeGreaterThan(before.width * 1.5)
    // the voxel under the pointer stays under it
    await page.mouse.move(point.x + 1, point.y)
    await page.mouse.move(point.x, point.y)
    await expect
      .poll(async () => [await readout.getAttribute('data-x'), await readout.getAttribute('data-y')])
      .toEqual(voxel)

    await page.getByTestId('tool-pan').click()
    await page.mouse.move(point.x, point.y)
    await page.mouse.down()
    await page.mouse.move(point.x + 120, point.y + 60, { steps: 5 })
    await page.mouse.up()
    const panned = (await canvas.boundingBox())!
    expect(panned.x - zoomed.x).toBeCloseTo(120, 0)
    expect(panned.y - zoomed.y).toBeCloseTo(60, 0)

    await page.getByTestId('zoom-reset').click()
    await expect.poll(() => page.getByTestId('zoom-readout').textContent()).toBe('Zoom 100 %')
    const fitted = (await canvas.boundingBox())!
    expect(fitted.width).toBeCloseTo(before.width, 0)
    await page.getByTestId('tool-window').click()
  })

  it('explains that dropping a file needs the desktop app, and imports a dropped file:// path', async () => {
    const { page } = ws
    const files = await page.evaluateHandle(() => {
      const page = globalThis as unknown as PageGlobals
      const transfer = new page.DataTransfer()
      transfer.items.add(new page.File(['not a path'], 'P002', { type: '' }))
      return transfer
    })
    await page.dispatchEvent('.app-shell', 'dragenter', { dataTransfer: files })
    await page.getByTestId('drop-zone').waitFor()
    await page.dispatchEvent('.app-shell', 'drop', { dataTransfer: files })
    await page.getByTestId('drop-message').waitFor()
    await expect(page.getByTestId('drop-message').textContent()).resolves.toMatch(/desktop app/)
    await expect(page.getByTestId('import-path').isVisible()).resolves.toBe(true)
    await expect(page.getByTestId('drop-zone').count()).resolves.toBe(0)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('import-dialog').count()).toBe(0)
  })

  it('deletes a study after confirmation, then re-imports it by dropping its folder path', async () => {
    const { page } = ws
    const row = page.locator(`[data-testid="study-row"][data-study-id]:has-text("Reported")`)
    await row.click()
    await row.getByTestId('study-delete').click()
    await page.getByTestId('confirm-dialog').waitFor()
    await page.getByTestId('confirm-cancel').click()
    await expect(page.getByTestId('study-row').count()).resolves.toBe(2)

    await row.getByTestId('study-delete').click()
    await expect(page.getByTestId('confirm-dialog').textContent()).resolves.toMatch(
      /original DICOM files are not touched/
    )
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => page.getByTestId('study-row').count()).toBe(1)
    expect(await ws.service.invoke('studies.list', {})).toHaveLength(1)

    const uri = await page.evaluateHandle((path) => {
      const transfer = new (globalThis as unknown as PageGlobals).DataTransfer()
      transfer.setData('text/uri-list', `file://${encodeURI(path)}`)
      return transfer
    }, lungmaskSlices)
    await page.dispatchEvent('.app-shell', 'drop', { dataTransfer: uri })
    await expect.poll(() => page.getByTestId('study-row').count(), { timeout: 60_000 }).toBe(2)
    await expect(page.getByTestId('import-notice').textContent()).resolves.toMatch(/Imported 1 series \(2 slices\)/)
  })

  it('edits the settings: user name and backend; the data folder is shown read-only', async () => {
    const { page } = ws
    await page.getByTestId('settings-button').click()
    await page.getByTestId('settings-dialog').waitFor()
    await expect.poll(() => page.getByTestId('settings-datadir').textContent()).toBe(ws.service.dataDir)
    await expect(page.getByTestId('settings-user').inputValue()).resolves.toBe('Dr Rossi')
    await expect(page.getByTestId('settings-backend').inputValue()).resolves.toBe('wasm')
    await page.getByTestId('settings-user').fill('Dr Anna Rossi')
    await page.getByTestId('settings-backend').selectOption('auto')
    // the model analyses use (no setting: the active model, else the bundled one; here the one the service was given)
    await expect.poll(() => page.getByTestId('settings-model').textContent()).toBe('infnet-tiny test')
    await page.screenshot({ path: join(screenshots, 'settings.png') })
    await page.getByTestId('settings-save').click()
    await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0)
    expect(ws.service.settings.get()).toMatchObject({ userName: 'Dr Anna Rossi', backend: 'auto' })
    await expect(page.getByTestId('user-name').textContent()).resolves.toContain('Dr Anna Rossi')
  })
})
