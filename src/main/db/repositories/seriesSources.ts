import type { Db } from '../database'

/** One source slice: what a derived DICOM object references. */
export interface SourceInstance {
  sopInstanceUid: string
  sopClassUid: string
  position: [number, number, number]
}

export interface SeriesSource {
  frameOfReferenceUid: string | null
  instances: SourceInstance[]
}

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
      .prepare('SELECT frame_of_reference_uid AS f, instances AS i FROM series_sources WHERE series_ref = ?')
      .get(seriesRef) as { f: string | null; i: string } | undefined
    return r && { frameOfReferenceUid: r.f, instances: JSON.parse(r.i) as SourceInstance[] }
  }
}
