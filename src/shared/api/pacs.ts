/** PACS (DICOMweb) servers, remote studies and what a push stored. */
import { z } from 'zod'

/** A PACS (DICOMweb server) as configured in the settings; its secret never leaves the workstation's database. */
export const PacsAuthKind = z.enum(['none', 'basic', 'bearer'])
export const PacsServer = z.object({
  id: z.string(),
  name: z.string(),
  /** The DICOMweb root, e.g. https://pacs.example.org/dicom-web */
  url: z.string(),
  authKind: PacsAuthKind,
  user: z.string(),
  /** Whether a password (basic) or token (bearer) is stored. */
  secretSet: z.boolean()
})
export type PacsServer = z.infer<typeof PacsServer>

export const PacsStudy = z.object({
  studyInstanceUid: z.string(),
  patientName: z.string(),
  patientId: z.string(),
  studyDate: z.string(),
  description: z.string(),
  modalities: z.array(z.string()),
  seriesCount: z.number().int().nullable()
})
export type PacsStudy = z.infer<typeof PacsStudy>

export const PacsPushResult = z.object({
  studyInstanceUid: z.string(),
  deidentified: z.boolean(),
  objects: z.array(
    z.object({
      kind: z.enum(['seg', 'sr', 'pdf']),
      sopInstanceUid: z.string(),
      status: z.enum(['stored', 'already-there', 'failed']),
      message: z.string()
    })
  )
})
export type PacsPushResult = z.infer<typeof PacsPushResult>
