/** The severity report: its input, key images with the infection overlay, the PDF. */
export { automaticScoresOf, reportFinalScores, type FinalScores } from './finalScores'
export {
  buildKeyImages,
  chooseKeySlices,
  DEFAULT_KEY_IMAGES,
  keyImagesLine,
  OVERLAY_COLOURS,
  renderOverlay,
  type KeyImageOptions
} from './keyImages'
export { encodePngRgb } from './pngRgb'
export { findReportFonts, STANDARD_FONTS, toWinAnsi, type ReportFonts } from './reportFonts'
export type {
  KeyImage,
  ModelInfo,
  PatientInfo,
  ReportInput,
  SeriesInfo,
  StudyInfo
} from './reportInput'
export { APPROXIMATION_NOTE, renderReportPdf, writeReportPdf, type ReportPdfOptions } from './reportPdf'
