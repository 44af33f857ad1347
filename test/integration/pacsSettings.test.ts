/** PACS servers in the settings: validated, secrets kept and never given out. */
import { afterAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { PulmoService } from '../../src/main/services'
import { tempDir } from '../helpers/paths'

describe('PACS servers in the settings', () => {
  const dir = tempDir()
  const service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
  afterAll(() => {
    service.close()
    dir.remove()
  })

  it('refuses incomplete or unsafe entries with a message', async () => {
    const save = (p: Parameters<typeof service.pacs.saveServer>[0]) => service.invoke('pacs.servers.save', p)
    await expect(
      save({ name: 'A', url: 'https://pacs.example.org/dicom-web', authKind: 'basic', user: 'u' })
    ).rejects.toThrow(/needs a password/)
    await expect(
      save({ name: 'A', url: 'https://pacs.example.org/dicom-web', authKind: 'basic', secret: 'x' })
    ).rejects.toThrow(/needs a user name/)
    await expect(save({ name: 'A', url: 'https://pacs.example.org/dicom-web', authKind: 'bearer' })).rejects.toThrow(
      /needs a token/
    )
    await expect(save({ name: 'A', url: 'https://u:p@pacs.example.org/dicom-web' })).rejects.toThrow(/not in the URL/)
    await expect(save({ name: 'A', url: 'ftp://pacs.example.org/' })).rejects.toThrow(
      /starts with http:\/\/ or https:\/\//
    )
    expect(await service.invoke('pacs.servers.list', {})).toEqual([])
  })

  it('keeps the secret on the server side: stored, kept on edit, never listed, audited or in the settings', async () => {
    const [server] = await service.invoke('pacs.servers.save', {
      name: 'Main PACS',
      url: 'https://pacs.example.org/dicom-web',
      authKind: 'basic',
      user: 'pulmo',
      secret: 'correct horse battery staple'
    })
    expect(server).toEqual({
      id: expect.any(String),
      name: 'Main PACS',
      url: 'https://pacs.example.org/dicom-web',
      authKind: 'basic',
      user: 'pulmo',
      secretSet: true
    })
    // Renamed without giving the password again: the stored one stays.
    await service.invoke('pacs.servers.save', {
      id: server.id,
      name: 'Radiology PACS',
      url: server.url,
      authKind: 'basic',
      user: 'pulmo'
    })
    expect(service.pacs.target(server.id).connection.auth).toEqual({
      kind: 'basic',
      user: 'pulmo',
      password: 'correct horse battery staple'
    })
    // A different kind of authentication does not inherit the password as a token.
    await expect(
      service.invoke('pacs.servers.save', {
        id: server.id,
        name: 'Radiology PACS',
        url: server.url,
        authKind: 'bearer'
      })
    ).rejects.toThrow(/needs a token/)
    const everything = JSON.stringify([
      await service.invoke('pacs.servers.list', {}),
      await service.invoke('settings.get', {}),
      await service.invoke('audit.list', {})
    ])
    expect(everything).not.toContain('correct horse')
    expect(everything).toContain('Radiology PACS')
    const audit = await service.invoke('audit.list', { entity: 'pacs' })
    expect(audit.map((a) => [a.action, a.detail.url])).toEqual([
      ['create', 'https://pacs.example.org/dicom-web'],
      ['edit', 'https://pacs.example.org/dicom-web']
    ])
    expect(await service.invoke('pacs.servers.delete', { id: server.id })).toEqual([])
    await expect(service.invoke('pacs.search', { serverId: server.id })).rejects.toThrow(/no PACS .* in the settings/)
  })
})
