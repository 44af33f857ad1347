/**
 * Each series' DICOM InstanceNumber per slice (JSON array in slice order; NULL for series not read
 * from DICOM or imported before), so screens, reports and the CLI number images as PACS does.
 */
export const migration004 = `
ALTER TABLE series ADD COLUMN instance_numbers TEXT;
`
