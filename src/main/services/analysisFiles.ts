/**
 * The files an analysis leaves beside its lung mask (analysis/<uuid>.nii.gz, the path the series
 * row keeps): the lobe and region label maps of the same run, named after the lung mask so that no
 * new column is needed and the clean-up keeps them exactly as long as the lung mask.
 */
export type AnalysisCompanion = 'lobes' | 'regions'

export function companionPath(lungsPath: string, kind: AnalysisCompanion): string {
  return lungsPath.replace(/\.nii\.gz$/, `.${kind}.nii.gz`)
}

/** The lung mask paths with their companions: what the analysis folder's clean-up must keep. */
export function withCompanions(lungsPaths: readonly string[]): Set<string> {
  return new Set(lungsPaths.flatMap((p) => [p, companionPath(p, 'lobes'), companionPath(p, 'regions')]))
}
