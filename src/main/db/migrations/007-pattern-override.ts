/**
 * The radiologist's CT pattern category (RSNA, CO-RADS, a note), replacing the one Pulmo proposed:
 * kept apart from the automatic part, as region score edits are, so the proposal is never lost.
 * JSON (src/shared/ctPattern.ts PatternOverride); NULL when the radiologist kept the proposal.
 */
export const migration007 = `
ALTER TABLE severity_reports ADD COLUMN pattern_override TEXT;
`
