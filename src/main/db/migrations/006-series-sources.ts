/**
 * Where an imported DICOM series came from, slice by slice: its frame of reference and the SOP
 * instance (UID, class, position) of every slice in Pulmo's slice order. Results sent back to a
 * PACS (DICOM SEG, SR) must reference these source images.
 */
export const migration006 = `
CREATE TABLE series_sources (
  series_ref INTEGER PRIMARY KEY REFERENCES series(id) ON DELETE CASCADE,
  frame_of_reference_uid TEXT,
  instances TEXT NOT NULL
);
`
