/** The lung mask of a series' latest analysis (0 outside, 1 right, 2 left), for overlays and reports. */
export const migration002 = `
ALTER TABLE series ADD COLUMN lung_mask_path TEXT;
`
