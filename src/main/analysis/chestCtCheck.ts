/**
 * Only chest CT is scored. Before an analysis, a series is checked for what the scores assume: a CT
 * (or windowed CT slices), not a photograph or another modality, showing two air-filled lungs
 * inside a body at a chest level. What fails is refused with the reason; a chest CT that covers the
 * lungs only in part is scored with a warning.
 *
 * The anatomical test uses the lung segmentation the analysis needs anyway (its mask is handed on,
 * so the check costs no second segmentation) and measures, at the level where the lungs are widest:
 * - both lungs: each at least MIN_LUNG_SHARE of the two lungs' cross-section there;
 * - lungs in a body: the two lungs take at most MAX_LUNG_OF_BODY of the body's cross-section
 *   (a photograph's dark background is segmented as "lung" filling 95 % of the frame);
 * - a chest level: the lungs take at least a minimum share of the body's cross-section. Measured
 *   here: chest CT 0.28–0.44 (P002 0.38, normal002 0.44, lungmask slices 0.28); COVID-SemiSeg
 *   windowed slices 0.17–0.69; the 25 most inferior slices of P002 (liver, lung bases) 0.14 with
 *   83 cm² of lung at their widest; screenshots of text 0.06–0.07.
 *   For CT in HU, where the pixel size is known, a series is refused only when both the share is
 *   under 0.2 and the lungs' widest cross-section under 120 cm² (a chest CT shows 190–300 cm²; a
 *   severely consolidated lung keeps less air, so one measure alone would refuse it).
 */
import type { Volume } from '../volume/volume'
import { segmentBody } from '../lungs/bodyMask'
import { LEFT_LUNG_LABEL, RIGHT_LUNG_LABEL, segmentLungs, segmentLungsGrey, type LungMask } from '../lungs/lungMask'
import { greyAirThreshold } from '../morphology/otsuThreshold'
import { axialOrientation } from '../volume/volumeGeometry'

/** Refusal of a series that is not a chest CT; the message names the reason. */
export class NotChestCtError extends Error {
  constructor(readonly reason: string) {
    super(`Not a chest CT: ${reason}`)
    this.name = 'NotChestCtError'
  }
}

export const CHEST_CT_LIMITS = {
  minLungShare: 0.1,
  maxLungOfBody: 0.85,
  minLungOfBodyHu: 0.2,
  minLungAreaCm2Hu: 120,
  minLungOfBodyGrey: 0.12,
  /** a lung cross-section at the first or last slice above this share of the widest means the lungs go on */
  partialEndShare: 0.15,
  /** HU threshold of air for the body outline */
  airHu: -320
} as const

const MODALITY_NAMES: Record<string, string> = {
  MR: 'magnetic resonance (MR)',
  CR: 'a radiograph (CR)',
  DX: 'a radiograph (DX)',
  DR: 'a radiograph (DR)',
  US: 'ultrasound (US)',
  PT: 'PET (PT)',
  NM: 'nuclear medicine (NM)',
  MG: 'mammography (MG)',
  XA: 'angiography (XA)',
  RF: 'fluoroscopy (RF)',
  XC: 'a colour photograph (XC)',
  SC: 'a secondary capture (SC)',
  SEG: 'a segmentation (SEG)'
}

/**
 * Why a series of this modality and unit cannot be scored, or null. CT in HU is scored; so are
 * grey-level slices ('OT': PNG/JPEG images, such as the COVID-SemiSeg windowed CT slices), which
 * the anatomical check then looks at.
 */
export function modalityRefusal(modality: string, unit: string): string | null {
  if (modality === 'CT' && unit === 'HU') return null
  if (modality === 'OT' && unit === 'grey') return null
  if (modality === 'XC') return 'the image is a colour photograph (modality XC), not a CT; Pulmo scores chest CT only.'
  const name = MODALITY_NAMES[modality] ?? `modality ${modality || 'unknown'}`
  if (modality === 'CT')
    return `the CT series has no Hounsfield units (its values are ${unit}); Pulmo scores CT in HU or windowed CT slices.`
  return `the series is ${name}, not CT; Pulmo scores chest CT only.`
}

export interface ChestCtAccepted {
  /** the lung mask the check measured, for the analysis to reuse */
  lungs: LungMask
  /** what the report must say: partial coverage, a few slices only */
  warnings: string[]
  /** at the level where the lungs are widest */
  widest: { slice: number; lungAreaCm2: number | null; lungOfBody: number }
}

function percent(x: number): string {
  return `${Math.round(100 * x)} %`
}

/** The check; throws NotChestCtError with the reason when the series is not a chest CT. */
export function checkChestCt(volume: Volume, lungMask?: LungMask): ChestCtAccepted {
  const refusal = modalityRefusal(volume.modality, volume.unit)
  if (refusal) throw new NotChestCtError(refusal)
  const grey = volume.unit === 'grey'
  const lungs = lungMask ?? (grey ? segmentLungsGrey(volume) : segmentLungs(volume))
  const [nx, ny, nz] = volume.dimensions
  const sliceSize = nx * ny
  const perSlice = Array.from({ length: nz }, () => ({ right: 0, left: 0 }))
  for (let k = 0; k < nz; k++) {
    const counts = perSlice[k]
    for (let v = k * sliceSize; v < (k + 1) * sliceSize; v++) {
      const label = lungs.labels[v]
      if (label === RIGHT_LUNG_LABEL) counts.right++
      else if (label === LEFT_LUNG_LABEL) counts.left++
    }
  }
  const area = perSlice.map((c) => c.right + c.left)
  let widest = 0
  for (let k = 1; k < nz; k++) if (area[k] > area[widest]) widest = k
  if (area[widest] === 0) throw new NotChestCtError('no air-filled lung was found inside a body on any slice.')

  const { right, left } = perSlice[widest]
  const smaller = Math.min(right, left) / area[widest]
  if (smaller < CHEST_CT_LIMITS.minLungShare) {
    throw new NotChestCtError(
      `only one air-filled lung was found (at its widest level the ${right < left ? 'right' : 'left'} lung is ${percent(smaller)} of the lungs' cross-section); the scores compare two lungs.`
    )
  }

  const body = bodyOfSlice(volume, widest)
  const lungOfBody = body > 0 ? area[widest] / body : 1
  const pixelKnown = !grey
  const lungAreaCm2 = pixelKnown ? (area[widest] * volume.spacing[0] * volume.spacing[1]) / 100 : null
  if (lungOfBody > CHEST_CT_LIMITS.maxLungOfBody) {
    throw new NotChestCtError(
      `the dark areas taken for lungs fill ${percent(lungOfBody)} of the image instead of lying inside a body (a chest shows 17–70 %): a photograph or a drawing, not a CT.`
    )
  }
  const tooLittleLung = grey
    ? lungOfBody < CHEST_CT_LIMITS.minLungOfBodyGrey
    : lungOfBody < CHEST_CT_LIMITS.minLungOfBodyHu && (lungAreaCm2 ?? 0) < CHEST_CT_LIMITS.minLungAreaCm2Hu
  if (tooLittleLung) {
    const size = lungAreaCm2 !== null ? `${Math.round(lungAreaCm2)} cm², ` : ''
    throw new NotChestCtError(
      `no slice shows two lungs filling a chest: at their widest the air-filled lungs are ${size}${percent(lungOfBody)} of the body's cross-section ` +
        `(a chest CT shows 190–300 cm², 28–44 %); this looks like an abdomen or neck series, or lung bases only.`
    )
  }

  const warnings: string[] = []
  if (nz <= 3) {
    warnings.push(
      `The series has ${nz === 1 ? 'a single slice' : `${nz} slices`}: volumes, percentages and scores describe ${nz === 1 ? 'this slice' : 'these slices'}, not the whole lungs.`
    )
  } else {
    const ends = partialEnds(volume, area, widest)
    if (ends.length > 0) {
      warnings.push(
        `The scan covers the lungs only in part: lung reaches the ${ends.join(' and the ')} of the scan. ` +
          'Volumes, percentages and scores describe the part scanned.'
      )
    }
  }
  return { lungs, warnings, widest: { slice: widest, lungAreaCm2, lungOfBody } }
}

/** The ends of the series (named by direction when the orientation is known) where the lungs go on. */
function partialEnds(volume: Volume, area: number[], widest: number): string[] {
  const nz = area.length
  const limit = CHEST_CT_LIMITS.partialEndShare * area[widest]
  let superiorAtEnd: boolean | null = null
  try {
    superiorAtEnd = axialOrientation(volume.direction).towardSuperior === 1
  } catch {
    superiorAtEnd = null
  }
  const name = (atEnd: boolean): string => {
    const slice = atEnd ? nz : 1
    if (superiorAtEnd === null || volume.unit === 'grey') return `${atEnd ? 'last' : 'first'} slice (${slice})`
    return atEnd === superiorAtEnd
      ? `upper end (towards the apices, slice ${slice})`
      : `lower end (towards the bases, slice ${slice})`
  }
  const ends: string[] = []
  if (area[0] > limit) ends.push(name(false))
  if (area[nz - 1] > limit) ends.push(name(true))
  return ends
}

/** Voxels of the body on slice k (air spaces inside it included). */
function bodyOfSlice(volume: Volume, k: number): number {
  const [nx, ny] = volume.dimensions
  const sliceSize = nx * ny
  const values = volume.data.subarray(k * sliceSize, (k + 1) * sliceSize)
  const threshold = volume.unit === 'grey' ? greyAirThreshold(volume.data) : CHEST_CT_LIMITS.airHu
  const air = new Uint8Array(sliceSize)
  for (let p = 0; p < sliceSize; p++)
    air[p] = volume.unit === 'grey' ? (values[p] <= threshold ? 1 : 0) : values[p] < threshold ? 1 : 0
  const body = segmentBody(air, [nx, ny, 1], volume.unit === 'grey' ? 'tissue-hull' : 'filled-largest-tissue')
  let count = 0
  for (let p = 0; p < sliceSize; p++) if (body[p] !== 0) count++
  return count
}
