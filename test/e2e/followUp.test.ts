import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { lobeSummary, matchedSlice, TREND_RULE } from '../../src/shared/followUp'
import type { PulmoService } from '../../src/main/services'
import { addGroundGlassInLobe } from '../helpers/lobeEdit'
import { lungmaskSlices, projectRoot, tempDir } from '../helpers/paths'
import { retagSeries } from '../helpers/retag'
import { openWorkstation, type Workstation } from './harness'
import { analyseSeries } from '../helpers/analyse'

const screenshots = join(projectRoot, 'docs/screenshots')

async function analyse(service: PulmoService, seriesId: number): Promise<void> {
  const result = await analyseSeries(service, seriesId)
  if (result.status !== 'finished') throw new Error(result.message)
}

/**
 * The follow-up in Chromium: three studies of one patient (the real lungmask slices re-tagged with
 * dcmjs, analysed with the bundled models; the latest with 4000 voxels of ground glass painted into
 * its right lower lobe), grouped in the study browser, compared side by side, and carried by the report.
 */
describe('follow-up comparison in the workstation', () => {
  const dir = tempDir('pulmo-e2e-follow-up-')
  let ws: Workstation
  const ids: number[] = []

  beforeAll(async () => {
    const patient = { patientId: 'LM-0042', patientName: 'Lung^Mask' }
    const dates = ['20200301', '20200315', '20200405']
    ws = await openWorkstation({
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
        for (const [n, studyDate] of dates.entries()) {
          const copy = retagSeries(lungmaskSlices, join(dir.path, `study-${n}`), { ...patient, studyDate })
          ids.push((await service.invoke('studies.import', { paths: [copy] })).created[0])
        }
        const other = retagSeries(lungmaskSlices, join(dir.path, 'other'), { patientId: 'LM-0077', patientName: 'Other^Person', studyDate: '20200310' })
        await service.invoke('studies.import', { paths: [other] })
        for (const id of ids) await analyse(service, id)
        await addGroundGlassInLobe(service, ids[2], 'RLL', 4000)
        const first = (await service.invoke('reports.get', { seriesId: ids[0] }))!
        await service.invoke('reports.sign', { reportId: first.id })
      }
    })
    mkdirSync(screenshots, { recursive: true })
  }, 600_000)
  afterAll(async () => {
    await ws?.close()
    dir.remove()
  })

  it('groups the patient’s studies by date and compares two of them side by side at matched levels', async () => {
    const { page, service } = ws
    const groups = page.getByTestId('patient-group')
    await expect.poll(() => groups.count(), { timeout: 30_000 }).toBe(2)
    const patient = page.locator('[data-testid="patient-group"][data-studies="3"]')
    await expect(patient.getByTestId('patient-group-head').textContent()).resolves.toContain('3 studies')
    // newest first inside the group
    const rowDates = await patient.locator('.study-date').allTextContents()
    expect(rowDates).toEqual(['2020-04-05', '2020-03-15', '2020-03-01'])
    expect(await patient.getByTestId('study-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-study-id'))))).toEqual(
      [...(await service.invoke('studies.list', {}))].filter((s) => s.patientId === 'LM-0042').map((s) => s.id)
    )

    await patient.getByTestId('study-row').first().click()
    const select = page.getByTestId('compare-with-select')
    await expect(select.locator('option').count()).resolves.toBe(2)
    const earliestStudy = (await service.invoke('studies.list', {})).find((s) => s.series[0].id === ids[0])!
    await select.selectOption(String(earliestStudy.id))
    await page.getByTestId('compare-with-button').click()

    await page.getByTestId('compare-view').waitFor()
    const before = page.getByTestId('compare-canvas-before')
    const after = page.getByTestId('compare-canvas-after')
    await expect.poll(() => before.getAttribute('data-rendered-slice'), { timeout: 60_000 }).not.toBeNull()
    await expect.poll(() => after.getAttribute('data-rendered-slice'), { timeout: 60_000 }).not.toBeNull()
    await expect(page.getByTestId('compare-interval').textContent()).resolves.toContain('35 days apart')
    await expect(page.getByTestId('compare-level-note').textContent()).resolves.toContain('approximate')
    await expect(page.getByTestId('compare-level-note').textContent()).resolves.toContain('table position relative to the lungs’ extent')

    const c = await service.invoke('comparison.compare', { seriesA: ids[0], seriesB: ids[2] })
    // the levels follow the lungs' extent: moving the earlier study moves the later one to the matched slice
    for (const k of [0, 1]) {
      await page.getByTestId('compare-level').fill(String(k))
      await expect.poll(() => before.getAttribute('data-rendered-slice')).toBe(String(k))
      const expected = matchedSlice(k, c.before.lungExtent!, c.after.lungExtent!, c.after.slices)
      await expect.poll(() => after.getAttribute('data-rendered-slice')).toBe(String(expected))
    }
    // both overlays: the later study shows more infected voxels on the painted slice
    const infected = async (canvas: typeof before): Promise<number> => Number(await canvas.getAttribute('data-infected-voxels'))
    const shownBefore = await infected(before)
    expect(shownBefore).toBeGreaterThan(0)
    const byVersion = async (seriesId: number, version: number | null, k: number): Promise<number> => {
      const labels = await service.invoke('masks.voxels', { seriesId, ...(version ? { version } : {}) })
      return labels.subarray(k * 512 * 512, (k + 1) * 512 * 512).reduce((n, v) => n + (v ? 1 : 0), 0)
    }
    expect(shownBefore).toBe(await byVersion(ids[0], c.before.maskVersion, 1))
    expect(await infected(after)).toBe(await byVersion(ids[2], c.after.maskVersion, Number(await after.getAttribute('data-rendered-slice'))))

    // the change table and the summary: the painted lobe is worse, the others stable
    const rll = c.lobes.find((l) => l.id === 'RLL')!
    await expect(page.getByTestId('compare-trend-lobe-RLL').textContent()).resolves.toBe('worse')
    for (const id of ['RUL', 'RML', 'LUL', 'LLL']) await expect(page.getByTestId(`compare-trend-lobe-${id}`).textContent()).resolves.toBe('stable')
    await expect(page.locator('[data-row="lobe-RLL"] td').nth(2).textContent()).resolves.toBe(`+${rll.change.toFixed(2)} pts`)
    await expect(page.getByTestId('compare-summary').textContent()).resolves.toContain(lobeSummary(rll))
    await expect(page.getByTestId('compare-rule').textContent()).resolves.toBe(TREND_RULE) // resolved, mL noise and the points rule
    // three studies: the trend chart
    await expect(page.getByTestId('compare-trend-chart').getAttribute('data-studies')).resolves.toBe('3')
    await expect(page.getByTestId('compare-trend-line').getAttribute('data-points')).resolves.toBe('6')
    await page.screenshot({ path: join(screenshots, 'compare.png') })
    const changeAndTrend = page.locator('.compare-view .report-columns')
    await changeAndTrend.scrollIntoViewIfNeeded()
    await changeAndTrend.screenshot({ path: join(screenshots, 'compare-change.png') })
  }, 180_000)

  it('the follow-up report shows the comparison section and names the earlier report', async () => {
    const { page, service } = ws
    await page.getByTestId('compare-back').click()
    const patient = page.locator('[data-testid="patient-group"][data-studies="3"]')
    await patient.getByTestId('study-row').first().click()
    await patient.getByTestId('series-row').first().click()
    await expect.poll(() => page.getByTestId('viewer-canvas').getAttribute('data-rendered-slice'), { timeout: 60_000 }).not.toBeNull()
    await page.getByTestId('nav-report').click()
    const section = page.getByTestId('report-follow-up')
    await section.waitFor({ timeout: 30_000 })
    const previous = (await service.invoke('comparison.previous', { seriesId: ids[2] }))!
    // the previous analysed study is the second one (15 March), 21 days earlier, not signed
    expect(previous.before.seriesId).toBe(ids[1])
    await expect(page.getByTestId('report-follow-up-ref').textContent()).resolves.toMatch(
      new RegExp(`Compared with report ${previous.before.reportId} of the study of .*2020.* \\(series ${ids[1]}, mask version 1,\\s+not signed;\\s+21 days earlier\\)`)
    )
    await expect(page.getByTestId('report-follow-up-summary').textContent()).resolves.toContain(lobeSummary(previous.lobes.find((l) => l.id === 'RLL')!))
    await section.screenshot({ path: join(screenshots, 'report-follow-up.png') })
  }, 120_000)
})
