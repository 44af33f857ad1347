/**
 * A real Orthanc PACS for tests: Debian's `orthanc` with its DICOMweb plugin, started on a free
 * loopback port with its own storage folder and a generated configuration (basic auth on, remote
 * access off, no DICOM port), stopped and removed after. Instances are stored through Orthanc's own
 * REST API so that what the test sets up does not depend on the client under test.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { tempDir } from './paths'

const ORTHANC = '/usr/sbin/Orthanc'
const DICOMWEB_PLUGIN = [
  '/usr/share/orthanc/plugins/libOrthancDicomWeb.so',
  '/usr/lib/orthanc/libOrthancDicomWeb.so.1.7'
].find((p) => existsSync(p))

export interface RunningOrthanc {
  /** The DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  dicomWebUrl: string
  /** Orthanc's own REST root. */
  restUrl: string
  user: string
  password: string
  /** Stores DICOM files (Part 10) through Orthanc's REST API; returns how many it accepted. */
  store(files: string[]): Promise<number>
  /** Orthanc's REST API, authenticated: GET → parsed JSON. */
  get<T>(path: string): Promise<T>
  /** Orthanc's id of a DICOM UID (study, series or instance), or undefined. */
  lookup(uid: string): Promise<string | undefined>
  /** The stored Part 10 file of an instance, by its SOP Instance UID. */
  instanceFile(sopInstanceUid: string): Promise<Uint8Array>
  /** The instances of a study: SOP Instance UID and modality of each. */
  studyInstances(
    studyInstanceUid: string
  ): Promise<Array<{ sopInstanceUid: string; modality: string; seriesDescription: string }>>
  /** Stops Orthanc; it can be started again on the same port and storage (an outage). */
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its folder. */
  close(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The DICOM files of a folder, sorted by name (IM0001.dcm …). */
export function dicomFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => join(folder, f))
}

export async function startOrthanc(options: { user?: string; password?: string } = {}): Promise<RunningOrthanc> {
  if (!existsSync(ORTHANC))
    throw new Error(`${ORTHANC} is missing: apt-get install orthanc orthanc-dicomweb (see .ci/run)`)
  if (!DICOMWEB_PLUGIN)
    throw new Error('the Orthanc DICOMweb plugin is missing: apt-get install orthanc-dicomweb (see .ci/run)')
  const dir = tempDir('pulmo-orthanc-')
  const port = await freePort()
  const user = options.user ?? 'pulmo'
  const password = options.password ?? 'pacs-secret-' + port
  const config = {
    Name: 'PulmoTestPACS',
    StorageDirectory: join(dir.path, 'storage'),
    IndexDirectory: join(dir.path, 'index'),
    HttpPort: port,
    HttpServerEnabled: true,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: {
      Enable: true,
      Root: '/dicom-web/',
      EnableWado: false,
      Ssl: false,
      StudiesMetadata: 'Full',
      SeriesMetadata: 'Full'
    },
    StorageCompression: false,
    HttpThreadsCount: 8,
    ConcurrentJobs: 1,
    SaveJobs: false,
    StableAge: 1,
    // One connection per request: the test's many quick requests otherwise race Orthanc's 1 s keep-alive timeout.
    KeepAlive: false
  }
  const configFile = join(dir.path, 'orthanc.json')
  writeFileSync(configFile, JSON.stringify(config, null, 2))
  const restUrl = `http://127.0.0.1:${port}`
  const authorization = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
  let child: ChildProcess | undefined
  let log = ''

  async function start(): Promise<void> {
    child = spawn(ORTHANC, [configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    // A test process that dies without closing must not leave its PACS running.
    const started = child
    process.once('exit', () => started.kill('SIGKILL'))
    child.stdout?.on('data', (d) => (log = (log + d).slice(-4000)))
    child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)))
    const since = Date.now()
    while (Date.now() - since < 30_000) {
      if (child.exitCode !== null) throw new Error(`Orthanc exited (${child.exitCode}):\n${log}`)
      try {
        const r = await fetch(`${restUrl}/system`, { headers: { authorization } })
        if (r.ok) return
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`Orthanc did not start within 30 s:\n${log}`)
  }

  async function stop(): Promise<void> {
    const c = child
    child = undefined
    if (!c || c.exitCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGTERM')
    })
  }

  await start()
  return {
    dicomWebUrl: `${restUrl}/dicom-web`,
    restUrl,
    user,
    password,
    async store(files) {
      let stored = 0
      for (const f of files) {
        const r = await fetch(`${restUrl}/instances`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/dicom' },
          body: readFileSync(f)
        })
        if (!r.ok) throw new Error(`Orthanc refused ${f}: ${r.status} ${await r.text()}`)
        stored++
      }
      return stored
    },
    async get<T>(path: string): Promise<T> {
      const r = await fetch(`${restUrl}${path}`, { headers: { authorization } })
      if (!r.ok) throw new Error(`Orthanc GET ${path}: ${r.status}`)
      return (await r.json()) as T
    },
    async lookup(uid) {
      const r = await fetch(`${restUrl}/tools/lookup`, { method: 'POST', headers: { authorization }, body: uid })
      const found = (await r.json()) as Array<{ ID: string }>
      return found[0]?.ID
    },
    async instanceFile(sopInstanceUid) {
      const r = await fetch(`${restUrl}/tools/lookup`, {
        method: 'POST',
        headers: { authorization },
        body: sopInstanceUid
      })
      const [found] = (await r.json()) as Array<{ ID: string }>
      if (!found) throw new Error(`Orthanc holds no instance ${sopInstanceUid}`)
      const file = await fetch(`${restUrl}/instances/${found.ID}/file`, { headers: { authorization } })
      return new Uint8Array(await file.arrayBuffer())
    },
    async studyInstances(studyInstanceUid) {
      const r = await fetch(`${restUrl}/tools/lookup`, {
        method: 'POST',
        headers: { authorization },
        body: studyInstanceUid
      })
      const [found] = (await r.json()) as Array<{ ID: string }>
      if (!found) return []
      const series = (await (
        await fetch(`${restUrl}/studies/${found.ID}/series`, { headers: { authorization } })
      ).json()) as Array<{
        MainDicomTags: { Modality?: string; SeriesDescription?: string }
        Instances: string[]
      }>
      const out: Array<{ sopInstanceUid: string; modality: string; seriesDescription: string }> = []
      for (const s of series) {
        for (const id of s.Instances) {
          const tags = (await (await fetch(`${restUrl}/instances/${id}`, { headers: { authorization } })).json()) as {
            MainDicomTags: { SOPInstanceUID: string }
          }
          out.push({
            sopInstanceUid: tags.MainDicomTags.SOPInstanceUID,
            modality: s.MainDicomTags.Modality ?? '',
            seriesDescription: s.MainDicomTags.SeriesDescription ?? ''
          })
        }
      }
      return out
    },
    stop,
    start,
    async close() {
      await stop()
      dir.remove()
    }
  }
}
