/**
 * Signed reports are records: re-analysis or rescoring after a signature creates an amendment that
 * names the signed report it supersedes (amends_ref), never changes it. A mask version that
 * restores an earlier one says which (reverted_to), so it is not taken for a person's correction.
 */
export const migration005 = `
ALTER TABLE severity_reports ADD COLUMN amends_ref INTEGER REFERENCES severity_reports(id) ON DELETE SET NULL;
ALTER TABLE masks ADD COLUMN reverted_to INTEGER;
CREATE INDEX reports_by_amends ON severity_reports(amends_ref);
`
