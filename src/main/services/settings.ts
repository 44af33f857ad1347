import { userInfo } from 'node:os'
import { Settings } from '../../shared/api'
import type { ServiceContext } from './context'

/** The settings as stored: the ones a person sets (the data folder is where the database is). */
const StoredSettings = Settings.pick({ userName: true, backend: true }).partial()

const defaults = (): Omit<Settings, 'dataDir'> => ({
  userName: safeUserName(),
  backend: 'auto'
})

function safeUserName(): string {
  try {
    return userInfo().username || 'radiologist'
  } catch {
    return 'radiologist'
  }
}

export class SettingsService {
  constructor(private readonly ctx: Pick<ServiceContext, 'store' | 'dataDir'>) {}

  get(): Settings {
    const stored = this.ctx.store.settings.get('workstation', StoredSettings) ?? {}
    // Only known settings: an older installation stored a default model nothing read (the model
    // is the active one, else the bundled one: see modelSelection.ts).
    const { userName, backend } = { ...defaults(), ...stored }
    return { userName, backend, dataDir: this.ctx.dataDir }
  }

  set(change: Partial<Omit<Settings, 'dataDir'>>): Settings {
    const { dataDir: _ignored, ...current } = this.get()
    this.ctx.store.settings.set('workstation', { ...current, ...change })
    return this.get()
  }
}
