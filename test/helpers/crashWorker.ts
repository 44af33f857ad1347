/**
 * A child process for the crash-safety tests: it opens the real services on a data folder and does
 * one kind of write (import, mask saves, report signing), printing one JSON line per milestone on
 * stdout so the test knows when to kill it with SIGKILL. Run with `node --import jiti/register`.
 *
 *   crashWorker.ts import DATA_DIR PATH
 *   crashWorker.ts save-masks DATA_DIR SERIES_ID COUNT
 *   crashWorker.ts sign DATA_DIR REPORT_ID
 *   crashWorker.ts train DATA_DIR MODEL_DIR SERIES_ID   (retrains MODEL_DIR on the series' corrected slices, 64 px, one epoch)
 */
import { PulmoService } from '../../src/main/services'
import { maskEdit } from './maskEdits'

const [mode, dataDir, arg, extra] = process.argv.slice(2)
const say = (line: object): void => {
  process.stdout.write(JSON.stringify(line) + '\n')
}

const service = new PulmoService({ dataDir, transport: 'ipc', modelDir: mode === 'train' ? arg : undefined })
service.onEvent((e) => {
  if (e.type === 'progress') say({ progress: e.label, done: e.done, total: e.total })
  if (e.type === 'training-progress') say({ trainingStep: e.globalStep, totalSteps: e.totalSteps })
  if (e.type === 'task-ended') say({ ended: e.status, message: e.message })
})
say({ ready: true, pid: process.pid })

if (mode === 'import') {
  const result = await service.invoke('studies.import', { paths: [arg] })
  say({ imported: result.created })
} else if (mode === 'save-masks') {
  const seriesId = Number(arg)
  const header = await service.invoke('series.header', { seriesId })
  for (let i = 0; i < Number(extra); i++) {
    const latest = (await service.invoke('masks.list', { seriesId })).at(-1)?.version ?? 0
    say({ saving: latest + 1 })
    const saved = await service.invoke('masks.save', { seriesId, baseVersion: latest, slices: [maskEdit(latest + 1, header.dimensions)] })
    say({ saved: saved.version })
  }
} else if (mode === 'sign') {
  say({ signing: Number(arg) })
  const signed = await service.invoke('reports.sign', { reportId: Number(arg) })
  say({ signed: signed.id })
} else if (mode === 'train') {
  service.settings.set({ backend: 'wasm' })
  const run = await service.invoke('training.start', { seriesIds: [Number(extra)], includeBundled: false, epochs: 3, inputSize: 64 })
  say({ training: run.id })
  await new Promise<void>((resolve) => service.onEvent((e) => e.type === 'task-ended' && resolve()))
  await service.shutdown()
  process.exit(0)
} else {
  throw new Error(`Unknown mode ${mode}`)
}
service.close()
