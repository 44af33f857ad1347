import { afterAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { lungmaskSlices, projectRoot, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir()
const pulmo = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--data-dir', join(dir.path, 'data')], { encoding: 'utf8', timeout: 120_000 })

describe('pulmo (the built CLI)', () => {
  afterAll(() => dir.remove())

  it('imports, lists as JSON and exports', () => {
    const imported = pulmo('import', lungmaskSlices)
    expect(imported.status, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/Created 1 series/)

    const listed = pulmo('studies', '--json')
    expect(listed.status, listed.stderr).toBe(0)
    const studies = JSON.parse(listed.stdout)
    expect(studies).toHaveLength(1)
    expect(Object.keys(studies[0])).toEqual(expect.arrayContaining(['id', 'patientName', 'patientId', 'studyDate', 'description', 'series']))
    expect(studies[0].series[0]).toMatchObject({ modality: 'CT', rows: 512, columns: 512, slices: 2 })
    expect(studies[0].series[0].spacing).toHaveLength(3)

    const out = join(dir.path, 'out.nii.gz')
    const exported = pulmo('export', String(studies[0].series[0].id), '--out', out)
    expect(exported.status, exported.stderr).toBe(0)
    expect(existsSync(out)).toBe(true)
  })

  it('reports errors on stderr with a non-zero exit code', () => {
    const missing = pulmo('import', join(dir.path, 'does-not-exist'))
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/does-not-exist/)
    const unknown = pulmo('frobnicate')
    expect(unknown.status).toBe(2)
    expect(pulmo('export', '999', '--out', join(dir.path, 'x.nii.gz')).stderr).toMatch(/no series 999/)
  })

  it("refuses an option the command does not take, with the command's usage", () => {
    const misplaced = pulmo('studies', '--epochs', '5')
    expect(misplaced.status).toBe(2)
    expect(misplaced.stderr).toMatch(/^pulmo studies: Unknown option '--epochs'\.\n\nUsage:\n {2}pulmo studies \[--json\] \[--query Q\]/)
    expect(misplaced.stdout).toBe('')
    const help = pulmo('train', '--help')
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/--checkpoint-every N +steps between checkpoints/)
  })

  it('serves on 127.0.0.1 and prints the address with its token', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--data-dir', join(dir.path, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] })
    const url = await new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout.on('data', (d) => {
        text += d
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(text)
        if (m) resolve(m[0])
      })
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)))
    })
    try {
      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(await page.text()).toMatch(/<div id="app"/)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
