import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs'
import { join } from 'node:path'
import { PulmoService } from '../../src/main/services'
import { assessSeverity } from '../helpers/severityAssessment'
import type { ApiEvent } from '../../src/shared/api'
import { applyEdit, maskEdit } from '../helpers/maskEdits'
import { p002, projectRoot, tempDir } from '../helpers/paths'
import { saveTinyModel } from '../helpers/tinyModel'

/**
 * kill -9 in the middle of an import, a mask save, a report signing and a retraining, for real, on
 * a child process running the services; then the data folder is reopened and checked. (The compute
 * process killed mid-training, and `pulmo train` killed and resumed with --resume:
 * test/integration/training.test.ts.)
 */

const worker = join(projectRoot, 'test/helpers/crashWorker.ts')

interface Worker {
  child: ChildProcess
  lines: Array<Record<string, unknown>>
  /** True when the kill landed, false when the worker had already ended. */
  kill(): Promise<boolean>
  /** Resolves with the first line (past or future) that matches. */
  line(match: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
}

function startWorker(...args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'jiti/register', worker, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Array<Record<string, unknown>> = []
  const waiting: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = []
  let buffered = ''
  let stderr = ''
  child.stdout!.on('data', (d) => {
    buffered += d
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (!text.startsWith('{')) continue
      const l = JSON.parse(text) as Record<string, unknown>
      lines.push(l)
      for (const w of [...waiting]) {
        if (!w.match(l)) continue
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(l)
      }
    }
  })
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }))
  )
  return {
    child,
    lines,
    exited,
    line: (match) =>
      new Promise((resolve, reject) => {
        const found = lines.find(match)
        if (found) return resolve(found)
        waiting.push({ match, resolve })
        void exited.then((e) => reject(new Error(`worker ${args[0]} exited (${e.code ?? e.signal}) first:\n${e.stderr}`)))
      }),
    kill: async () => {
      child.kill('SIGKILL')
      return (await exited).signal === 'SIGKILL'
    }
  }
}

/** Calls `onFile` with each name that appears in `dir` (inotify: fast enough to land inside a write). */
function watchFolder(dir: string, onFile: (name: string) => void): FSWatcher {
  return watch(dir, (_event, name) => name && onFile(name.toString()))
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const temporaries = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.tmp-')) : [])

/** Processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const stat = readFileSync(`/proc/${n}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid
      } catch {
        return false // ended meanwhile
      }
    })
    .map(Number)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The database file as SQLite sees it after the kill: it must pass its own integrity check. */
function integrity(dataDir: string): { integrity: string; foreignKeys: unknown[] } {
  const db = new Database(join(dataDir, 'pulmo.sqlite'))
  try {
    return { integrity: db.pragma('integrity_check', { simple: true }) as string, foreignKeys: db.pragma('foreign_key_check') as unknown[] }
  } finally {
    db.close()
  }
}

describe('crash safety: kill -9 mid-write, then reopen', () => {
  const dir = tempDir('pulmo-crash-')
  const dataDir = join(dir.path, 'data')
  let seriesId = 0

  beforeAll(() => {
    // Create the folders (series/, masks/, reports/) the tests watch.
    new PulmoService({ dataDir, transport: 'ipc' }).close()
  })
  afterAll(() => dir.remove())

  it('an import killed while it writes P002 is either fully present or fully absent', async () => {
    const seriesDir = join(dataDir, 'series')
    const outcomes: Array<{ delayMs: number; killed: boolean; partialFileLeft: boolean; uncommittedFileLeft: boolean; present: boolean }> = []
    for (const delayMs of [0, 100, 250, 700]) {
      const w = startWorker('import', dataDir, p002)
      let killing: Promise<boolean> | undefined
      const watcher = watchFolder(seriesDir, (name) => {
        if (name.startsWith('.tmp-') && !killing) killing = delay(delayMs).then(w.kill)
      })
      const exit = await w.exited
      const killed = await killing
      watcher.close()
      expect(killed !== undefined, `the worker never started writing:\n${exit.stderr}`).toBe(true)
      const left = readdirSync(seriesDir)
      expect(integrity(dataDir)).toEqual({ integrity: 'ok', foreignKeys: [] })

      const service = new PulmoService({ dataDir, transport: 'ipc' })
      try {
        const studies = await service.invoke('studies.list', {})
        const series = studies.flatMap((s) => s.series)
        // Cleaned at start: no temporary or unreferenced voxel file survives the reopen.
        expect(readdirSync(seriesDir).sort()).toEqual(series.map((s) => `${createHash('sha256').update(s.seriesInstanceUid).digest('hex').slice(0, 24)}.nii.gz`).sort())
        if (series.length) {
          expect(series).toHaveLength(1)
          expect([series[0].columns, series[0].rows, series[0].slices]).toEqual([512, 512, 133])
          const voxels = await service.invoke('series.voxels', { seriesId: series[0].id }) // checks the SHA-256
          expect(voxels.byteLength).toBe(512 * 512 * 133 * 2)
        }
        const partialFileLeft = left.some((n) => n.startsWith('.tmp-'))
        const uncommittedFileLeft = series.length === 0 && left.some((n) => !n.startsWith('.tmp-'))
        outcomes.push({ delayMs, killed: killed!, partialFileLeft, uncommittedFileLeft, present: series.length === 1 })
        if (series.length) break
      } finally {
        service.close()
      }
    }
    console.log('import kills:', JSON.stringify(outcomes))
    // At least one kill landed while the voxel file was half written, and it was not taken as a series.
    expect(outcomes.some((o) => o.killed && o.partialFileLeft && !o.present)).toBe(true)

    // Importing again completes it (or finds it complete) without a duplicate.
    const finish = startWorker('import', dataDir, p002)
    const done = await finish.line((l) => 'imported' in l)
    expect((await finish.exited).code).toBe(0)
    expect(done.imported).toHaveLength(outcomes.at(-1)!.present ? 0 : 1)
    const service = new PulmoService({ dataDir, transport: 'ipc' })
    try {
      const series = (await service.invoke('studies.list', {})).flatMap((s) => s.series)
      expect(series.map((s) => s.slices)).toEqual([133])
      seriesId = series[0].id
    } finally {
      service.close()
    }
  })

  it('mask saves killed mid-write never lose or corrupt a saved version', async () => {
    expect(seriesId).toBeGreaterThan(0)
    const masksDir = join(dataDir, 'masks')
    const dimensions: [number, number, number] = [512, 512, 133]
    const sliceSize = 512 * 512
    const rounds: Array<{ versions: number; leftovers: number }> = []
    const leftBehind = () => rounds.some((r) => r.leftovers > 0)
    // Up to three more rounds killed at once if none of the first three landed inside a file write
    // (on a loaded machine the write can finish between the watcher's event and the kill).
    for (const [round, delayMs] of [0, 150, 500, 0, 0, 0].entries()) {
      if (round >= 3 && leftBehind()) break
      const w = startWorker('save-masks', dataDir, String(seriesId), '50')
      const writes = new Set<string>()
      let killing: Promise<boolean> | undefined
      // Let two saves finish, then kill inside the third one's file write.
      const watcher = watchFolder(masksDir, (name) => {
        if (name.startsWith('.tmp-')) writes.add(name)
        if (writes.size === 3 && !killing) killing = delay(delayMs).then(w.kill)
      })
      await w.exited
      expect(await killing, `round ${round}: the worker ended before it was killed`).toBe(true)
      watcher.close()
      const leftovers = readdirSync(masksDir).length
      expect(integrity(dataDir)).toEqual({ integrity: 'ok', foreignKeys: [] })

      const service = new PulmoService({ dataDir, transport: 'ipc' })
      try {
        const versions = await service.invoke('masks.list', { seriesId })
        // Versions are 1…n with no gap or duplicate, each based on the one before.
        expect(versions.map((v) => v.version)).toEqual(versions.map((_, i) => i + 1))
        expect(versions.map((v) => v.parentVersion)).toEqual(versions.map((_, i) => (i === 0 ? null : i)))
        const lastSaved = Math.max(0, ...w.lines.filter((l) => 'saved' in l).map((l) => l.saved as number))
        expect(versions.length).toBeGreaterThanOrEqual(lastSaved) // every acknowledged save survived
        expect(versions.length).toBeLessThanOrEqual(lastSaved + 1) // at most the save in flight committed
        // Every version's file is there, complete (decodes, SHA-256 matches) and holds exactly its edits.
        const expected = new Uint8Array(sliceSize * dimensions[2])
        for (const v of versions) {
          applyEdit(expected, maskEdit(v.version, dimensions), sliceSize)
          const labels = await service.invoke('masks.voxels', { seriesId, version: v.version })
          expect(Buffer.compare(labels, expected), `version ${v.version}`).toBe(0)
        }
        const rows = service.store.db.prepare('SELECT path FROM masks WHERE series_ref = ?').pluck().all(seriesId) as string[]
        expect(rows.every((p) => !p.includes('.tmp-'))).toBe(true)
        expect(readdirSync(masksDir).map((n) => join('masks', n)).sort()).toEqual(rows.sort())
        rounds.push({ versions: versions.length, leftovers: leftovers - versions.length })
      } finally {
        service.close()
      }
    }
    console.log('mask save kills:', JSON.stringify(rounds))
    expect(rounds[2].versions).toBeGreaterThanOrEqual(6)
    // The kills left half-written (or uncommitted) files behind, which the reopen removed.
    expect(leftBehind()).toBe(true)
  })

  it('a report signing killed mid-way leaves it either unsigned or signed with its complete PDF', async () => {
    expect(seriesId).toBeGreaterThan(0)
    const reportsDir = join(dataDir, 'reports')
    const reportIds: number[] = []
    {
      const service = new PulmoService({ dataDir, transport: 'ipc' })
      try {
        await service.settings.set({ userName: 'Dr Crash' })
        const volume = await service.studies.volume(seriesId)
        const version = (await service.invoke('masks.list', { seriesId })).at(-1)!
        const labels = await service.masks.labels(seriesId, version.version)
        const { report } = assessSeverity(volume, labels)
        for (let i = 0; i < 9; i++) {
          reportIds.push(service.store.reports.create(seriesId, version.id, { severity: report, model: { name: 'test', version: '0' }, maskVersion: version.version }).id)
        }
      } finally {
        service.close()
      }
    }

    const check = (): { signed: number[]; files: string[] } => {
      expect(integrity(dataDir)).toEqual({ integrity: 'ok', foreignKeys: [] })
      const service = new PulmoService({ dataDir, transport: 'ipc' })
      try {
        const rows = reportIds.map((id) => service.store.reports.get(id)!)
        for (const r of rows) {
          if (r.signedAt) {
            expect(r.signedBy).toBe('Dr Crash')
            const pdf = readFileSync(join(dataDir, r.signedPdfPath!))
            expect(sha256(pdf)).toBe(r.signedPdfSha256)
            expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
            expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\s*$/)
          } else {
            expect([r.signedPdfPath, r.signedPdfSha256]).toEqual([null, null])
          }
        }
        const files = readdirSync(reportsDir).map((n) => join('reports', n))
        expect(files.sort()).toEqual(rows.filter((r) => r.signedAt).map((r) => r.signedPdfPath!).sort())
        return { signed: rows.filter((r) => r.signedAt).map((r) => r.id), files }
      } finally {
        service.close()
      }
    }

    // One signing to the end, timed, for the kill points of the others.
    const started = Date.now()
    const first = startWorker('sign', dataDir, String(reportIds[0]))
    await first.line((l) => 'signing' in l)
    const signingStarted = Date.now()
    await first.line((l) => 'signed' in l)
    const signingMs = Date.now() - signingStarted
    expect((await first.exited).code).toBe(0)
    expect(check().signed).toEqual([reportIds[0]])
    console.log(`signing took ${signingMs} ms (worker ${Date.now() - started} ms)`)

    const outcomes: Array<{ at: string; signed: boolean; partialFileLeft: boolean }> = []
    const killPoints: Array<{ at: string; fraction?: number }> = [
      { at: 'pdf file appears' },
      { at: 'pdf file appears' },
      { at: 'time', fraction: 0.5 },
      { at: 'time', fraction: 0.9 },
      { at: 'time', fraction: 0.99 }
    ]
    const leftHalfWritten = () => outcomes.some((o) => o.partialFileLeft && !o.signed)
    // Up to three more inotify-triggered kills if none of the first two landed inside the PDF write.
    const extra: typeof killPoints = Array.from({ length: 3 }, () => ({ at: 'pdf file appears' }))
    for (const [i, point] of [...killPoints, ...extra].entries()) {
      if (i >= killPoints.length && leftHalfWritten()) break
      const reportId = reportIds[i + 1]
      const w = startWorker('sign', dataDir, String(reportId))
      let killing: Promise<boolean> | undefined
      const watcher = watchFolder(reportsDir, (name) => {
        if (point.at === 'pdf file appears' && name.startsWith('.tmp-') && !killing) killing = w.kill()
      })
      await w.line((l) => 'signing' in l).catch(() => undefined)
      if (point.fraction !== undefined) killing = delay(point.fraction * signingMs).then(w.kill)
      const e = await w.exited
      await killing
      watcher.close()
      const partialFileLeft = temporaries(reportsDir).length > 0
      const { signed } = check()
      outcomes.push({ at: point.fraction === undefined ? point.at : `${point.fraction} of the signing time`, signed: signed.includes(reportId), partialFileLeft })
      if (e.signal !== 'SIGKILL') expect(signed).toContain(reportId)
    }
    console.log('signing kills:', JSON.stringify(outcomes))
    // The inotify-triggered kills land inside the PDF write: the file was left half-done and the report unsigned.
    expect(leftHalfWritten()).toBe(true)
  })

  it('a workstation killed during retraining: no orphan trainer, the run is paused at its checkpoint and resumes from it', async () => {
    expect(seriesId).toBeGreaterThan(0)
    const modelDir = await saveTinyModel(dir.path)
    // Trains on the slices the mask saves above corrected.
    const w = startWorker('train', dataDir, modelDir, String(seriesId))
    const { training: runId } = (await w.line((l) => 'training' in l)) as { training: number }
    const state = join(dataDir, 'training', `run-${runId}`, 'model', 'checkpoint', 'state.json')
    await w.line((l) => typeof l.trainingStep === 'number' && existsSync(state))
    const compute = childrenOf(w.child.pid!)
    expect(compute).toHaveLength(1) // the compute process, training
    expect(await w.kill()).toBe(true)
    // The compute process notices its parent is gone and stops, rather than writing on to the checkpoint.
    await expect.poll(() => compute.filter(alive), { timeout: 20_000 }).toEqual([])
    const checkpointStep = JSON.parse(readFileSync(state, 'utf8')).globalStep as number
    expect(checkpointStep).toBeGreaterThanOrEqual(5)
    expect(integrity(dataDir)).toEqual({ integrity: 'ok', foreignKeys: [] })

    const service = new PulmoService({ dataDir, transport: 'ipc', modelDir })
    try {
      const [interrupted] = await service.invoke('training.list', {})
      expect(interrupted).toMatchObject({ id: runId, status: 'paused', message: 'Interrupted when Pulmo stopped; resume to continue.' })
      expect(checkpointStep, 'the kill landed before the last step').toBeLessThan(interrupted.totalSteps)
      const steps: number[] = []
      const ended = new Promise<Extract<ApiEvent, { type: 'task-ended' }>>((resolve) =>
        service.onEvent((e) => {
          if (e.type === 'training-progress') steps.push(e.step.step)
          if (e.type === 'task-ended') resolve(e)
        })
      )
      await service.invoke('training.resume', { runId })
      expect(await ended, 'the resumed run').toMatchObject({ kind: 'training', status: 'finished' })
      expect(steps[0]).toBe(checkpointStep + 1) // from the checkpoint, not from the start
      const [finished] = await service.invoke('training.list', {})
      expect(finished.status).toBe('finished')
      expect(finished.globalStep).toBe(finished.totalSteps)
      expect(finished.modelId).not.toBeNull()
      console.log(`training killed after its checkpoint at step ${checkpointStep}; resumed at step ${steps[0]} of ${finished.totalSteps}`)
    } finally {
      await service.shutdown()
    }
  })
})
