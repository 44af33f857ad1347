/**
 * The workstation against a real Orthanc in Chromium: a PACS configured in Settings (the password
 * never reaches the page, the audit log or the API), the PACS source of the study browser (search,
 * pull with progress), Send to PACS on the report with its status, and clear messages for a wrong
 * password and a PACS that is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { openWorkstation, type Workstation } from './harness'
import { startOrthanc, type RunningOrthanc } from '../helpers/orthanc'
import { pacsReadyCopy, type PacsReadyCopy } from '../helpers/pacsData'
import { p002, projectRoot, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'

const screenshots = join(projectRoot, 'docs/screenshots')

describe('the workstation with a PACS (Chromium, real Orthanc)', () => {
  const dir = tempDir('pulmo-e2e-pacs-')
  let ws: Workstation
  let orthanc: RunningOrthanc
  let study: PacsReadyCopy
  const progressSeen: Array<{ done: number; total: number }> = []

  beforeAll(async () => {
    orthanc = await startOrthanc()
    study = pacsReadyCopy(p002, join(dir.path, 'p002'))
    await orthanc.store(study.files)
    const modelDir = await saveTinyModel(dir.path)
    ws = await openWorkstation({
      modelDir,
      setup: (service) => {
        service.settings.set({ backend: 'wasm', userName: 'Dr Lee' })
        service.onEvent((e) => {
          if (e.type === 'progress' && e.label === 'Fetching slices')
            progressSeen.push({ done: e.done, total: e.total })
        })
      }
    })
  })
  afterAll(async () => {
    await ws?.close()
    await orthanc?.close()
    dir.remove()
  })

  it('configures the PACS in Settings; the password stays out of the page, the API and the audit log', async () => {
    const { page } = ws
    await page.getByTestId('settings-button').click()
    await page.getByTestId('pacs-add').click()
    await page.getByTestId('pacs-name').fill('Hospital PACS')
    await page.getByTestId('pacs-url').fill(orthanc.dicomWebUrl)
    await page.getByTestId('pacs-auth').selectOption('basic')
    await page.getByTestId('pacs-user').fill(orthanc.user)
    await page.getByTestId('pacs-secret').fill(orthanc.password)
    await page.getByTestId('pacs-save').click()
    await expect.poll(() => page.getByTestId('pacs-server').count()).toBe(1)
    await expect(page.getByTestId('pacs-server').textContent()).resolves.toMatch(
      /Hospital PACS.*basic, user pulmo \(secret stored\)/
    )
    expect(await page.content()).not.toContain(orthanc.password)
    const servers = await ws.service.invoke('pacs.servers.list', {})
    expect(servers).toEqual([
      {
        id: expect.any(String),
        name: 'Hospital PACS',
        url: orthanc.dicomWebUrl,
        authKind: 'basic',
        user: orthanc.user,
        secretSet: true
      }
    ])
    expect(JSON.stringify(await ws.service.invoke('audit.list', {}))).not.toContain(orthanc.password)
    await page.getByTestId('settings-dialog').getByRole('button', { name: 'Cancel' }).click()
  })

  it('searches the PACS and pulls P002 with progress into the study list', async () => {
    const { page } = ws
    await page.getByTestId('pacs-button').click()
    await page.getByTestId('pacs-query').fill('P002')
    await page.getByTestId('pacs-search').click()
    await expect.poll(() => page.getByTestId('pacs-study').count()).toBe(1)
    await expect(page.getByTestId('pacs-study').textContent()).resolves.toMatch(/P002.*CT.*1/)
    await page.getByTestId('pacs-pull').click()
    await page.getByTestId('pacs-pull-progress-text').waitFor({ timeout: 10_000 })
    await expect
      .poll(() => page.getByTestId('pacs-pull-progress-text').textContent(), { timeout: 10_000 })
      .toMatch(/Fetching slices — \d+ of 133/)
    await expect
      .poll(() => page.getByTestId('pacs-pulled').textContent(), { timeout: 120_000 })
      .toBe('Imported 1 series; it is in the study list.')
    mkdirSync(screenshots, { recursive: true })
    await page.screenshot({ path: join(screenshots, 'pacs-browser.png') })
    expect(progressSeen.at(-1)).toEqual({ done: 133, total: 133 })
    expect(progressSeen.length).toBeGreaterThan(10)
    await page.getByTestId('pacs-close').click()
    await expect.poll(() => page.getByTestId('study-row').count()).toBe(1)
    const [local] = await ws.service.invoke('studies.list', {})
    expect(local.studyInstanceUid).toBe(study.studyInstanceUid)
    expect(local.series[0].slices).toBe(133)
  }, 180_000)

  it('sends the results from the report with their status; once signed, the PDF too; again, nothing twice', async () => {
    const { page } = ws
    await page.getByTestId('study-row').first().click()
    await page.getByTestId('series-row').first().click()
    // 133 slices of 512×512 reach the page before the series is ready to analyse.
    await expect.poll(() => page.getByTestId('analyze-button').isEnabled(), { timeout: 180_000 }).toBe(true)
    await page.getByTestId('analyze-button').click()
    await expect.poll(() => page.getByTestId('score-ctss').isVisible(), { timeout: 900_000 }).toBe(true)
    await page.getByTestId('open-report').click()
    await page.getByTestId('report-view').waitFor()
    await page.getByTestId('send-to-pacs-button').click()
    await expect
      .poll(() => page.getByTestId('send-status').textContent(), { timeout: 120_000 })
      .toBe('Sent to PACS: SR stored, SEG stored.')
    let inStudy = await orthanc.studyInstances(study.studyInstanceUid)
    expect(
      inStudy
        .filter((i) => i.modality !== 'CT')
        .map((i) => i.modality)
        .sort()
    ).toEqual(['SEG', 'SR'])

    await page.getByTestId('report-sign').click()
    await page.getByTestId('confirm-ok').click()
    await page.getByTestId('report-signed').waitFor()
    await page.getByTestId('send-to-pacs-button').click()
    // Signing changes the SR (now verified), adds the PDF; the SEG is the same object.
    await expect
      .poll(() => page.getByTestId('send-status').textContent(), { timeout: 120_000 })
      .toBe('Sent to PACS: SR stored, PDF stored, SEG already there.')
    await page.screenshot({ path: join(screenshots, 'report-send-to-pacs.png') })
    inStudy = await orthanc.studyInstances(study.studyInstanceUid)
    expect(
      inStudy
        .filter((i) => i.modality !== 'CT')
        .map((i) => i.modality)
        .sort()
    ).toEqual(['DOC', 'SEG', 'SR', 'SR'])
    await page.getByTestId('send-to-pacs-button').click()
    await expect
      .poll(() => page.getByTestId('send-status').textContent(), { timeout: 120_000 })
      .toBe('Sent to PACS: SR already there, PDF already there, SEG already there.')
    expect(await orthanc.studyInstances(study.studyInstanceUid)).toHaveLength(inStudy.length)
  }, 1_500_000)

  it('says so clearly when the PACS is down or refuses the password', async () => {
    const { page } = ws
    await orthanc.stop()
    await page.getByTestId('send-to-pacs-button').click()
    await expect
      .poll(() => page.getByTestId('send-error').textContent(), { timeout: 30_000 })
      .toMatch(/Cannot reach the PACS .*nothing listens there/)
    await orthanc.start()

    const [server] = await ws.service.invoke('pacs.servers.list', {})
    await ws.service.invoke('pacs.servers.save', {
      id: server.id,
      name: server.name,
      url: server.url,
      authKind: 'basic',
      user: server.user,
      secret: 'not-the-password'
    })
    await page.getByTestId('nav-reading').click()
    await page.getByTestId('pacs-button').click()
    await page.getByTestId('pacs-search').click()
    await expect
      .poll(() => page.getByTestId('pacs-search-error').textContent(), { timeout: 30_000 })
      .toMatch(/refused the credentials \(401\)/)
    expect(await page.content()).not.toContain('not-the-password')
    await page.getByTestId('pacs-close').click()
  }, 120_000)
})
