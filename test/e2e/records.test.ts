import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { finalScores, automaticScoresOfView } from '../../src/shared/severityScoring'
import { copyMostInferiorSlices, photographs } from '../helpers/chestCt'
import { lungmaskSlices, p002, projectRoot, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'
import { openWorkstation, type Workstation } from './harness'

const screenshots = join(projectRoot, 'docs/screenshots')

/** Screen position of the centre of voxel (x, y) of the axial canvas (canvas pixels are voxels). */
async function screenOf(canvas: Locator, x: number, y: number, size = 512): Promise<{ x: number; y: number }> {
  const box = (await canvas.boundingBox())!
  return { x: box.x + ((x + 0.5) * box.width) / size, y: box.y + ((y + 0.5) * box.height) / size }
}

async function stroke(page: Page, canvas: Locator, from: [number, number], to: [number, number]): Promise<void> {
  const start = await screenOf(canvas, ...from)
  const end = await screenOf(canvas, ...to)
  await page.mouse.move(start.x, start.y)
  await page.mouse.down()
  await page.mouse.move(end.x, end.y, { steps: 10 })
  await page.mouse.up()
}

function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

async function download(page: Page, button: Locator, file: string): Promise<string> {
  const downloaded = page.waitForEvent('download')
  await button.click()
  await (await downloaded).saveAs(file)
  return pdfText(file)
}

/** The figures as the screen formats them (one decimal, or two under 1 %). */
function shownPercent(p: number): string {
  return p === 0 ? '0' : p < 1 ? p.toFixed(2) : p.toFixed(1)
}

describe('the reading workflow a radiologist signs, in Chromium', () => {
  const dir = tempDir('pulmo-e2e-records-')
  let ws: Workstation
  let seriesId: number
  let abdomenId: number

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    await copyMostInferiorSlices(p002, 25, join(dir.path, 'inferior'))
    ws = await openWorkstation({
      modelDir,
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
        seriesId = (await service.invoke('studies.import', { paths: [lungmaskSlices] })).created[0]
        abdomenId = (await service.invoke('studies.import', { paths: [join(dir.path, 'inferior')] })).created[0]
      }
    })
  }, 180_000)
  afterAll(async () => {
    await ws?.close()
    dir.remove()
  })

  async function openSeries(id: number): Promise<void> {
    const { page } = ws
    await page.getByTestId('nav-reading').click()
    const studies = await ws.service.invoke('studies.list', {})
    const index = studies.findIndex((s) => s.series.some((x) => x.id === id))
    await page.getByTestId('study-row').nth(index).click()
    await page.getByTestId('series-row').first().click()
    await expect
      .poll(() => page.getByTestId('viewer-canvas').getAttribute('data-rendered-slice'), { timeout: 60_000 })
      .not.toBeNull()
  }

  /** Clicks Analyze; on a corrected series the choice it asks for (see AnalyzeChoiceDialog). */
  async function analyse(choice?: 'rescore' | 'corrected' | 'model'): Promise<string> {
    const { page } = ws
    await page.getByTestId('analyze-button').click()
    if (choice) await page.getByTestId(`analyze-choice-${choice}`).click()
    const message = page.getByTestId('analysis-message')
    await message.waitFor({ timeout: 300_000 })
    return (await message.textContent()) ?? ''
  }

  it('refuses a photograph in the import dialog and an abdomen-only series at Analyze, with the reason on screen', async () => {
    const { page } = ws
    const studiesBefore = await ws.service.invoke('studies.list', {})
    await page.getByTestId('nav-reading').click()
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-path').fill(join(photographs, 'circuit-board.jpg'))
    await page.getByTestId('import-submit').click()
    await page.getByTestId('import-error').waitFor({ timeout: 60_000 })
    await expect(page.getByTestId('import-error').textContent()).resolves.toContain(
      'Not imported: circuit-board.jpg is not a chest CT: the image is a colour photograph (modality XC), not a CT; Pulmo scores chest CT only.'
    )
    expect(await ws.service.invoke('studies.list', {})).toEqual(studiesBefore)
    await page.getByTestId('import-dialog').getByRole('button', { name: 'Cancel' }).click()

    await openSeries(abdomenId)
    const abdomenMessage = await analyse()
    expect(abdomenMessage).toMatch(/^\s*Not analysed\.\s+Not a chest CT: no slice shows two lungs filling a chest/)
    expect(abdomenMessage).toContain('abdomen')
    await expect(page.getByTestId('scores-empty').isVisible()).resolves.toBe(true)
    await page.getByRole('button', { name: 'Dismiss' }).click()
  }, 400_000)

  it('corrects the mask → rescores → reports → signs → the PDF says the corrected version and figures', async () => {
    const { page } = ws
    await openSeries(seriesId)
    expect(await analyse()).toContain('The series has 2 slices')
    // the partial-coverage warning is on screen, and the panel says which mask it scores
    await expect.poll(() => page.getByTestId('scores-warning').textContent()).toContain('The series has 2 slices')
    await expect.poll(() => page.getByTestId('scores-mask').textContent()).toBe('mask v1 (model)')
    const v1 = (await ws.service.invoke('reports.get', { seriesId }))!

    // paint consolidation across the right lung of the shown slice
    const canvas = page.getByTestId('viewer-canvas')
    const k = Number(await canvas.getAttribute('data-rendered-slice'))
    const lungs = await ws.service.invoke('masks.lungs', { seriesId })
    let row = -1
    let from = -1
    for (let y = 200; y < 330 && row < 0; y += 2) {
      const line = lungs.subarray(k * 512 * 512 + y * 512, k * 512 * 512 + (y + 1) * 512)
      const first = line.findIndex((v) => v === 1)
      if (first >= 0 && line.subarray(first, first + 80).every((v) => v === 1)) {
        row = y
        from = first
      }
    }
    expect(row).toBeGreaterThan(0)
    await page.getByTestId('tool-brush').click()
    await page.getByTestId('label-consolidation').click()
    await page.getByTestId('brush-size').fill('20')
    await stroke(page, canvas, [from + 12, row], [from + 68, row])
    await page.getByTestId('save-version').click()
    await expect
      .poll(() => page.getByTestId('save-message').textContent())
      .toMatch(/Saved version 2: 1 corrected slice marked as training data/)

    // the scores follow version 2 without re-running the model: the number on screen is the service's
    const v2 = (await ws.service.invoke('reports.get', { seriesId }))!
    expect(v2).toMatchObject({ id: v1.id, maskVersion: 2 })
    expect(v2.consolidationVolumeMl).toBeGreaterThan(v1.consolidationVolumeMl + 0.5)
    await expect.poll(() => page.getByTestId('scores-mask').textContent()).toBe('mask v2 (corrected by Dr Lee)')
    await expect
      .poll(() => page.getByTestId('score-percent-total').textContent())
      .toContain(shownPercent(v2.percentInfected.total))
    expect(shownPercent(v2.percentInfected.total)).not.toBe(shownPercent(v1.percentInfected.total))
    await expect(page.getByTestId('version-scored').count()).resolves.toBe(1)

    // the report: the same version; the radiologist scores the right upper lobe ≥ 50 %: CT-SS, lobar score and class follow
    await page.getByTestId('nav-report').click()
    await expect
      .poll(() => page.getByTestId('report-mask').textContent())
      .toBe('scored from mask version 2 (corrected by Dr Lee)')
    await expect(page.getByTestId('report-warning').textContent()).resolves.toContain('The series has 2 slices')
    const rul = v2.regions.filter((r) => r.lobe === 'RUL' || r.lobe === 'RLL')
    for (const region of rul) await page.getByTestId(`region-score-${region.id}`).selectOption('2')
    const expected = finalScores(
      automaticScoresOfView(v2),
      rul.map((r) => ({ regionId: r.id, score: 2, by: 'Dr Lee', at: 'now' }))
    )
    expect(expected.lobar.final).toBeGreaterThan(expected.lobar.automatic)
    await expect.poll(() => page.getByTestId('report-ctss-final').textContent()).toBe(String(expected.ctss.final))
    await expect(page.getByTestId('report-lobar-total').textContent()).resolves.toBe(String(expected.lobar.final))
    await expect(page.getByTestId('report-lobar-auto').textContent()).resolves.toBe(String(expected.lobar.automatic))
    await expect(page.getByTestId('report-severity').textContent()).resolves.toMatch(
      new RegExp(expected.severity.final, 'i')
    )
    const rulFinal = expected.lobes.find((l) => l.id === 'RUL')!
    expect(rulFinal.final).toBe(4)
    await expect(page.getByTestId('lobe-score-RUL').textContent()).resolves.toMatch(
      new RegExp(`${rulFinal.automatic}\\s*→\\s*4`)
    )
    await page
      .getByTestId('report-findings')
      .fill('Consolidation in the right lung, corrected on slice ' + (k + 1) + '.')
    await page.getByTestId('report-save').click()
    await expect.poll(() => page.getByTestId('report-message').textContent()).toContain('Report saved')
    const saved = (await ws.service.invoke('reports.get', { seriesId }))!
    expect(saved.lobarTotal).toBe(expected.lobar.final)
    expect(saved.severity).toBe(expected.severity.final)

    await page.getByTestId('report-sign').click()
    await page.getByTestId('confirm-ok').click()
    await page.getByTestId('report-signed').waitFor()
    const signed = (await ws.service.invoke('reports.get', { seriesId }))!

    // the shared PDF (de-identified): the corrected version, the final figures, every date shifted alike
    const text = await download(page, page.getByTestId('report-export'), join(dir.path, 'shared.pdf'))
    expect(text).toMatch(
      /Mask version 2 \(corrected by Dr Lee, \d{4}-\d\d-\d\d \d\d:\d\d UTC\): volumes, percentages, scores/
    )
    expect(text).toContain(`CT severity score (CT-SS): ${expected.ctss.final} / 40`)
    expect(text).toContain(`Lobar score: ${expected.lobar.final} / 25 (automatic ${expected.lobar.automatic})`)
    expect(text).toContain(`Severity class: ${expected.severity.final}`)
    expect(text).toContain(`${shownPercent(v2.percentInfected.total)} % of the lungs`)
    const generated = /Generated (\d{4}-\d\d-\d\d)/.exec(text)![1]
    const signedOn = /Signed by Dr Lee at (\d{4}-\d\d-\d\d)/.exec(text)![1]
    const realDay = signed.signedAt!.slice(0, 10)
    expect(signedOn).not.toBe(realDay)
    expect(generated).toBe(signedOn)
    // the screen is the identified view: the real date
    await expect(page.getByTestId('report-signed').textContent()).resolves.toContain('Dr Lee')
  }, 600_000)

  it('re-analysis leaves the signed report on record: an amendment names it, its signed PDF stays viewable', async () => {
    const { page } = ws
    const signed = (await ws.service.invoke('reports.get', { seriesId }))!
    await page.getByTestId('nav-reading').click()
    // the working mask is the radiologist's: Analyze asks; here the model's new segmentation becomes the base
    await analyse('model')
    await page.getByTestId('nav-report').click()
    await expect
      .poll(() => page.getByTestId('report-amends').textContent())
      .toMatch(new RegExp(`amends report ${signed.id}, signed by\\s+Dr Lee`))
    await expect(page.getByTestId('report-sign').isDisabled()).resolves.toBe(false)
    await expect(page.getByTestId('report-findings').inputValue()).resolves.toBe(signed.findings)
    await expect(page.getByTestId('report-mask').textContent()).resolves.toBe(
      'scored from mask version 3 (the model’s)'
    )
    const row = page.locator(`[data-testid="history-row"][data-report-id="${signed.id}"]`)
    await expect(row.textContent()).resolves.toContain('Dr Lee')
    const text = await download(page, row.getByTestId('history-signed-pdf'), join(dir.path, 'signed.pdf'))
    expect(text).toContain('Mask version 2 (corrected by Dr Lee')
    expect(text).toMatch(/Signed by Dr Lee at \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    await row.getByTestId('history-view').click()
    await expect.poll(() => page.getByTestId('history-record-ctss').textContent()).toBe(String(signed.ctss.final))
    mkdirSync(screenshots, { recursive: true })
    await page.screenshot({ path: join(screenshots, 'report-amendment.png'), fullPage: true })
    // the study keeps its Reported badge
    await page.getByTestId('nav-reading').click()
    const studies = await ws.service.invoke('studies.list', {})
    const index = studies.findIndex((s) => s.series.some((x) => x.id === seriesId))
    expect(studies[index].status.reported).toBe(true)
    await expect.poll(() => page.getByTestId('study-row').nth(index).textContent()).toContain('Reported')
  }, 400_000)

  it('reverting to the model’s version is labelled a revert, not a correction (no training data)', async () => {
    const { page } = ws
    const v3 = page.locator('[data-testid="version-row"][data-version="3"]')
    await page.locator('[data-testid="version-row"][data-version="2"]').getByTestId('version-revert').click()
    await page.getByTestId('confirm-ok').click()
    await expect
      .poll(() => page.getByTestId('save-message').textContent())
      .toMatch(/Reverted to version 2: saved as version 4/)
    await page.locator('[data-testid="version-row"][data-version="4"]').waitFor()
    await v3.waitFor()
    await page.locator('[data-testid="version-row"][data-version="1"]').getByTestId('version-revert').click()
    await page.getByTestId('confirm-ok').click()
    const v5 = page.locator('[data-testid="version-row"][data-version="5"]')
    await v5.waitFor()
    await expect(v5.getByTestId('version-source').textContent()).resolves.toBe('Reverted to v1')
    await expect(v5.getByTestId('version-training').count()).resolves.toBe(0)
    const v4 = page.locator('[data-testid="version-row"][data-version="4"]')
    await expect(v4.getByTestId('version-source').textContent()).resolves.toBe('Reverted to v2')
    await expect(v4.getByTestId('version-training').textContent()).resolves.toMatch(/1 corrected slice/)
    const versions = await ws.service.invoke('masks.list', { seriesId })
    expect(versions.at(-1)).toMatchObject({ version: 5, revertedTo: 1, trainingSlices: [] })
    await expect.poll(() => page.getByTestId('scores-mask').textContent()).toBe('mask v5 (reverted to v1)')
  }, 300_000)
})
