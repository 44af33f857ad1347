import { PulmoService, type PulmoServiceOptions } from '../services'

/**
 * The workstation's service as the CLI opens it over a data folder. The CLI has no transport of its
 * own; it answers as `pulmo serve` (which this same service backs) does, over the WebSocket server.
 */
export function openCliService(dataDir: string | undefined, options: Omit<PulmoServiceOptions, 'dataDir' | 'transport'> = {}): PulmoService {
  return new PulmoService({ dataDir, transport: 'websocket', ...options })
}
