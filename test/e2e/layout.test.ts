import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { PulmoService } from '../../src/main/services'
import { addGroundGlassInLobe } from '../helpers/lobeEdit'
import { analyseSeries } from '../helpers/analyse'
import { lungmaskSlices, projectRoot, tempDir } from '../helpers/paths'
import { retagSeries } from '../helpers/retag'
import { saveTinyModel } from '../helpers/tinyModel'
import { openWorkstation, type Workstation } from './harness'
import { unreachableControls } from './reachability'
import { clippedTexts, overlayTextCollisions } from './textLayout'

const screenshots = join(projectRoot, 'docs/screenshots')
const sizes = [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 }
]

async function analyse(service: PulmoService, seriesId: number): Promise<void> {
  const result = await analyseSeries(service, seriesId)
  if (result.status !== 'finished') throw new Error(result.message)
}

/** A screen or dialog: how to get there from the reading room, and the part of the page it is. */
interface Place {
  name: string
  /** the screenshot's name at 1280×800: docs/screenshots/layout-1280-<shot>.png */
  shot: string
  open(page: Page): Promise<void>
  scope: string
  close?(page: Page): Promise<void>
}

async function openLatestSeries(page: Page): Promise<void> {
  await page.getByTestId('nav-reading').click()
  const patient = page.locator('[data-testid="patient-group"][data-studies="3"]')
  await patient.getByTestId('study-row').first().click()
  await patient.getByTestId('series-row').first().click()
  await page.getByTestId('viewer-canvas').waitFor()
  await expect.poll(() => page.getByTestId('viewer-canvas').getAttribute('data-rendered-slice'), { timeout: 60_000 }).not.toBeNull()
  // Analyze waits for the mask versions: only then is it known whether a correction is the working mask
  await expect.poll(() => page.getByTestId('analyze-button').isEnabled(), { timeout: 60_000 }).toBe(true)
}

const places: Place[] = [
  { name: 'reading room with a series open',
    shot: 'reading', open: openLatestSeries, scope: 'body' },
  {
    name: 'report (signed report in the history, amendment drafted)',
    shot: 'report',
    open: async (page) => {
      await page.getByTestId('nav-report').click()
      await page.getByTestId('history-row').first().waitFor()
    },
    scope: 'body'
  },
  {
    name: 'follow-up comparison',
    shot: 'compare',
    open: async (page) => {
      await page.getByTestId('nav-reading').click()
      await page.getByTestId('compare-with-button').click()
      await page.getByTestId('compare-view').waitFor()
      await expect.poll(() => page.getByTestId('compare-canvas-after').getAttribute('data-rendered-slice'), { timeout: 60_000 }).not.toBeNull()
      // image numbers as on every other screen; each side says which report it shows
      await expect(page.getByTestId('compare-slice-after').textContent()).resolves.toMatch(/^\s*Im \d+\s+\(2 images, numbered from the head\)/)
      await expect(page.getByTestId('compare-report-after').textContent()).resolves.toMatch(/report 3, signed by Dr Lee on /)
      await expect(page.getByTestId('compare-report-before').textContent()).resolves.toContain('report 2, draft (nothing signed yet)')
      // the trend chart: percent infected on the left axis, CT-SS on the right, legend values rounded
      const trend = page.getByTestId('compare-trend-line')
      await expect(trend.locator('[data-axis=left]').textContent()).resolves.toContain('% of the lungs infected')
      await expect(trend.locator('[data-axis=right]').textContent()).resolves.toContain('CT-SS (of 40)')
      const legend = await trend.locator('.legend-value').allTextContents()
      expect(legend).toHaveLength(2)
      expect(legend[0]).toMatch(/^\d+\.\d$/)
      expect(legend[1]).toMatch(/^\d+$/)
    },
    scope: 'body',
    close: (page) => page.getByTestId('compare-back').click()
  },
  {
    name: 'retraining',
    shot: 'retraining',
    open: async (page) => {
      await page.getByTestId('nav-training').click()
      await page.getByTestId('training-view').waitFor()
    },
    scope: 'body',
    close: (page) => page.getByTestId('nav-reading').click()
  },
  {
    name: 'settings with the Add PACS form open',
    shot: 'settings-add-pacs',
    open: async (page) => {
      await page.getByTestId('settings-button').click()
      await page.getByTestId('pacs-add').click()
      await page.getByTestId('pacs-auth').selectOption('basic')
    },
    scope: '[data-testid=settings-dialog]',
    close: (page) => page.keyboard.press('Escape')
  },
  {
    name: 'import dialog',
    shot: 'import',
    open: (page) => page.getByTestId('import-button').click(),
    scope: '[data-testid=import-dialog]',
    close: (page) => page.keyboard.press('Escape')
  },
  {
    name: 'PACS dialog',
    shot: 'pacs',
    open: (page) => page.getByTestId('pacs-button').click(),
    scope: '[data-testid=pacs-dialog]',
    close: (page) => page.getByTestId('pacs-close').click()
  },
  {
    name: 'Analyze on a corrected series',
    shot: 'analyze-choice',
    open: async (page) => {
      await openLatestSeries(page)
      await page.getByTestId('analyze-button').click()
      await page.getByTestId('analyze-choice-dialog').waitFor()
    },
    scope: '[data-testid=analyze-choice-dialog]',
    close: (page) => page.getByTestId('analyze-choice-cancel').click()
  }
]

/**
 * Every screen and dialog at 1280×800, 1366×768 and 1920×1080: each button, input, select and
 * textarea lies inside the viewport or inside a scrollable container that reaches it. Three studies
 * of one patient (the real lungmask slices re-tagged), analysed with a tiny model; the latest
 * corrected, signed and analysed again, so the report page lists a signed report and an amendment.
 */
describe('layouts at the radiologist’s screen sizes', () => {
  const dir = tempDir('pulmo-e2e-layout-')
  let ws: Workstation

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    const ids: number[] = []
    ws = await openWorkstation({
      modelDir,
      viewport: sizes[0],
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
        // nothing answers there: the PACS dialog shows its search form and what a failed search says
        await service.invoke('pacs.servers.save', { name: 'Hospital PACS', url: 'http://127.0.0.1:9/dicom-web' })
        for (const [n, studyDate] of ['20200301', '20200315', '20200405'].entries()) {
          const copy = retagSeries(lungmaskSlices, join(dir.path, `study-${n}`), { patientId: 'LM-0042', patientName: 'Lung^Mask', studyDate })
          ids.push((await service.invoke('studies.import', { paths: [copy] })).created[0])
        }
        for (const id of ids) await analyse(service, id)
        await addGroundGlassInLobe(service, ids[2], 'RLL', 4000)
        const draft = (await service.invoke('reports.get', { seriesId: ids[2] }))!
        await service.invoke('reports.sign', { reportId: draft.id })
        await analyse(service, ids[2])
      }
    })
    mkdirSync(screenshots, { recursive: true })
  }, 600_000)
  afterAll(async () => {
    await ws?.close()
    dir.remove()
  })

  for (const size of sizes) {
    it(`every control of every screen and dialog is reachable at ${size.width}×${size.height}`, async () => {
      const { page } = ws
      await page.setViewportSize(size)
      const failures: string[] = []
      for (const place of places) {
        try {
          await place.open(page)
          await page.waitForTimeout(200)
          if (size.width === 1280) await page.screenshot({ path: join(screenshots, `layout-1280-${place.shot}.png`) })
          for (const p of await unreachableControls(page, place.scope)) failures.push(`${place.name}: ${p.control} at ${JSON.stringify(p.rect)}: ${p.reason}`)
          await place.close?.(page)
        } catch (e) {
          failures.push(`${place.name}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
          await page.reload()
        }
      }
      if (failures.length) console.log(failures.join('\n'))
      expect(failures).toEqual([])
    }, 300_000)
  }

  it('the three-up view’s overlay texts never overlap and stay inside their panes at 1280×800', async () => {
    const { page } = ws
    await page.setViewportSize(sizes[0])
    await openLatestSeries(page)
    await page.getByTestId('layout-three').click()
    const panes = ['viewport', 'viewport-coronal', 'viewport-sagittal']
    for (const pane of panes) await page.getByTestId(pane).waitFor()
    const found: string[] = []
    // with the pointer over each pane in turn, so its readout lines (value, voxel, patient mm) are shown too
    for (const pane of panes) {
      await page.getByTestId(pane).hover()
      await expect.poll(() => page.getByTestId(pane).locator('.overlay').count()).toBeGreaterThanOrEqual(3)
      for (const c of await overlayTextCollisions(page)) found.push(`pointer in ${pane}: ${c.viewport}: ${c.texts.join(' × ')}: ${c.reason}`)
    }
    await page.screenshot({ path: join(screenshots, 'layout-1280-three-up.png') })
    await page.getByTestId('layout-single').click()
    if (found.length) console.log(found.join('\n'))
    expect(found).toEqual([])
  }, 120_000)

  it('the retraining form, runs and monitor texts are not clipped at 1280×800', async () => {
    const { page } = ws
    await page.setViewportSize(sizes[0])
    await page.getByTestId('nav-training').click()
    await page.getByTestId('training-view').waitFor()
    await page.getByTestId('training-bundled').waitFor()
    const clipped = await clippedTexts(page, '[data-testid=training-view]')
    if (clipped.length) console.log(clipped.map((c) => `${c.text}: ${c.reason}`).join('\n'))
    expect(clipped).toEqual([])
    // the probe sees a note cut off by its box: one put in the form for the moment
    await page.evaluate(`(() => {
      const note = document.createElement('p')
      note.id = 'probe-note'
      note.style.cssText = 'width: 80px; overflow: hidden; white-space: nowrap'
      note.textContent = 'A note far wider than its box'
      document.querySelector('[data-testid=training-view]').append(note)
    })()`)
    expect((await clippedTexts(page, '[data-testid=training-view]')).map((c) => c.text)).toEqual(['A note far wider than its box'])
    await page.evaluate(`document.getElementById('probe-note').remove()`)
    await page.getByTestId('nav-reading').click()
  }, 60_000)

  it('Analyze on the corrected series, keeping the correction: the model runs and the report stays scored from the correction', async () => {
    const { page, service } = ws
    await page.setViewportSize(sizes[0])
    await openLatestSeries(page)
    const seriesId = (await service.invoke('studies.list', {})).find((s) => s.studyDate.replace(/-/g, '') === '20200405')!.series[0].id
    const working = (await service.invoke('masks.list', { seriesId })).at(-1)!
    expect(working.source).toBe('annotator')
    await page.getByTestId('analyze-button').click()
    await expect(page.getByTestId('analyze-choice-dialog').textContent()).resolves.toContain('stay training data whichever you choose')
    await page.getByTestId('analyze-choice-corrected').click()
    const message = page.getByTestId('analysis-message')
    await expect.poll(() => message.getAttribute('data-status'), { timeout: 120_000 }).toBe('finished')
    await expect(message.textContent()).resolves.toContain(`Scored from your corrected mask (v${working.version + 2}, a copy of v${working.version})`)
    const versions = await service.invoke('masks.list', { seriesId })
    expect(versions.at(-1)).toMatchObject({ source: 'annotator', revertedTo: working.version, trainingSlices: working.trainingSlices })
    expect(versions.at(-2)).toMatchObject({ source: 'model' })
    expect((await service.invoke('reports.get', { seriesId }))!.maskVersion).toBe(versions.at(-1)!.version)
  }, 180_000)
})
