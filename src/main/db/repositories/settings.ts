import { z } from 'zod'
import type { Db } from '../database'
import { jsonColumn, parseRow } from './rows'

/** Key/value settings stored as JSON. */
export class SettingsRepository {
  constructor(private readonly db: Db) {}

  /** The value under `key`, parsed with the schema of whoever keeps it there. */
  get<T extends z.ZodType>(key: string, schema: T): z.output<T> | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key)
    if (row === undefined) return undefined
    const { value } = parseRow(z.object({ value: z.string() }), 'settings', row)
    return parseRow(jsonColumn(schema), `settings (${key})`, value)
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value))
  }
}
