/** The first schema. Later migrations are new numbered files; never edit a shipped one. */
export const migration001 = `
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL,
  name TEXT NOT NULL,
  birth_date TEXT,
  sex TEXT,
  UNIQUE (patient_id, name)
);

CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  patient_ref INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
  study_instance_uid TEXT NOT NULL UNIQUE,
  study_date TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  accession_number TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);

CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  study_ref INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  series_instance_uid TEXT NOT NULL UNIQUE,
  series_number INTEGER,
  description TEXT NOT NULL DEFAULT '',
  modality TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('HU', 'grey')),
  columns INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  slices INTEGER NOT NULL,
  spacing TEXT NOT NULL,
  origin TEXT NOT NULL,
  direction TEXT NOT NULL,
  value_min REAL NOT NULL,
  value_max REAL NOT NULL,
  voxel_path TEXT NOT NULL,
  checksum TEXT NOT NULL,
  imported_at TEXT NOT NULL
);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  card TEXT NOT NULL DEFAULT '{}',
  active INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  UNIQUE (name, version)
);

CREATE TABLE masks (
  id INTEGER PRIMARY KEY,
  series_ref INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  parent_ref INTEGER REFERENCES masks(id) ON DELETE SET NULL,
  source TEXT NOT NULL CHECK (source IN ('model', 'annotator', 'import')),
  model_ref INTEGER REFERENCES models(id) ON DELETE SET NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  label_set TEXT NOT NULL,
  path TEXT NOT NULL,
  checksum TEXT NOT NULL,
  training_slices TEXT NOT NULL DEFAULT '[]',
  UNIQUE (series_ref, version)
);

CREATE TABLE severity_reports (
  id INTEGER PRIMARY KEY,
  series_ref INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  mask_ref INTEGER REFERENCES masks(id) ON DELETE SET NULL,
  automatic TEXT NOT NULL,
  edits TEXT NOT NULL DEFAULT '[]',
  findings TEXT NOT NULL DEFAULT '',
  impression TEXT NOT NULL DEFAULT '',
  signed_by TEXT,
  signed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE training_runs (
  id INTEGER PRIMARY KEY,
  model_ref INTEGER REFERENCES models(id) ON DELETE SET NULL,
  config TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'cancelled', 'failed', 'finished')),
  checkpoint_path TEXT,
  metrics TEXT NOT NULL DEFAULT '{}',
  started_at TEXT NOT NULL,
  finished_at TEXT
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER,
  detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE INDEX series_by_study ON series(study_ref);
CREATE INDEX masks_by_series ON masks(series_ref);
CREATE INDEX reports_by_series ON severity_reports(series_ref);
CREATE INDEX audit_by_entity ON audit_log(entity, entity_id);
`
