import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { greyLevel } from '../../src/shared/windowing'
import { p002, projectRoot } from '../helpers/paths'
import { openWorkstation, type Workstation } from './harness'

describe('the workstation in Chromium: import and view P002', () => {
  let ws: Workstation

  beforeAll(async () => {
    ws = await openWorkstation()
  })
  afterAll(async () => {
    await ws?.close()
  })

  it('imports P002 through the UI, scrolls to Im 60, sets the lung window and reads HU and pixels', async () => {
    const { page } = ws
    await page.getByTestId('import-button').click()
    await page.getByTestId('import-path').fill(p002)
    await page.getByTestId('import-submit').click()
    await page.getByTestId('series-row').first().waitFor({ timeout: 60_000 })
    await expect.poll(() => page.getByTestId('study-row').count()).toBe(1)
    const canvas = page.getByTestId('viewer-canvas')
    await canvas.waitFor({ timeout: 60_000 })
    await expect.poll(() => page.getByTestId('slice-count').textContent(), { timeout: 30_000 }).toMatch(/133/)

    // the mouse wheel moves one image a notch; scroll until the navigator says Im 60 (InstanceNumber 60)
    const box = (await canvas.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    for (let i = 0; i < 200; i++) {
      const shown = Number((await page.getByTestId('slice-index').textContent())!.trim())
      if (shown === 60) break
      await page.mouse.wheel(0, shown < 60 ? 100 : -100)
      await expect.poll(async () => Number((await page.getByTestId('slice-index').textContent())!.trim())).not.toBe(shown)
    }
    await expect(page.getByTestId('slice-index').textContent()).resolves.toMatch(/^\s*60\s*$/)
    // P002 is stored foot to head (k = 0 is IM0133), so InstanceNumber 60 is slice k = 133 − 60
    const k = 73
    await expect(page.getByTestId('slice-index').getAttribute('data-k')).resolves.toBe(String(k))
    await expect(page.getByTestId('image-number').textContent()).resolves.toMatch(/Im 60 \/ 133/)

    await page.getByTestId('preset-lung').click()
    await expect.poll(() => page.getByTestId('window-readout').textContent()).toMatch(/W 1500 L -600/)

    // a point in the right lung (image left of centre): the HU readout equals the stored voxel
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.45)
    const readout = page.getByTestId('hu-readout')
    await expect.poll(() => readout.getAttribute('data-x')).not.toBeNull()
    const x = Number(await readout.getAttribute('data-x'))
    const y = Number(await readout.getAttribute('data-y'))
    expect(Number(await readout.getAttribute('data-k'))).toBe(k)
    const seriesId = (await ws.service.invoke('studies.list', {}))[0].series[0].id
    const volume = await ws.service.studies.volume(seriesId)
    const hu = volume.data[x + y * 512 + k * 512 * 512]
    expect(hu).toBeLessThan(-500) // aerated lung
    await expect(readout.textContent()).resolves.toMatch(new RegExp(`HU ${hu}\\b`))

    // the canvas pixel under the cursor is the lung-window grey level of that voxel
    await expect.poll(() => canvas.getAttribute('data-rendered-slice')).toBe(String(k))
    const pixel = await canvas.evaluate(
      (el, [px, py]) => {
        type Canvas2d = { getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }
        return Array.from((el as unknown as Canvas2d).getContext('2d').getImageData(px, py, 1, 1).data)
      },
      [x, y]
    )
    const grey = greyLevel(hu, { center: -600, width: 1500 })
    expect(pixel).toEqual([grey, grey, grey, 255])

    mkdirSync(join(projectRoot, 'docs/screenshots'), { recursive: true })
    await page.screenshot({ path: join(projectRoot, 'docs/screenshots/viewer.png') })
  })
})
