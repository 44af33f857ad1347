import type { ApiEvent } from '../../shared/api'
import type { PulmoStore } from './records'

/** What every service implementation gets: the store, the data folder, the event sink, the user. */
export interface ServiceContext {
  store: PulmoStore
  dataDir: string
  transport: 'ipc' | 'websocket'
  emit(event: ApiEvent): void
  userName(): string
}
