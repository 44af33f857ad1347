import { join } from 'node:path'
import { PulmoService } from '../../src/main/services'
import { lungmaskSlices } from './paths'
import { saveTinyModel } from './tinyModel'

/**
 * A workstation service in `dataDir`'s data/ folder with a tiny untrained model (wasm backend, the
 * given user) and the two real lungmask slices imported: the reading chain's tests start here.
 */
export async function tinyServiceWithLungmaskSeries(dir: string, userName: string): Promise<{ service: PulmoService; seriesId: number }> {
  const modelDir = await saveTinyModel(dir)
  const service = new PulmoService({ dataDir: join(dir, 'data'), transport: 'websocket', modelDir })
  await service.settings.set({ backend: 'wasm', userName })
  const seriesId = (await service.invoke('studies.import', { paths: [lungmaskSlices] })).created[0]
  return { service, seriesId }
}
