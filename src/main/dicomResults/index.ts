export { type SourceSeries, toBytes, readPartTen, derivedUid } from './common'
export {
  buildSegmentation,
  readSegmentation,
  SEGMENTATION_STORAGE,
  SEGMENTS,
  type ReadSegmentation,
  type SegmentationInput
} from './segmentation'
export { buildStructuredReport, COMPREHENSIVE_SR, type SeverityReportContent } from './structuredReport'
export { buildEncapsulatedPdf, ENCAPSULATED_PDF, pdfOf } from './encapsulatedPdf'
export { restoreResultAttributes } from './afterDeidentification'
