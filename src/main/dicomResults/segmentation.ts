/**
 * Pulmo's masks as a DICOM Segmentation (binary, one frame per slice a segment touches): right and
 * left lung from the lung mask, ground-glass opacity and consolidation from the infection labels,
 * and (when given) the five anatomical lobes from the lobe map.
 * Every frame references its source CT instance and position, the object shares the source
 * series' frame of reference, so any SEG viewer (OHIF, 3D Slicer) overlays it on the CT; and
 * Pulmo reads it back to the same masks.
 *
 * dcmjs's `derivations.Segmentation` was the first choice, but it derives from the source images'
 * full data sets (pixel data included, which Pulmo does not keep after import) and draws random
 * UIDs, so the same result sent twice would be two objects; the module attributes are written
 * here with dcmjs's data layer instead.
 */
import type { DicomDict, NaturalDataset } from 'dcmjs'
import {
  code,
  dateTime,
  decimal,
  derivedUid,
  equipment,
  partTen,
  patientAndStudy,
  readPartTen,
  type SourceSeries
} from './common'

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4'
export const SEG_SERIES_NUMBER = 9101

const ANATOMY = code('123037004', 'SCT', 'Anatomical Structure')
const ALTERED = code('49755003', 'SCT', 'Morphologically Altered Structure')

/** The segments, in order; `type` identifies them when reading back. */
export const SEGMENTS = [
  {
    number: 1,
    label: 'Right lung',
    category: ANATOMY,
    type: code('3341006', 'SCT', 'Right lung'),
    lab: [45000, 35000, 40000],
    from: 'lungs',
    value: 1
  },
  {
    number: 2,
    label: 'Left lung',
    category: ANATOMY,
    type: code('44029006', 'SCT', 'Left lung'),
    lab: [45000, 25000, 25000],
    from: 'lungs',
    value: 2
  },
  {
    number: 3,
    label: 'Ground-glass opacity',
    category: ALTERED,
    type: code('112120', 'DCM', 'Ground glass opacity'),
    lab: [50000, 60000, 60000],
    from: 'labels',
    value: 1
  },
  {
    number: 4,
    label: 'Consolidation',
    category: ALTERED,
    type: code('95436008', 'SCT', 'Lung consolidation'),
    lab: [40000, 55000, 15000],
    from: 'labels',
    value: 2
  },
  {
    number: 5,
    label: 'Right upper lobe',
    category: ANATOMY,
    type: code('45653009', 'SCT', 'Upper lobe of right lung'),
    lab: [55000, 50000, 42000],
    from: 'lobes',
    value: 1
  },
  {
    number: 6,
    label: 'Right middle lobe',
    category: ANATOMY,
    type: code('72481006', 'SCT', 'Middle lobe of right lung'),
    lab: [70000, 25000, 45000],
    from: 'lobes',
    value: 2
  },
  {
    number: 7,
    label: 'Right lower lobe',
    category: ANATOMY,
    type: code('90572001', 'SCT', 'Lower lobe of right lung'),
    lab: [45000, 36000, 20000],
    from: 'lobes',
    value: 3
  },
  {
    number: 8,
    label: 'Left upper lobe',
    category: ANATOMY,
    type: code('44714003', 'SCT', 'Upper lobe of left lung'),
    lab: [65000, 40000, 60000],
    from: 'lobes',
    value: 4
  },
  {
    number: 9,
    label: 'Left lower lobe',
    category: ANATOMY,
    type: code('41224006', 'SCT', 'Lower lobe of left lung'),
    lab: [45000, 50000, 25000],
    from: 'lobes',
    value: 5
  }
] as const

export interface SegmentationInput {
  source: SourceSeries
  /** Per voxel: 0 outside, 1 right lung, 2 left lung. */
  lungs: Uint8Array
  /** Per voxel: 0 none, 1 ground-glass, 2 consolidation. */
  labels: Uint8Array
  /** Per voxel: 0 outside, 1 RUL, 2 RML, 3 RLL, 4 LUL, 5 LLL; without it the SEG carries no lobe segments. */
  lobes?: Uint8Array
  /** "infnet-lite 1.0": the algorithm name. */
  model: string
  /** An annotator corrected the infection mask: the segments are then semi-automatic. */
  corrected: boolean
  /** When the masks were made (ISO), the content date. */
  createdAt: string
  /** What identifies this result (series, mask version): the same key gives the same UIDs. */
  resultKey: string
}

function packBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  // DICOM packs the first pixel into the least significant bit.
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3] |= 1 << (i & 7)
  return out
}

function sourceImage(source: SourceSeries, k: number): NaturalDataset {
  const instance = source.instances[k]
  return {
    SourceImageSequence: [
      {
        ReferencedSOPClassUID: instance.sopClassUid,
        ReferencedSOPInstanceUID: instance.sopInstanceUid,
        PurposeOfReferenceCodeSequence: [code('121322', 'DCM', 'Source image for image processing operation')]
      }
    ],
    DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')]
  }
}

export function buildSegmentation(input: SegmentationInput): DicomDict {
  const { source } = input
  const [nx, ny, nz] = source.dimensions
  const sliceSize = nx * ny
  if (input.lungs.length !== sliceSize * nz || input.labels.length !== sliceSize * nz)
    throw new Error('the masks do not match the series size')
  if (source.instances.length !== nz)
    throw new Error(`the series has ${source.instances.length} source instances for ${nz} slices`)
  const d = source.direction
  const orientation = [d[0], d[3], d[6], d[1], d[4], d[7]].map(decimal)
  const [sx, sy, sz] = source.spacing
  const organization = derivedUid(input.resultKey, 'seg-dimensions')
  const frames: NaturalDataset[] = []
  const frameBits: Uint8Array[] = []
  const segments: NaturalDataset[] = []
  const algorithmType = input.corrected ? 'SEMIAUTOMATIC' : 'AUTOMATIC'
  if (input.lobes && input.lobes.length !== sliceSize * nz) throw new Error('the lobe map does not match the series size')
  for (const segment of SEGMENTS) {
    if (segment.from === 'lobes' && !input.lobes) continue
    const mask = segment.from === 'lungs' ? input.lungs : segment.from === 'lobes' ? input.lobes! : input.labels
    // Lungs and lobes are model-free segmentations; only the infection was corrected by hand.
    const type = segment.from === 'labels' ? algorithmType : 'AUTOMATIC'
    segments.push({
      SegmentNumber: segment.number,
      SegmentLabel: segment.label,
      SegmentAlgorithmType: type,
      SegmentAlgorithmName:
        segment.from === 'lungs' ? 'Pulmo lung segmentation' : segment.from === 'lobes' ? 'Pulmo fissure-fitted lobes (CIP lobe atlas)' : input.model,
      SegmentedPropertyCategoryCodeSequence: [segment.category],
      SegmentedPropertyTypeCodeSequence: [segment.type],
      RecommendedDisplayCIELabValue: [...segment.lab]
    })
    const slices: number[] = []
    for (let k = 0; k < nz; k++) {
      const from = k * sliceSize
      for (let i = 0; i < sliceSize; i++) {
        if (mask[from + i] === segment.value) {
          slices.push(k)
          break
        }
      }
    }
    // A segment with no voxel still gets one (empty) frame, so readers see it was looked for.
    if (slices.length === 0) slices.push(nz >> 1)
    for (const k of slices) {
      const bits = new Uint8Array(sliceSize)
      const from = k * sliceSize
      for (let i = 0; i < sliceSize; i++) bits[i] = mask[from + i] === segment.value ? 1 : 0
      frameBits.push(bits)
      frames.push({
        DerivationImageSequence: [sourceImage(source, k)],
        FrameContentSequence: [{ DimensionIndexValues: [segment.number, k + 1] }],
        PlanePositionSequence: [{ ImagePositionPatient: source.instances[k].position.map(decimal) }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segment.number }]
      })
    }
  }
  const all = new Uint8Array(frameBits.length * sliceSize)
  frameBits.forEach((b, f) => all.set(b, f * sliceSize))
  const packed = packBits(all)
  const { date, time } = dateTime(input.createdAt)
  const seriesUid = derivedUid(source.seriesInstanceUid, 'pulmo-seg-series')
  const ds: NaturalDataset = {
    _vrMap: { PixelData: 'OB' },
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: derivedUid(input.resultKey, 'seg'),
    ...patientAndStudy(source),
    Modality: 'SEG',
    SeriesInstanceUID: seriesUid,
    SeriesNumber: SEG_SERIES_NUMBER,
    SeriesDescription: 'Pulmo lungs and infection',
    FrameOfReferenceUID: source.frameOfReferenceUid ?? derivedUid(source.seriesInstanceUid, 'frame-of-reference'),
    PositionReferenceIndicator: '',
    ...equipment(input.model),
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'PULMO',
    ContentDescription: 'Lungs, ground-glass opacity, consolidation',
    ContentCreatorName: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: ny,
    Columns: nx,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    SegmentSequence: segments,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organization }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: organization,
        DimensionIndexPointer: 0x0062000b,
        FunctionalGroupPointer: 0x0062000a,
        DimensionDescriptionLabel: 'ReferencedSegmentNumber'
      },
      {
        DimensionOrganizationUID: organization,
        DimensionIndexPointer: 0x00200032,
        FunctionalGroupPointer: 0x00209113,
        DimensionDescriptionLabel: 'ImagePositionPatient'
      }
    ],
    SharedFunctionalGroupsSequence: [
      {
        PixelMeasuresSequence: [
          { PixelSpacing: [decimal(sy), decimal(sx)], SliceThickness: decimal(sz), SpacingBetweenSlices: decimal(sz) }
        ],
        PlaneOrientationSequence: [{ ImageOrientationPatient: orientation }]
      }
    ],
    PerFrameFunctionalGroupsSequence: frames,
    NumberOfFrames: frames.length,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: source.seriesInstanceUid,
        ReferencedInstanceSequence: source.instances.map((i) => ({
          ReferencedSOPClassUID: i.sopClassUid,
          ReferencedSOPInstanceUID: i.sopInstanceUid
        }))
      }
    ],
    PixelData: [packed.buffer.slice(packed.byteOffset, packed.byteOffset + packed.byteLength)]
  }
  return partTen(ds)
}

export interface ReadSegmentation {
  lungs: Uint8Array
  labels: Uint8Array
  /** 0 where the SEG carries no lobe segment */
  lobes: Uint8Array
  sopInstanceUid: string
  seriesInstanceUid: string
  segments: Array<{ number: number; label: string; algorithmType: string; frames: number }>
}

function first(v: unknown): NaturalDataset {
  return (Array.isArray(v) ? v[0] : v) as NaturalDataset
}

const segmentKey = (c: NaturalDataset): string => `${c.CodingSchemeDesignator}:${c.CodeValue}`

/**
 * Reads a binary SEG over `source` back into Pulmo's lung mask and infection labels. Frames are
 * placed by the source instance they reference (or, failing that, by their position), and
 * segments are recognised by their property type code, not their number.
 */
export function readSegmentation(bytes: Uint8Array, source: SourceSeries): ReadSegmentation {
  const { ds } = readPartTen(bytes)
  if (ds.SOPClassUID !== SEGMENTATION_STORAGE)
    throw new Error(`not a DICOM Segmentation (SOP class ${String(ds.SOPClassUID)})`)
  if (ds.SegmentationType !== 'BINARY')
    throw new Error(`only binary segmentations are read, not ${String(ds.SegmentationType)}`)
  const [nx, ny, nz] = source.dimensions
  if (ds.Rows !== ny || ds.Columns !== nx)
    throw new Error(`the segmentation is ${String(ds.Columns)}×${String(ds.Rows)}, the series ${nx}×${ny}`)
  const sliceSize = nx * ny
  const bySop = new Map(source.instances.map((inst, k) => [inst.sopInstanceUid, k]))
  const normal = [source.direction[2], source.direction[5], source.direction[8]]
  const along = (p: number[]): number => p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2]
  const zs = source.instances.map((i) => along(i.position))
  const byKey = new Map<string, (typeof SEGMENTS)[number]>(SEGMENTS.map((s) => [segmentKey(s.type), s]))
  const segmentOf = new Map<number, (typeof SEGMENTS)[number]>()
  const summary: ReadSegmentation['segments'] = []
  for (const item of (ds.SegmentSequence as NaturalDataset[]) ?? []) {
    const known = byKey.get(segmentKey(first(item.SegmentedPropertyTypeCodeSequence)))
    if (known) segmentOf.set(Number(item.SegmentNumber), known)
    summary.push({
      number: Number(item.SegmentNumber),
      label: String(item.SegmentLabel ?? ''),
      algorithmType: String(item.SegmentAlgorithmType ?? ''),
      frames: 0
    })
  }
  const pixelBuffer = (ds.PixelData as ArrayBuffer[])[0]
  const pixels = new Uint8Array(pixelBuffer)
  const frames = (ds.PerFrameFunctionalGroupsSequence as NaturalDataset[]) ?? []
  if (pixels.length * 8 < frames.length * sliceSize)
    throw new Error('the segmentation holds fewer pixels than its frames need')
  const lungs = new Uint8Array(sliceSize * nz)
  const labels = new Uint8Array(sliceSize * nz)
  const lobes = new Uint8Array(sliceSize * nz)
  frames.forEach((frame, f) => {
    const number = Number(first(frame.SegmentIdentificationSequence).ReferencedSegmentNumber)
    const segment = segmentOf.get(number)
    const entry = summary.find((s) => s.number === number)
    if (entry) entry.frames++
    if (!segment) return
    const derivation = frame.DerivationImageSequence ? first(frame.DerivationImageSequence) : undefined
    const sop = derivation?.SourceImageSequence
      ? String(first(derivation.SourceImageSequence).ReferencedSOPInstanceUID)
      : ''
    let k = bySop.get(sop)
    if (k === undefined) {
      const position = (first(frame.PlanePositionSequence).ImagePositionPatient as Array<number | string>).map(Number)
      const z = along(position)
      k = zs.findIndex((zk) => Math.abs(zk - z) < 1e-3)
      if (k < 0) throw new Error(`frame ${f + 1} of the segmentation lies on no slice of the series`)
    }
    const target = segment.from === 'lungs' ? lungs : segment.from === 'lobes' ? lobes : labels
    const base = f * sliceSize
    const out = k * sliceSize
    for (let i = 0; i < sliceSize; i++) {
      const bit = base + i
      if (pixels[bit >> 3] & (1 << (bit & 7))) target[out + i] = segment.value
    }
  })
  return {
    lungs,
    labels,
    lobes,
    sopInstanceUid: String(ds.SOPInstanceUID),
    seriesInstanceUid: String(ds.SeriesInstanceUID),
    segments: summary
  }
}
