import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Dialog, Locator, Page } from 'playwright-core'
import type { TaskEndedEvent } from '../../src/shared/api'
import { sliceNumbering } from '../../src/shared/sliceNumbering'
import type { PulmoService } from '../../src/main/services'
import { chooseKeySlices } from '../../src/main/report/keyImages'
import { readVolumes } from '../../src/main/volume'
import { lungmaskSlices, p002, projectRoot, tempDir } from '../helpers/paths'
import { openWorkstation, type Workstation } from './harness'

const screenshots = join(projectRoot, 'docs/screenshots')
const size = 512
const sliceSize = size * size

type Canvas2d = {
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } }
}

function pixelAt(canvas: Locator, x: number, y: number): Promise<number[]> {
  return canvas.evaluate(
    (el, [px, py]) => Array.from((el as unknown as Canvas2d).getContext('2d').getImageData(px, py, 1, 1).data),
    [x, y]
  )
}

const isGrey = (p: number[]): boolean => p[0] === p[1] && p[1] === p[2]

/** Screen position of the centre of voxel (x, y) of a canvas showing a plane `columns` × `rows`. */
async function screenOf(canvas: Locator, x: number, y: number, columns = size, rows = size): Promise<{ x: number; y: number }> {
  const box = (await canvas.boundingBox())!
  return { x: box.x + ((x + 0.5) * box.width) / columns, y: box.y + ((y + 0.5) * box.height) / rows }
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

async function openSeries(page: Page, studyId: number): Promise<void> {
  await page.locator(`[data-testid="study-row"][data-study-id="${studyId}"]`).click()
  await page.getByTestId('series-row').first().click()
}

/**
 * P002 analysed with the bundled model, read as a radiologist would: image numbers as on the PACS,
 * the reformats' overlays, fill limits, prompts before unsaved work is dropped, the token refusal
 * and the retraining view's model figures.
 */
describe('reading P002 in Chromium: numbering, reformats, fill, unsaved work, access, models', () => {
  const pdfDir = tempDir('pulmo-e2e-reading-')
  let ws: Workstation
  let p002Series: number
  let p002Study: number
  let sliceStudy: number
  let labels: Uint8Array
  let lungs: Uint8Array
  let instanceNumbers: number[]

  beforeAll(async () => {
    ws = await openWorkstation({
      setup: async (service) => {
        await service.settings.set({ backend: 'wasm', userName: 'Dr Okafor' })
        const imported = await service.invoke('studies.import', { paths: [p002] })
        p002Series = imported.created[0]
        const slices = await service.invoke('studies.import', { paths: [lungmaskSlices] })
        sliceStudy = slices.studies[0].id
        p002Study = imported.studies[0].id
        const ended = await analyse(service, p002Series)
        if (ended.status !== 'finished') throw new Error(ended.message)
      }
    })
    labels = await ws.service.invoke('masks.voxels', { seriesId: p002Series })
    lungs = await ws.service.invoke('masks.lungs', { seriesId: p002Series })
    instanceNumbers = (await ws.service.invoke('series.header', { seriesId: p002Series })).instanceNumbers!
    mkdirSync(screenshots, { recursive: true })
    // importing and analysing 133 slices on the wasm backend: minutes on a machine shared with training runs
  }, 1_200_000)
  afterAll(async () => {
    await ws?.close()
    pdfDir.remove()
  })

  it('numbers images by InstanceNumber: Im 1 is IM0001, and the HU readout follows keyboard scrolling', async () => {
    const { page } = ws
    await openSeries(page, p002Study)
    const canvas = page.getByTestId('viewer-canvas')
    await expect.poll(() => canvas.getAttribute('data-rendered-slice'), { timeout: 60_000 }).toBe('66')
    await page.keyboard.press('Home')
    await expect.poll(() => page.getByTestId('slice-index').textContent()).toBe('1')
    await expect(page.getByTestId('image-number').textContent()).resolves.toMatch(/^\s*Im 1 \/ 133\s*$/)
    const k = Number(await canvas.getAttribute('data-rendered-slice'))
    // the slice shown as Im 1 holds the pixels of the file whose InstanceNumber is 1
    const [im1] = await readVolumes([join(p002, 'IM0001.dcm')])
    const volume = await ws.service.studies.volume(p002Series)
    expect(Array.from(volume.data.subarray(k * sliceSize, k * sliceSize + sliceSize))).toEqual(Array.from(im1.data))
    expect(k).toBe(132)

    // the pointer rests on the image; Arrow Down shows Im 2 and the readout names the voxel now under it
    const at = await screenOf(canvas, 200, 260)
    await page.mouse.move(at.x, at.y)
    const readout = page.getByTestId('hu-readout')
    await expect.poll(() => readout.getAttribute('data-k')).toBe(String(k))
    await expect(page.getByTestId('voxel-readout').textContent()).resolves.toMatch(/x 200\s+y 260\s+Im 1$/)
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => page.getByTestId('slice-index').textContent()).toBe('2')
    await expect.poll(() => readout.getAttribute('data-k')).toBe(String(k - 1))
    const hu = volume.data[200 + 260 * size + (k - 1) * sliceSize]
    await expect(readout.textContent()).resolves.toMatch(new RegExp(`HU ${hu}\\b`))
    await expect(page.getByTestId('voxel-readout').textContent()).resolves.toMatch(/Im 2$/)
    await expect(page.getByTestId('image-number').textContent()).resolves.toMatch(/Im 2 \/ 133/)
    // End: the last image number, at the other end of the stack
    await page.keyboard.press('End')
    await expect.poll(() => canvas.getAttribute('data-rendered-slice')).toBe('0')
    await expect(page.getByTestId('slice-index').textContent()).resolves.toBe('133')
  })

  it('the PDF captions its key images with the same image numbers', async () => {
    const report = (await ws.service.invoke('reports.get', { seriesId: p002Series }))!
    const file = join(pdfDir.path, 'report.pdf')
    await ws.service.invoke('reports.pdf', { reportId: report.id, path: file })
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString()
    const captions = [...text.matchAll(/Im (\d+) · [\d.]+ mL infected/g)].map((m) => Number(m[1]))
    const keySlices = chooseKeySlices(labels, [size, size, 133], 4, lungs)
    const numbering = sliceNumbering(133, [1, 0, 0, 0, 1, 0, 0, 0, 1], instanceNumbers)
    expect(captions.sort((a, b) => a - b)).toEqual(keySlices.map((k) => numbering.numbers[k]).sort((a, b) => a - b))
    expect(captions.length).toBeGreaterThan(0)
    expect(text).toMatch(/Im = DICOM InstanceNumber/)
  })

  it('draws coronal overlays from the volume: a one-slice label is not a stripe, a finding through slices is shown', async () => {
    const { page } = ws
    await page.getByTestId('overlay-lungs').uncheck()
    // a row j holding both: a column labelled on one slice only, and one labelled on three in a row
    const label = (x: number, j: number, z: number): number => (z < 0 || z >= 133 ? 0 : labels[x + j * size + z * sliceSize])
    let found: { j: number; lone: [number, number]; solid: [number, number] } | null = null
    for (let j = 200; j < 330 && !found; j++) {
      let lone: [number, number] | null = null
      let solid: [number, number] | null = null
      for (let z = 1; z < 132; z++) {
        for (let x = 60; x < 452; x++) {
          if (!label(x, j, z)) continue
          if (!lone && !label(x, j, z - 1) && !label(x, j, z + 1)) lone = [x, z]
          if (!solid && label(x, j, z - 1) && label(x, j, z + 1)) solid = [x, z]
        }
      }
      if (lone && solid) found = { j, lone, solid }
    }
    expect(found).not.toBeNull()
    const { j, lone, solid } = found!
    // a lung level in the axial view (Im 67, the middle of the stack)
    await page.keyboard.press('Home')
    for (let i = 0; i < 6; i++) await page.keyboard.press('PageDown')
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown')
    await expect.poll(() => page.getByTestId('viewer-canvas').getAttribute('data-rendered-slice')).toBe('66')
    await page.getByTestId('layout-three').click()
    await page.getByTestId('tool-crosshair').click()
    const axial = page.getByTestId('viewer-canvas')
    const target = await screenOf(axial, 256, j)
    await page.mouse.click(target.x, target.y)
    const coronal = page.getByTestId('viewer-canvas-coronal')
    await expect.poll(() => coronal.getAttribute('data-rendered-slice')).toBe(String(j))
    // head at the top: row v shows slice 132 − v
    const row = (z: number): number => 132 - z
    expect(isGrey(await pixelAt(coronal, lone[0], row(lone[1])))).toBe(true)
    const shown = await pixelAt(coronal, solid[0], row(solid[1]))
    expect(isGrey(shown)).toBe(false)
    expect(shown[0]).toBeGreaterThan(shown[2] + 40) // amber or red over grey lung
    await page.getByTestId('overlay-lungs').check()
    await page.mouse.move(0, 0)
    await page.screenshot({ path: join(screenshots, 'viewer-three-up-analysis.png') })
    await page.getByTestId('overlay-lungs').uncheck()
    await page.getByTestId('layout-single').click()
    await page.getByTestId('tool-window').click()
  })

  it('fills the lung clicked without a constraint, and refuses a click outside the body', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    await page.keyboard.press('Home')
    for (let i = 0; i < 66; i++) await page.keyboard.press('ArrowDown')
    await expect.poll(() => canvas.getAttribute('data-rendered-slice')).toBe('66')
    const k = 66
    const at = (x: number, y: number): number => x + y * size + k * sliceSize
    // unlabelled voxels: one in each lung and one in the body outside both
    const find = (want: (i: number) => boolean): [number, number] => {
      for (let y = 180; y < 360; y += 3) for (let x = 60; x < 452; x += 3) if (want(at(x, y)) && labels[at(x, y)] === 0) return [x, y]
      throw new Error('no such voxel')
    }
    const right = find((i) => lungs[i] === 1)
    const farRight = find((i) => lungs[i] === 1 && Math.abs((i % size) - right[0]) > 30)
    const left = find((i) => lungs[i] === 2)
    const volume = await ws.service.studies.volume(p002Series)
    const body = find((i) => lungs[i] === 0 && volume.data[i] > -200 && volume.data[i] < 200)
    const before = await Promise.all([farRight, left, body].map(([x, y]) => pixelAt(canvas, x, y)))

    await page.keyboard.press('f')
    await expect.poll(() => page.getByTestId('tool-fill').getAttribute('aria-pressed')).toBe('true')
    const air = await screenOf(canvas, 4, 4)
    await page.mouse.click(air.x, air.y)
    await expect.poll(() => page.getByTestId('save-message').textContent()).toMatch(/outside the body/)
    await expect(page.getByTestId('unsaved-count').getAttribute('data-count')).resolves.toBe('0')

    const click = await screenOf(canvas, ...right)
    await page.mouse.click(click.x, click.y)
    await expect.poll(() => page.getByTestId('save-message').textContent()).toMatch(/inside the right lung/)
    await expect.poll(() => pixelAt(canvas, ...farRight)).not.toEqual(before[0])
    expect(await pixelAt(canvas, ...left)).toEqual(before[1])
    expect(await pixelAt(canvas, ...body)).toEqual(before[2])
    await page.keyboard.press('Control+z')
    await expect.poll(() => pixelAt(canvas, ...farRight)).toEqual(before[0])
    await page.keyboard.press('b')
  })

  it('asks before unsaved mask or report edits are dropped: close, another series, reload', async () => {
    const { page } = ws
    const canvas = page.getByTestId('viewer-canvas')
    if ((await page.getByTestId('viewer-canvas').count()) === 0) await openSeries(page, p002Study)
    await expect.poll(() => canvas.getAttribute('data-rendered-overlay'), { timeout: 60_000 }).toBe('working')
    await page.getByTestId('tool-brush').click()
    await expect.poll(() => page.getByTestId('tool-brush').getAttribute('aria-pressed')).toBe('true')
    await page.getByTestId('label-consolidation').click()
    const from = await screenOf(canvas, 236, 60)
    const to = await screenOf(canvas, 276, 60)
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(to.x, to.y, { steps: 6 })
    await page.mouse.up()
    await expect.poll(() => page.getByTestId('unsaved-count').getAttribute('data-count')).toBe('1')

    // Close: the prompt, and keeping on editing keeps the edit
    await page.getByTestId('viewer-close').click()
    const dialog = page.getByTestId('confirm-dialog')
    await dialog.waitFor()
    await expect(dialog.textContent()).resolves.toMatch(/unsaved mask edits on 1 slice.*close this series/)
    await page.screenshot({ path: join(screenshots, 'unsaved-prompt.png') })
    await page.getByTestId('confirm-cancel').click()
    await expect(page.getByTestId('unsaved-count').getAttribute('data-count')).resolves.toBe('1')
    await expect(page.getByTestId('unsaved-count').textContent()).resolves.toMatch(/Unsaved edits on 1 slice \(Im 67\)/)
    await expect(canvas.isVisible()).resolves.toBe(true)

    // leaving the page: the browser asks (beforeunload), and staying keeps the edit
    const asked: string[] = []
    const onDialog = (d: Dialog): void => {
      asked.push(d.type())
      void d.dismiss()
    }
    page.on('dialog', onDialog)
    await page.reload({ timeout: 3000 }).catch(() => undefined)
    await expect.poll(() => asked).toEqual(['beforeunload'])
    page.off('dialog', onDialog)
    await expect(page.getByTestId('unsaved-count').getAttribute('data-count')).resolves.toBe('1')

    // a report edit is named too
    await page.getByTestId('nav-report').click()
    await page.getByTestId('report-findings').fill('Peripheral ground-glass opacities.')
    await page.getByTestId('nav-reading').click()

    // another series: discard and go
    await openSeries(page, sliceStudy)
    await dialog.waitFor()
    await expect(dialog.textContent()).resolves.toMatch(/mask edits on 1 slice and report changes.*open another series/)
    await page.getByTestId('confirm-alternative').click()
    await expect.poll(() => page.getByTestId('slice-count').textContent(), { timeout: 30_000 }).toBe('2')
    expect((await ws.service.invoke('masks.list', { seriesId: p002Series })).map((v) => v.version)).toEqual([1])

    // back to P002 (nothing pending: no question), edit, and save on the way out
    await openSeries(page, p002Study)
    await expect.poll(() => page.getByTestId('slice-count').textContent(), { timeout: 30_000 }).toBe('133')
    await expect(page.getByTestId('confirm-dialog').count()).resolves.toBe(0)
    await expect.poll(() => canvas.getAttribute('data-rendered-overlay'), { timeout: 30_000 }).toBe('working')
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(to.x, to.y, { steps: 6 })
    await page.mouse.up()
    await expect.poll(() => page.getByTestId('unsaved-count').getAttribute('data-count')).toBe('1')
    await page.getByTestId('viewer-close').click()
    await dialog.waitFor()
    await page.getByTestId('confirm-ok').click()
    // saving a 512 × 512 × 133 mask version takes a while on a busy machine
    await expect.poll(() => page.locator('.viewer-empty').count(), { timeout: 120_000 }).toBe(1)
    const versions = await ws.service.invoke('masks.list', { seriesId: p002Series })
    expect(versions.map((v) => [v.version, v.author])).toEqual([
      [1, 'Pulmo'],
      [2, 'Dr Okafor']
    ])
  })

  it('refuses a page opened without the token, even with the cookie', async () => {
    // the same browser profile: a second window that holds the page's cookie, opened on the bare address
    const cookies = await ws.page.context().cookies()
    expect(cookies.some((c) => c.name === `pulmo-token-${ws.server.port}`)).toBe(true)
    const context = await ws.browser.newContext()
    await context.addCookies(cookies)
    const other = await context.newPage()
    try {
      const response = await other.goto(`http://127.0.0.1:${ws.server.port}/`)
      expect(response?.status()).toBe(401)
      await expect(other.locator('h1').textContent()).resolves.toBe('Pulmo: access refused')
      await expect(other.locator('body').textContent()).resolves.toMatch(/access token is missing or wrong/)
      await expect(other.getByTestId('study-row').count()).resolves.toBe(0)
      await other.screenshot({ path: join(screenshots, 'access-refused.png') })
    } finally {
      await context.close()
    }
  })

  it('shows model figures in words, and says when a 50-slice run will be validated', async () => {
    const { page } = ws
    await page.getByTestId('nav-training').click()
    const bundled = page.locator('[data-testid="model-row"]').first()
    await bundled.waitFor()
    // the bundled model's card: validated on whole zenodo volumes never trained on
    await expect(bundled.getByTestId('model-metrics').textContent()).resolves.toContain('held-out Dice 0.56')
    await expect(bundled.getByTestId('model-data').textContent()).resolves.toMatch(
      /Stage 1 \(pool\): 1197 radiologist-labelled zenodo slices.*·\s*trained on 2504 slices/s
    )
    await expect(page.getByTestId('training-view').textContent()).resolves.not.toMatch(/cv5|validationMaxDice|\/tmp\//)

    await expect.poll(() => page.getByTestId(`training-series-${p002Series}`).isChecked(), { timeout: 15_000 }).toBe(true)
    await page.getByTestId('training-epochs').fill('1')
    await page.getByTestId('training-input-size').selectOption('64')
    await page.getByTestId('training-start').click()
    await page.getByTestId('run-status').waitFor({ timeout: 60_000 })
    // 50 bundled slices and the corrected one: 10 held out, scored after the last epoch
    await expect
      .poll(() => page.getByTestId('dice-chart').textContent(), { timeout: 30_000 })
      .toContain('Validation on 10 held-out slices (1 fold of 5) after the last epoch')
    await expect(page.getByTestId('run-dice').textContent()).resolves.toMatch(/pending/)
    await page.getByTestId('training-cancel').click()
    // cancelling asks first: keeping the run leaves it running
    await expect(page.getByTestId('confirm-dialog').textContent()).resolves.toContain('cannot be resumed')
    await page.getByTestId('confirm-ok').click()
    await expect
      .poll(() => page.getByTestId('run-status').getAttribute('data-status'), { timeout: 240_000 })
      .toBe('cancelled')
  }, 300_000)
})
