/**
 * The PDF a report was signed as, kept in the data folder (reports/) with its SHA-256, so the
 * signed document can be shown unchanged and checked later.
 */
export const migration003 = `
ALTER TABLE severity_reports ADD COLUMN signed_pdf_path TEXT;
ALTER TABLE severity_reports ADD COLUMN signed_pdf_sha256 TEXT;
`
