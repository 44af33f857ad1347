import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { lungmaskSlices, projectRoot, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'
import { openWorkstation, type Workstation } from './harness'
import { clippedTexts } from './textLayout'

const screenshots = join(projectRoot, 'docs/screenshots')

type Canvas2d = {
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } }
}

/** RGBA of one canvas pixel (canvas pixels are voxels of the plane). */
function pixelAt(canvas: Locator, x: number, y: number): Promise<number[]> {
  return canvas.evaluate(
    (el, [px, py]) => Array.from((el as unknown as Canvas2d).getContext('2d').getImageData(px, py, 1, 1).data),
    [x, y]
  )
}

/** How many pixels of the canvas are coloured (not grey): overlays drawn. */
function colouredPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((el) => {
    const c = el as unknown as Canvas2d & { width: number; height: number }
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
    let n = 0
    for (let i = 0; i < data.length; i += 4) if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) n++
    return n
  })
}

/** Screen position of the centre of voxel (x, y) of the axial canvas. */
async function screenOf(canvas: Locator, x: number, y: number, size = 512): Promise<{ x: number; y: number }> {
  const box = (await canvas.boundingBox())!
  return { x: box.x + ((x + 0.5) * box.width) / size, y: box.y + ((y + 0.5) * box.height) / size }
}

async function stroke(page: Page, canvas: Locator, from: [number, number], to: [number, number]): Promise<void> {
  const start = await screenOf(canvas, ...from)
  const end = await screenOf(canvas, ...to)
  await page.mouse.move(start.x, start.y)
  await page.mouse.down()
  await page.mouse.move(end.x, end.y, { steps: 8 })
  await page.mouse.up()
}

describe('the workstation in Chromium: analyse, correct, save, report', () => {
  const dir = tempDir('pulmo-e2e-model-')
  let ws: Workstation
  let seriesId: number

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    ws = await openWorkstation({
      modelDir,
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
        const imported = await service.invoke('studies.import', { paths: [lungmaskSlices] })
        seriesId = imported.created[0]
      }
    })
    mkdirSync(screenshots, { recursive: true })
  })
  afterAll(async () => {
    await ws?.close()
    dir.remove()
  })

  it('shows the study list with status badges and opens the series', async () => {
    const { page } = ws
    await page.getByTestId('study-row').first().click()
    await page.getByTestId('series-row').first().click()
    const canvas = page.getByTestId('viewer-canvas')
    await expect.poll(() => canvas.getAttribute('data-rendered-slice'), { timeout: 60_000 }).not.toBeNull()
    await expect.poll(() => page.getByTestId('scores-empty').isVisible()).toBe(true)
    await expect(page.getByTestId('study-row').first().textContent()).resolves.toContain('Not analysed')
    await page.screenshot({ path: join(screenshots, 'studies.png') })
  })

  it('analyses with a tiny model: progress, then masks and scores', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    expect(await colouredPixels(canvas)).toBe(0)
    await page.getByTestId('analyze-button').click()
    await page.getByTestId('analysis-progress').waitFor({ state: 'visible', timeout: 10_000 })
    await expect(page.getByTestId('analysis-cancel').isVisible()).resolves.toBe(true)
    const message = page.getByTestId('analysis-message')
    await message.waitFor({ timeout: 180_000 })
    expect(await message.getAttribute('data-status'), (await message.textContent()) ?? '').toBe('finished')
    // the lung outline (and whatever infection the untrained model marks) is composited into the slice
    await expect.poll(() => canvas.getAttribute('data-rendered-overlay')).toBe('working')
    await expect.poll(() => colouredPixels(canvas), { timeout: 10_000 }).toBeGreaterThan(500)
    const report = (await ws.service.invoke('reports.get', { seriesId }))!
    await expect.poll(() => page.getByTestId('score-ctss').textContent()).toBe(String(report.ctss.final))
    await expect(page.getByTestId('score-lobar').textContent()).resolves.toBe(String(report.lobarTotal))
    await expect(page.getByTestId('score-percent-total').textContent()).resolves.toContain(
      report.percentInfected.total.toFixed(1)
    )
    await expect(page.getByTestId('score-severity').textContent()).resolves.toMatch(new RegExp(report.severity, 'i'))
    await expect(page.getByTestId('version-row').count()).resolves.toBe(1)

    // hiding the lung outline and the labels leaves the plain grey slice
    await page.getByTestId('overlay-lungs').uncheck()
    await page.getByTestId('overlay-ggo').uncheck()
    await page.getByTestId('overlay-consolidation').uncheck()
    await expect.poll(() => colouredPixels(canvas)).toBe(0)
    await page.getByTestId('overlay-lungs').check()
    await page.getByTestId('overlay-ggo').check()
    await page.getByTestId('overlay-consolidation').check()
    await expect.poll(() => colouredPixels(canvas)).toBeGreaterThan(500)
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(screenshots, 'viewer-analysis.png') })
  }, 300_000)

  it('paints a brush stroke and undoes it; the pixel changes and comes back', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    // outside the lungs, so no model label or outline is there: an unpainted grey voxel
    const [x, y] = [256, 60]
    await page.getByTestId('overlay-lungs').uncheck()
    const before = await pixelAt(canvas, x, y)
    await page.keyboard.press('b')
    await expect.poll(() => page.getByTestId('tool-brush').getAttribute('aria-pressed')).toBe('true')
    await page.getByTestId('label-consolidation').click()
    await page.getByTestId('brush-size').fill('16')
    const revision = Number(await canvas.getAttribute('data-rendered-revision'))
    await stroke(page, canvas, [x - 20, y], [x + 20, y])
    await expect.poll(async () => Number(await canvas.getAttribute('data-rendered-revision'))).toBeGreaterThan(revision)
    const painted = await pixelAt(canvas, x, y)
    expect(painted).not.toEqual(before)
    expect(painted[0]).toBeGreaterThan(painted[1] + 40) // consolidation red
    await expect(page.getByTestId('unsaved-count').getAttribute('data-count')).resolves.toBe('1')

    await page.keyboard.press('Control+z')
    await expect.poll(() => pixelAt(canvas, x, y)).toEqual(before)
    await expect(page.getByTestId('unsaved-count').getAttribute('data-count')).resolves.toBe('0')
    // and redo brings the stroke back
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => pixelAt(canvas, x, y)).toEqual(painted)
    await page.keyboard.press('Control+z')
    await expect.poll(() => pixelAt(canvas, x, y)).toEqual(before)
  })

  it('saves the edited slice as a new mask version and compares it with the model version', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    const k = Number(await canvas.getAttribute('data-rendered-slice'))
    await page.getByTestId('label-ggo').click()
    await stroke(page, canvas, [200, 70], [300, 70])
    // a polygon with the lasso: three corners, closed with Enter
    await page.keyboard.press('l')
    for (const [px, py] of [
      [120, 420],
      [180, 420],
      [150, 470]
    ] as const) {
      const at = await screenOf(canvas, px, py)
      await page.mouse.click(at.x, at.y)
    }
    await expect(page.getByTestId('lasso-path').isVisible()).resolves.toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => pixelAt(canvas, 150, 440).then((p) => p[0] > p[2] + 40)).toBe(true) // ground-glass amber
    await page.keyboard.press('b')

    await page.getByTestId('save-version').click()
    await page.getByTestId('save-message').waitFor()
    await expect(page.getByTestId('save-message').textContent()).resolves.toMatch(/Saved version 2/)
    const versions = await ws.service.invoke('masks.list', { seriesId })
    expect(versions.map((v) => [v.version, v.source, v.author])).toEqual([
      [1, 'model', 'Pulmo'],
      [2, 'annotator', 'Dr Lee']
    ])
    expect(versions[1].trainingSlices).toEqual([k])
    const labels = await ws.service.invoke('masks.voxels', { seriesId })
    expect(labels[k * 512 * 512 + 70 * 512 + 250]).toBe(1)
    expect(labels[k * 512 * 512 + 440 * 512 + 150]).toBe(1)
    await expect.poll(() => page.getByTestId('version-row').count()).toBe(2)

    // comparing with version 1 marks the painted voxels as added (green)
    await page.locator('[data-testid="version-row"][data-version="1"] [data-testid="version-compare"]').click()
    await page.getByTestId('compare-banner').waitFor()
    await expect.poll(() => pixelAt(canvas, 250, 70).then((p) => p[1] > p[0] + 40)).toBe(true)
    await page.getByTestId('compare-stop').click()
  })

  it('paints only inside the lung when asked, and fills a lung region in the slice', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    const k = Number(await canvas.getAttribute('data-rendered-slice'))
    const lungs = await ws.service.invoke('masks.lungs', { seriesId })
    const labels = await ws.service.invoke('masks.voxels', { seriesId })
    const at = (x: number, y: number): number => k * 512 * 512 + y * 512 + x
    // a row through the right lung (image left): the lung's lateral border with unlabelled voxels either side
    let row = -1
    let border = -1
    for (let y = 200; y < 330 && row < 0; y += 2) {
      for (let x = 100; x < 250; x++) {
        if (
          lungs[at(x, y)] === 0 &&
          lungs[at(x + 1, y)] === 1 &&
          [-6, -3, 3, 6].every((d) => lungs[at(x + d, y)] === (d < 0 ? 0 : 1) && labels[at(x + d, y)] === 0)
        ) {
          row = y
          border = x
          break
        }
      }
    }
    expect(row).toBeGreaterThan(0)
    await page.getByTestId('overlay-lungs').uncheck()
    await page.getByTestId('constraint-lung').check()
    await page.getByTestId('tool-brush').click()
    await page.getByTestId('label-consolidation').click()
    const outside = await pixelAt(canvas, border - 6, row)
    const inside = await pixelAt(canvas, border + 6, row)
    await stroke(page, canvas, [border - 8, row], [border + 36, row])
    await expect.poll(() => pixelAt(canvas, border + 6, row)).not.toEqual(inside)
    expect(await pixelAt(canvas, border - 6, row)).toEqual(outside)
    // the radiologist's view: outline on, the brush hovering in the lung, the stroke clipped at the border
    await page.getByTestId('overlay-lungs').check()
    const hoverAt = await screenOf(canvas, border + 30, row + 24)
    await page.mouse.move(hoverAt.x, hoverAt.y)
    await page.screenshot({ path: join(screenshots, 'annotation.png') })
    await page.getByTestId('overlay-lungs').uncheck()
    await page.keyboard.press('Control+z')
    await expect.poll(() => pixelAt(canvas, border + 6, row)).toEqual(inside)

    // fill from inside the lung, bounded by the lung: a far lung voxel is filled, the body is not
    const far = (() => {
      for (let x = border + 40; x < border + 120; x++) if (lungs[at(x, row)] === 1 && labels[at(x, row)] === 0) return x
      return -1
    })()
    expect(far).toBeGreaterThan(0)
    const farBefore = await pixelAt(canvas, far, row)
    await page.keyboard.press('f')
    const click = await screenOf(canvas, border + 6, row)
    await page.mouse.click(click.x, click.y)
    await expect.poll(() => pixelAt(canvas, far, row)).not.toEqual(farBefore)
    expect(await pixelAt(canvas, border - 6, row)).toEqual(outside)
    await page.keyboard.press('Control+z')
    await expect.poll(() => pixelAt(canvas, far, row)).toEqual(farBefore)
    await page.getByTestId('constraint-lung').uncheck()
    await page.getByTestId('overlay-lungs').check()
    await page.keyboard.press('b')
  })

  it('refuses a stale save with a clear message and reapplies the edits on the newer version', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    const k = Number(await canvas.getAttribute('data-rendered-slice'))
    const other = k === 0 ? 1 : 0
    await page.getByTestId('label-consolidation').click()
    await stroke(page, canvas, [220, 40], [290, 40])
    // another workstation saves version 3 meanwhile (a mark on the other slice)
    await ws.service.invoke('masks.save', {
      seriesId,
      baseVersion: 2,
      slices: [{ k: other, runs: [0, 1000, 2, 24, 0, 512 * 512 - 1024] }]
    })
    await page.getByTestId('save-version').click()
    await page.getByTestId('conflict-message').waitFor()
    await expect(page.getByTestId('conflict-message').textContent()).resolves.toMatch(
      /version 3 was saved since you opened version 2/
    )
    await page.getByTestId('conflict-reapply').click()
    await expect
      .poll(() => page.getByTestId('save-message').textContent())
      .toMatch(/Loaded version 3 and reapplied your edits on 1 slice/)
    await page.getByTestId('save-version').click()
    await expect.poll(() => page.getByTestId('save-message').textContent()).toMatch(/Saved version 4/)
    const labels = await ws.service.invoke('masks.voxels', { seriesId })
    expect(labels[k * 512 * 512 + 40 * 512 + 250]).toBe(2) // my stroke
    expect(labels[other * 512 * 512 + 1010]).toBe(2) // their edit kept
    const versions = await ws.service.invoke('masks.list', { seriesId })
    expect(versions.at(-1)).toMatchObject({ version: 4, parentVersion: 3, author: 'Dr Lee' })
  })

  it('views an earlier version read-only and reverts to it as a new version', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    const v1Row = page.locator('[data-testid="version-row"][data-version="1"]')
    await v1Row.getByTestId('version-view').click()
    await expect.poll(() => canvas.getAttribute('data-rendered-overlay')).toBe('version-1')
    await page.getByTestId('viewing-banner').waitFor()
    await expect(page.getByTestId('tool-brush').isDisabled()).resolves.toBe(true)
    await page.getByTestId('viewing-stop').click()
    await expect.poll(() => canvas.getAttribute('data-rendered-overlay')).toBe('working')

    await v1Row.getByTestId('version-revert').click()
    await page.getByTestId('confirm-ok').click()
    await expect
      .poll(() => page.getByTestId('save-message').textContent())
      .toMatch(/Reverted to version 1: saved as version 5/)
    const [v1, v5] = await Promise.all([
      ws.service.invoke('masks.voxels', { seriesId, version: 1 }),
      ws.service.invoke('masks.voxels', { seriesId, version: 5 })
    ])
    expect(Buffer.from(v5).equals(Buffer.from(v1))).toBe(true)
    await expect.poll(() => page.getByTestId('version-row').count()).toBe(5)
    // back to the model's labels is a revert, not a correction: no training data
    const v5Row = page.locator('[data-testid="version-row"][data-version="5"]')
    await expect(v5Row.getByTestId('version-source').textContent()).resolves.toBe('Reverted to v1')
    await expect(v5Row.getByTestId('version-training').count()).resolves.toBe(0)
    // the corrections come back with version 4 (the retraining below trains on them)
    await page.locator('[data-testid="version-row"][data-version="4"]').getByTestId('version-revert').click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(() => page.getByTestId('version-row').count()).toBe(6)
    const versions = await ws.service.invoke('masks.list', { seriesId })
    expect(versions.at(-1)).toMatchObject({ version: 6, revertedTo: 4 })
    expect(versions.at(-1)!.trainingSlices.length).toBeGreaterThan(0)
  })

  it('opens the report editor, changes a region score live, saves, and exports the PDF holding it', async () => {
    const { page } = ws
    await page.getByTestId('nav-report').click()
    await page.getByTestId('report-view').waitFor()
    const original = (await ws.service.invoke('reports.get', { seriesId }))!
    const r1 = original.regions.find((r) => r.id === 'R1')!
    const newScore = r1.score === 2 ? 1 : 2
    await expect(page.getByTestId('report-ctss-final').textContent()).resolves.toBe(String(original.ctss.final))
    // the rule that makes a region count is said beside the table
    await expect(page.getByTestId('involvement-rule').textContent()).resolves.toContain('at least 0.5 mL and 0.1 %')
    await page.getByTestId('region-score-R1').selectOption(String(newScore))
    const expectedTotal = original.ctss.final - r1.score + newScore
    await expect.poll(() => page.getByTestId('report-ctss-final').textContent()).toBe(String(expectedTotal))
    await expect(
      page.locator('[data-testid="region-row"][data-region-id="R1"]').getAttribute('class')
    ).resolves.toContain('pending')
    await page
      .getByTestId('report-findings')
      .fill('Bilateral peripheral ground-glass opacities, predominantly in the lower lobes.')
    await page.getByTestId('report-impression').fill('Findings compatible with COVID-19 pneumonia.')
    await page.getByTestId('report-save').click()
    await expect.poll(() => page.getByTestId('report-message').textContent()).toContain('Report saved')
    const saved = (await ws.service.invoke('reports.get', { seriesId }))!
    expect(saved.regions.find((r) => r.id === 'R1')!.edited).toMatchObject({ score: newScore, by: 'Dr Lee' })
    expect(saved.ctss.final).toBe(expectedTotal)
    await expect(page.getByTestId('region-change-R1').textContent()).resolves.toMatch(
      new RegExp(`${r1.score}\\s*→\\s*${newScore}.*Dr Lee`)
    )
    await page.screenshot({ path: join(screenshots, 'report.png') })

    // the browser download is a PDF whose text holds the edited score
    const downloaded = page.waitForEvent('download')
    await page.getByTestId('report-export').click()
    const download = await downloaded
    const file = join(dir.path, 'download.pdf')
    await download.saveAs(file)
    expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('%PDF')
    const row = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
      .split('\n')
      .find((line) => line.includes('R1 apical'))
    expect(row).toMatch(new RegExp(`${r1.score}\\s+${r1.score} → ${newScore} \\(Dr Lee`))

    // and the same through the service with a path (what the desktop app does)
    const path = join(dir.path, 'service.pdf')
    await ws.service.invoke('reports.pdf', { reportId: saved.id, path })
    expect(execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' })).toContain(
      `${r1.score} → ${newScore} (Dr Lee`
    )
  })

  it('signs the report, which then becomes read-only', async () => {
    const { page } = ws
    await page.getByTestId('report-sign').click()
    await page.getByTestId('confirm-ok').click()
    await page.getByTestId('report-signed').waitFor()
    await expect(page.getByTestId('region-score-R2').isDisabled()).resolves.toBe(true)
    await expect(page.getByTestId('report-findings').getAttribute('readonly')).resolves.not.toBeNull()
    const signed = (await ws.service.invoke('reports.get', { seriesId }))!
    expect(signed.signedBy).toBe('Dr Lee')
  })

  it('retrains on the corrected slice: the loss curve grows live and the new model can be made active', async () => {
    const { page } = ws
    await page.getByTestId('nav-training').click()
    await page.getByTestId('training-view').waitFor()
    const seriesBox = page.getByTestId(`training-series-${seriesId}`)
    await expect.poll(() => seriesBox.isChecked(), { timeout: 15_000 }).toBe(true)
    await page.getByTestId('training-bundled').uncheck()
    await page.getByTestId('training-epochs').fill('3')
    await page.getByTestId('training-input-size').selectOption('64')
    await expect.poll(() => page.getByTestId('training-base-model').locator('option').count()).toBeGreaterThan(0)
    await page.getByTestId('training-start').click()
    const chart = page.getByTestId('loss-chart')
    await chart.waitFor({ timeout: 30_000 })
    // a handful of corrected slices leave nothing to hold out, and the chart says so (not "yet")
    await expect(page.getByTestId('dice-chart').textContent()).resolves.toMatch(
      /No validation: \d training slices? (is|are) too few to hold out a fold \(needs 10 or more\)/
    )
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 240_000, interval: 250 })
      .toBeGreaterThan(0)
    // pause after the current step, then resume from the checkpoint
    await page.getByTestId('training-pause').click()
    await expect
      .poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 240_000 })
      .toBe('paused')
    const paused = Number(await chart.getAttribute('data-points'))
    // at 1280×800, with a run in the monitor (its note, losses, the dice chart's note), no text is cut off
    await page.setViewportSize({ width: 1280, height: 800 })
    expect(await clippedTexts(page, '[data-testid=training-view]')).toEqual([])
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.getByTestId('training-resume').click()
    await expect
      .poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('running')
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 240_000, interval: 250 })
      .toBeGreaterThan(paused)
    await expect(page.getByTestId('run-backend').textContent()).resolves.toMatch(/wasm/)
    await page.screenshot({ path: join(screenshots, 'retraining.png') })
    await expect
      .poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 240_000 })
      .toBe('finished')
    await expect(page.getByTestId('run-step').textContent()).resolves.toMatch(/Step (\d+) of \1/)
    await page.setViewportSize({ width: 1280, height: 800 })
    expect(await clippedTexts(page, '[data-testid=training-view]')).toEqual([])
    await page.setViewportSize({ width: 1920, height: 1080 })

    const runs = await ws.service.invoke('training.list', {})
    const modelId = runs.at(-1)!.modelId!
    expect(modelId).toBeGreaterThan(0)
    // the new model in words: what it learnt from, no folder path, no figures to judge it by
    const row = page.locator(`[data-testid="model-row"][data-model-id="${modelId}"]`)
    await expect(row.getByTestId('model-data').textContent()).resolves.toMatch(
      /^\s*\d corrected slices? from 1 series\s*·\s*trained on \d slices?\s*$/
    )
    await expect(row.getByTestId('model-metrics').textContent()).resolves.toMatch(/No validation figures/)
    // the page fits a 1600 px window: no sideways scrolling with a finished run in the table
    await page.setViewportSize({ width: 1600, height: 1000 })
    await expect
      .poll(() =>
        page.evaluate(() => {
          type Root = { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
          const root = (globalThis as unknown as Root).document.documentElement
          return root.scrollWidth - root.clientWidth
        })
      )
      .toBeLessThanOrEqual(0)
    await page.screenshot({ path: join(screenshots, 'retraining-1600.png'), fullPage: true })
    await page.setViewportSize({ width: 1920, height: 1080 })
    // a model trained on a slice or two, without validation, becomes active only when confirmed
    await page.getByTestId(`model-activate-${modelId}`).click()
    await page.getByTestId('confirm-dialog').waitFor()
    await expect(page.getByTestId('confirm-dialog').textContent()).resolves.toMatch(
      /trained on \d slices?, fewer than the 20 this workstation asks for, and it has no validation figures/
    )
    await page.getByTestId('confirm-cancel').click()
    expect((await ws.service.invoke('models.list', {})).find((m) => m.active)?.id).not.toBe(modelId)
    await page.getByTestId(`model-activate-${modelId}`).click()
    await page.getByTestId('confirm-ok').click()
    await expect.poll(async () => (await ws.service.invoke('models.list', {})).find((m) => m.active)?.id).toBe(modelId)
  }, 600_000)
})
