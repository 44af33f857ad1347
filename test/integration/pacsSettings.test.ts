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

describe('source instances of an imported series', () => {
  const dir = tempDir()
  const service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
  afterAll(() => {
    service.close()
    dir.remove()
  })

  it('are kept at import, in slice order, and filled in by importing again a series imported without them', async () => {
    const { lungmaskSlices } = await import('../helpers/paths')
    const imported = await service.invoke('studies.import', { paths: [lungmaskSlices] })
    const seriesId = imported.created[0]
    const source = service.store.seriesSources.get(seriesId)!
    expect(source.instances).toHaveLength(2)
    expect(
      source.instances.every((i) => /^[0-9.]+$/.test(i.sopInstanceUid) && i.sopClassUid === '1.2.840.10008.5.1.4.1.1.2')
    ).toBe(true)
    // Slice order: positions rise along the normal, the first at the series origin.
    expect(source.instances[0].position).toEqual(service.studies.seriesRow(seriesId).origin)
    expect(source.instances[1].position[2]).toBeGreaterThan(source.instances[0].position[2])
    // As if imported by an earlier Pulmo: no source row. Importing again fills it in, nothing else changes.
    service.store.db.prepare('DELETE FROM series_sources WHERE series_ref = ?').run(seriesId)
    expect(() => service.pacs.sourceSeries(seriesId)).toThrow(/import it from DICOM again/)
    const again = await service.invoke('studies.import', { paths: [lungmaskSlices] })
    expect(again).toMatchObject({ created: [], existing: [seriesId] })
    expect(service.store.seriesSources.get(seriesId)).toEqual(source)
    expect(service.pacs.sourceSeries(seriesId).instances).toHaveLength(2)
  })
})
