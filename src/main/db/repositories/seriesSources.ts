import { z } from 'zod'
import type { Db } from '../database'
import { jsonColumn, parseRow } from './rows'

/** One source slice: what a derived DICOM object references. */
const SourceInstance = z.object({
  sopInstanceUid: z.string(),
  sopClassUid: z.string(),
  position: z.tuple([z.number(), z.number(), z.number()])
})
export type SourceInstance = z.infer<typeof SourceInstance>

const SeriesSourceRow = z.object({ frameOfReferenceUid: z.string().nullable(), instances: jsonColumn(z.array(SourceInstance)) })
export type SeriesSource = z.output<typeof SeriesSourceRow>

/** The source DICOM instances of imported series (see migration 004). */
export class SeriesSourceRepository {
  constructor(private readonly db: Db) {}

  set(seriesRef: number, source: SeriesSource): void {
    this.db
      .prepare('INSERT OR REPLACE INTO series_sources (series_ref, frame_of_reference_uid, instances) VALUES (?, ?, ?)')
      .run(seriesRef, source.frameOfReferenceUid, JSON.stringify(source.instances))
  }

  get(seriesRef: number): SeriesSource | undefined {
    const r = this.db
      .prepare('SELECT frame_of_reference_uid AS frameOfReferenceUid, instances FROM series_sources WHERE series_ref = ?')
      .get(seriesRef)
    return r === undefined ? undefined : parseRow(SeriesSourceRow, 'series_sources', r)
  }
}
