/**
 * Hospital integration end to end against a real Orthanc (DICOMweb plugin, basic auth): a real CT
 * series (COVID-CT-MD P002, 133 JPEG-lossless slices) is stored in the PACS, then the built CLI
 * searches, pulls (resuming after the PACS went away mid-pull), the bundled model analyses, the
 * radiologist signs, and the CLI pushes SEG, SR and PDF into P002's study; each passes dciodvfy,
 * the SEG reads back to the very masks, pushing again stores nothing; the watcher then processes
 * a newly stored study by itself, survives an outage, and stops on Ctrl-C without half a result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TaskEndedEvent } from '../../src/shared/api'
import { readPartTen, readSegmentation } from '../../src/main/dicomResults'
import { pdfOf } from '../../src/main/dicomResults'
import { PacsService, PulmoService } from '../../src/main/services'
import { dciodvfy, pdfText, srItems, srNumber } from '../helpers/dicomObjects'
import { freePort, startOrthanc, type RunningOrthanc } from '../helpers/orthanc'
import { pacsReadyCopy, type PacsReadyCopy } from '../helpers/pacsData'
import { p002, projectRoot, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-pacs-')
const dataDir = join(dir.path, 'data')
let orthanc: RunningOrthanc
let study: PacsReadyCopy

function pulmo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const auth = ['--url', orthanc.dicomWebUrl, '--user', orthanc.user]
  return spawnSync(process.execPath, [bin, 'pacs', ...args, ...auth, '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, PULMO_PACS_PASSWORD: orthanc.password }
  })
}

async function analyse(service: PulmoService, seriesId: number): Promise<TaskEndedEvent> {
  let off: () => void = () => {}
  const ended = new Promise<TaskEndedEvent>((resolve) => {
    off = service.onEvent((e) => {
      if (e.type === 'task-ended') resolve(e)
    })
  })
  service.analysis.start(seriesId)
  const result = await ended
  off()
  return result
}

let context: (() => string) | undefined

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 240_000
): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() - started > timeoutMs) throw new Error(`gave up waiting for ${what}${context ? `\n${context()}` : ''}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

describe('PACS over DICOMweb: studies, pull, analysis, push, watch against a real Orthanc', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc()
    study = pacsReadyCopy(p002, join(dir.path, 'p002'))
    expect(await orthanc.store(study.files)).toBe(133)
  })
  afterAll(async () => {
    await orthanc?.close()
    dir.remove()
  })

  it('lists the study: pulmo pacs studies --json', () => {
    const listed = pulmo('studies', '--patient', 'P002', '--json')
    expect(listed.status, listed.stderr).toBe(0)
    const studies = JSON.parse(listed.stdout)
    expect(studies).toEqual([
      {
        studyInstanceUid: study.studyInstanceUid,
        patientName: 'P002',
        patientId: 'P002',
        studyDate: '',
        description: '',
        modalities: ['CT'],
        seriesCount: 1
      }
    ])
    const none = pulmo('studies', '--patient', 'nobody-here', '--json')
    expect(JSON.parse(none.stdout)).toEqual([])
  })

  it('refuses wrong credentials and an unreachable PACS with clear messages', async () => {
    const closedPort = await freePort()
    const wrong = spawnSync(
      process.execPath,
      [
        bin,
        'pacs',
        'studies',
        '--url',
        orthanc.dicomWebUrl,
        '--user',
        orthanc.user,
        '--password',
        'wrong',
        '--data-dir',
        dataDir
      ],
      { encoding: 'utf8' }
    )
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/refused the credentials \(401\)/)
    expect(wrong.stderr).not.toContain('wrong')
    const down = spawnSync(
      process.execPath,
      [bin, 'pacs', 'studies', '--url', `http://127.0.0.1:${closedPort}/dicom-web`, '--data-dir', dataDir],
      { encoding: 'utf8' }
    )
    expect(down.status).toBe(1)
    expect(down.stderr).toMatch(
      /Cannot reach the PACS for the study search at .*: nothing listens there \(connection refused\)/
    )
  })

  it('pulls the study with progress, resumes after the PACS went away mid-pull, and is idempotent', async () => {
    // A first pull in process, stopped by taking the PACS away after 40 slices.
    const service = new PulmoService({ dataDir, transport: 'websocket' })
    const target = PacsService.target({
      url: orthanc.dicomWebUrl,
      auth: { kind: 'basic', user: orthanc.user, password: orthanc.password }
    })
    let stopping: Promise<void> | undefined
    service.onEvent((e) => {
      if (e.type === 'progress' && e.label === 'Fetching slices' && e.done >= 40 && !stopping) stopping = orthanc.stop()
    })
    await expect(service.pacs.pull(target, study.studyInstanceUid)).rejects.toThrow(
      /Cannot reach the PACS|broke off|did not answer/
    )
    await stopping
    expect(service.store.studies.studies()).toHaveLength(0) // nothing half imported
    const cache = join(dataDir, 'pacs-cache')
    const cached = readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.dcm')).length
    expect(cached).toBeGreaterThanOrEqual(40)
    expect(cached).toBeLessThan(133)
    service.close()
    await orthanc.start()

    const pulled = pulmo('pull', study.studyInstanceUid)
    expect(pulled.status, pulled.stderr).toBe(0)
    expect(pulled.stdout).toMatch(/Created 1 series, 0 already imported \(series 1\)/)
    const fetched = pulled.stderr.split('\n').filter((l) => l.startsWith('Fetching slices'))
    // The resumed pull starts from the slices the first one kept, and ends at all 133.
    expect(Number(/Fetching slices (\d+)\/133/.exec(fetched[0])?.[1])).toBe(cached)
    expect(fetched.at(-1)).toBe('Fetching slices 133/133')
    expect(existsSync(join(cache))).toBe(true)
    expect(readdirSync(cache)).toEqual([]) // the cache is emptied once imported

    const again = pulmo('pull', study.studyInstanceUid)
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/Created 0 series, 1 already imported/)
  }, 600_000)

  it("analyses, signs and pushes SEG, SR and PDF into P002's study; each passes dciodvfy; the SEG reads back to the same masks", async () => {
    const service = new PulmoService({ dataDir, transport: 'websocket' })
    try {
      await service.settings.set({ backend: 'wasm', userName: 'Dr^Lee' })
      const ended = await analyse(service, 1)
      expect(ended.status, ended.message).toBe('finished')
      const report = (await service.invoke('reports.get', { seriesId: 1 }))!
      await service.invoke('reports.update', { reportId: report.id, impression: 'Bilateral ground-glass opacities.' })
      const signed = await service.invoke('reports.sign', { reportId: report.id })
      expect(signed.signedBy).toBe('Dr^Lee')
    } finally {
      await service.shutdown()
    }

    const pushed = pulmo('push', '1', '--json')
    expect(pushed.status, pushed.stderr).toBe(0)
    const result = JSON.parse(pushed.stdout)
    expect(result.studyInstanceUid).toBe(study.studyInstanceUid)
    expect(result.objects.map((o: { kind: string; status: string }) => `${o.kind} ${o.status}`)).toEqual([
      'sr stored',
      'pdf stored',
      'seg stored'
    ])

    const inStudy = await orthanc.studyInstances(study.studyInstanceUid)
    expect(inStudy).toHaveLength(136)
    expect(
      inStudy
        .filter((i) => i.modality !== 'CT')
        .map((i) => i.modality)
        .sort()
    ).toEqual(['DOC', 'SEG', 'SR'])

    // Pushing again stores nothing twice.
    const twice = pulmo('push', '1', '--json')
    expect(twice.status, twice.stderr).toBe(0)
    expect(JSON.parse(twice.stdout).objects.map((o: { status: string }) => o.status)).toEqual([
      'already-there',
      'already-there',
      'already-there'
    ])
    expect(await orthanc.studyInstances(study.studyInstanceUid)).toHaveLength(136)

    const uidOf = (kind: string): string => result.objects.find((o: { kind: string }) => o.kind === kind).sopInstanceUid
    const seg = await orthanc.instanceFile(uidOf('seg'))
    const sr = await orthanc.instanceFile(uidOf('sr'))
    const pdf = await orthanc.instanceFile(uidOf('pdf'))
    for (const [name, bytes] of [
      ['seg', seg],
      ['sr', sr],
      ['pdf', pdf]
    ] as const) {
      const verdict = dciodvfy(bytes, dir.path, name)
      expect(verdict.errors, `${name}: ${verdict.errors.join('\n')}`).toEqual([])
      // Warnings allowed: Study Date/Time/ID absent in the source study, the private coding scheme 99PULMO, a name without ^.
      expect(
        verdict.warnings.every((w) => /Study Date|Study Time|Study ID|99PULMO|Retired Person Name form/.test(w)),
        verdict.warnings.join('\n')
      ).toBe(true)
    }

    // The SEG from the PACS reads back to the masks Pulmo stored.
    const reader = new PulmoService({ dataDir, transport: 'websocket' })
    try {
      const back = readSegmentation(seg, reader.pacs.sourceSeries(1))
      const labels = await reader.masks.labels(1)
      const lungs = await reader.analysis.lungs(1)
      expect(back.lungs.length).toBe(512 * 512 * 133)
      expect(back.labels.every((v, i) => v === labels[i])).toBe(true)
      expect(back.lungs.every((v, i) => v === lungs[i])).toBe(true)
      const infected = labels.reduce((n, v) => n + (v > 0 ? 1 : 0), 0)
      expect(infected).toBeGreaterThan(10_000) // P002 is a COVID case: there is infection to carry
      expect(back.segments.map((s) => s.label)).toEqual([
        'Right lung',
        'Left lung',
        'Ground-glass opacity',
        'Consolidation',
        'Right upper lobe',
        'Right middle lobe',
        'Right lower lobe',
        'Left upper lobe',
        'Left lower lobe'
      ])
      const lobes = await reader.analysis.lobes(1)
      expect(back.lobes.every((v, i) => v === lobes[i])).toBe(true)

      // The SR states the report's figures and the sign-off.
      const report = reader.reports.view(reader.store.reports.latestForSeries(1)!)
      const { ds } = readPartTen(sr)
      expect(ds.StudyInstanceUID).toBe(study.studyInstanceUid)
      expect(ds.VerificationFlag).toBe('VERIFIED')
      const items = srItems(ds)
      const value = (meaning: string): number => srNumber(items.find((i) => i.meaning === meaning)!.item)
      expect(value('CT severity score (Yang 2020)')).toBe(report.ctss.final)
      expect(value('Lobar score (Pan 2020)')).toBe(report.lobarTotal)
      expect(value('Lung volume')).toBeCloseTo(report.lungVolumeMl, 1)
      expect(items.filter((i) => i.meaning === 'Automatic CT severity score of region')).toHaveLength(20)
      expect(items.filter((i) => i.meaning === 'Lobar involvement score')).toHaveLength(5)
      expect(items.find((i) => i.meaning === 'Device Observer Model Name')!.item.TextValue).toBe(
        `${report.model.name} ${report.model.version}`
      )

      // The PDF is the signed one, byte for byte.
      const { ds: pdfDs } = readPartTen(pdf)
      const document = pdfOf(pdfDs)
      const row = reader.store.reports.latestForSeries(1)!
      const { createHash } = await import('node:crypto')
      expect(createHash('sha256').update(document).digest('hex')).toBe(row.signedPdfSha256)
      expect(pdfText(document, dir.path, 'report')).toMatch(/Dr\^?\s?Lee/)
    } finally {
      reader.close()
    }
  }, 1_200_000)

  it('watch: processes a newly stored study by itself, survives the PACS going away, and stops on Ctrl-C without half a result', async () => {
    const watcher = spawn(
      process.execPath,
      [
        bin,
        'pacs',
        'watch',
        '--url',
        orthanc.dicomWebUrl,
        '--user',
        orthanc.user,
        '--interval',
        '1',
        '--timeout',
        '5',
        '--data-dir',
        dataDir
      ],
      {
        env: { ...process.env, PULMO_PACS_PASSWORD: orthanc.password, PULMO_BACKEND: 'wasm' }
      }
    )
    let log = ''
    watcher.stderr.on('data', (d) => (log += d))
    context = () => `the watcher's log:\n${log}`
    const exited = new Promise<number | null>((resolve) => watcher.on('exit', (code) => resolve(code)))
    try {
      // P002 already holds a Pulmo SEG: nothing to do. Then an outage.
      await until('the first poll', () => (/Watching/.test(log) ? true : undefined))
      await new Promise((r) => setTimeout(r, 1500))
      await orthanc.stop()
      await until('the outage to be noticed', () => (/Cannot reach the PACS/.test(log) ? true : undefined))
      await orthanc.start()
      await until('the PACS to be back', () => (/answers again/.test(log) ? true : undefined))
      expect(log).not.toMatch(/pulling/)

      // A new study (30 slices of another copy) appears: the watcher pulls, analyses and pushes it.
      const fresh = pacsReadyCopy(p002, join(dir.path, 'fresh'), {
        slices: Array.from({ length: 30 }, (_, i) => 50 + i),
        tag: 'B'
      })
      await orthanc.store(fresh.files)
      const objects = await until("the new study's SEG", async () => {
        const inStudy = await orthanc.studyInstances(fresh.studyInstanceUid).catch(() => [])
        return inStudy.some((i) => i.modality === 'SEG') ? inStudy : undefined
      })
      expect(
        objects
          .filter((i) => i.modality !== 'CT')
          .map((i) => i.modality)
          .sort()
      ).toEqual(['SEG', 'SR'])
      await until('the study to be done', () =>
        log.includes(`Study ${fresh.studyInstanceUid}: done`) ? true : undefined
      )

      // Another study; Ctrl-C while it is being analysed leaves nothing of it in the PACS.
      const third = pacsReadyCopy(p002, join(dir.path, 'third'), {
        slices: Array.from({ length: 30 }, (_, i) => 20 + i),
        tag: 'C'
      })
      await orthanc.store(third.files)
      await until("the third study's analysis", () =>
        log.includes(`Study ${third.studyInstanceUid}: analysing`) ? true : undefined
      )
      watcher.kill('SIGINT')
      expect(await exited).toBe(0)
      expect(log).toMatch(/stopped before its result was complete; nothing was sent/)
      const thirdObjects = await orthanc.studyInstances(third.studyInstanceUid)
      expect(thirdObjects.map((i) => i.modality).every((m) => m === 'CT')).toBe(true)
      const check = new PulmoService({ dataDir, transport: 'websocket' })
      try {
        const local = check.store.studies.seriesByUid(third.seriesInstanceUid)!
        expect(check.store.reports.latestForSeries(local.id)).toBeUndefined() // the cancelled analysis stored nothing
        expect(check.store.masks.versions(local.id)).toHaveLength(0)
      } finally {
        check.close()
      }
    } finally {
      if (watcher.exitCode === null) watcher.kill('SIGKILL')
    }
  }, 900_000)
})
