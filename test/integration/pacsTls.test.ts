/**
 * TLS when the URL says https, and bearer tokens: a fake DICOMweb server over HTTPS with a
 * certificate made for the test. The built CLI trusts it only when told to (NODE_EXTRA_CA_CERTS):
 * then the search goes through with the token; without it, the error says the TLS connection failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import { join } from 'node:path'
import { projectRoot, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-tls-')
let server: Server
let url = ''
const seen: Array<string | undefined> = []

function pulmo(
  args: string[],
  env: Record<string, string> = {}
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'pacs', ...args, '--data-dir', join(dir.path, 'data')], {
      env: { ...process.env, ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

describe('DICOMweb over TLS with a bearer token', () => {
  beforeAll(async () => {
    const key = join(dir.path, 'key.pem')
    const cert = join(dir.path, 'cert.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1'
      ],
      {
        stdio: 'ignore'
      }
    )
    server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      seen.push(req.headers.authorization)
      if (req.headers.authorization !== 'Bearer tok-123') return void res.writeHead(401).end()
      res.writeHead(200, { 'content-type': 'application/dicom+json' })
      res.end(
        JSON.stringify([
          {
            '0020000D': { vr: 'UI', Value: ['1.2.3.4.5'] },
            '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
            '00100020': { vr: 'LO', Value: ['MRN-1'] },
            '00080020': { vr: 'DA', Value: ['20200304'] },
            '00080061': { vr: 'CS', Value: ['CT', 'SR'] },
            '00201206': { vr: 'IS', Value: [3] }
          }
        ])
      )
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const address = server.address()
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dicom-web`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
    dir.remove()
  })

  it('searches over https with the token from PULMO_PACS_TOKEN when the certificate is trusted', async () => {
    const trusted = { NODE_EXTRA_CA_CERTS: join(dir.path, 'cert.pem'), PULMO_PACS_TOKEN: 'tok-123' }
    const r = await pulmo(['studies', '--url', url, '--json'], trusted)
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([
      {
        studyInstanceUid: '1.2.3.4.5',
        patientName: 'Doe^Jane',
        patientId: 'MRN-1',
        studyDate: '2020-03-04',
        description: '',
        modalities: ['CT', 'SR'],
        seriesCount: 3
      }
    ])
    expect(seen.at(-1)).toBe('Bearer tok-123')
    const wrong = await pulmo(['studies', '--url', url, '--token', 'tok-999'], {
      NODE_EXTRA_CA_CERTS: trusted.NODE_EXTRA_CA_CERTS
    })
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/refused the credentials \(401\)/)
    expect(wrong.stderr).not.toContain('tok-999')
  })

  it('refuses a certificate it cannot verify, saying the TLS connection failed', async () => {
    const before = seen.length
    const r = await pulmo(['studies', '--url', url, '--token', 'tok-123'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(
      /Cannot reach the PACS for the study search at https:\/\/127\.0\.0\.1:\d+\/dicom-web\/studies: the TLS connection failed \(\w+/
    )
    expect(seen.length).toBe(before) // the request never reached the server
  })
})
