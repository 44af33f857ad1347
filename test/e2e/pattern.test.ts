import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyseSeries } from '../helpers/analyse'
import { lungmaskSlices, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'
import { openWorkstation, type Workstation } from './harness'

/** The report editor's CT pattern card, in Chromium: Pulmo's proposal with its evidence, then the radiologist's category. */
describe('the CT pattern on the report editor', () => {
  const dir = tempDir('pulmo-e2e-pattern-')
  let ws: Workstation
  let seriesId: number

  beforeAll(async () => {
    const modelDir = await saveTinyModel(dir.path)
    ws = await openWorkstation({
      modelDir,
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
        seriesId = (await service.invoke('studies.import', { paths: [lungmaskSlices] })).created[0]
        const ended = await analyseSeries(service, seriesId)
        if (ended.status !== 'finished') throw new Error(ended.message)
      }
    })
  }, 300_000)
  afterAll(async () => {
    await ws?.close()
    dir.remove()
  })

  it('shows the proposal and its evidence, and the category the radiologist sets is the report’s', async () => {
    const { page } = ws
    await page.getByTestId('nav-reading').click()
    await page.getByTestId('study-row').first().click()
    await page.getByTestId('series-row').first().click()
    await page.getByTestId('nav-report').click()
    const proposed = (await ws.service.invoke('reports.get', { seriesId }))!.pattern.proposed!
    await expect.poll(() => page.getByTestId('report-pattern-evidence').textContent(), { timeout: 60_000 }).toBe(proposed.evidence)
    await expect(page.getByTestId('report-pattern-source').textContent()).resolves.toContain('proposed by Pulmo')
    await expect(page.getByTestId('report-pattern-corads').textContent()).resolves.toContain(`CO-RADS ${proposed.coRads}`)

    await page.getByTestId('report-pattern-rsna-select').selectOption('atypical')
    await page.getByTestId('report-pattern-corads-select').selectOption('2')
    await page.getByTestId('report-pattern-note').fill('lobar consolidation on the full scan')
    await page.getByTestId('report-pattern-set').click()
    await expect.poll(() => page.getByTestId('report-pattern-source').textContent()).toBe('set by Dr Lee')
    await expect(page.getByTestId('report-pattern-rsna').textContent()).resolves.toBe('RSNA atypical appearance')
    const view = (await ws.service.invoke('reports.get', { seriesId }))!
    expect(view.pattern.final).toMatchObject({ rsna: 'atypical', coRads: 2, source: 'radiologist' })
    expect(view.pattern.override?.note).toBe('lobar consolidation on the full scan')

    await page.getByTestId('report-pattern-reset').click()
    await expect.poll(() => page.getByTestId('report-pattern-source').textContent()).toContain('proposed by Pulmo')
    expect((await ws.service.invoke('reports.get', { seriesId }))!.pattern.override).toBeNull()
  }, 120_000)
})
