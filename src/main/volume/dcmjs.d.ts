/**
 * The part of dcmjs (which ships no type declarations) that Pulmo uses: reading a Part 10 file,
 * turning its tag-keyed dictionary into keyword-named values, and writing it back.
 */
declare module 'dcmjs' {
  /** One element of a raw data set, keyed by its tag as 8 hex digits ("00080060"). */
  export interface DicomElement {
    vr: string
    Value: unknown[]
  }

  export type DicomDataset = Record<string, DicomElement>

  /** Keyword-named values ("Modality", "ImagePositionPatient"), as naturalizeDataset returns them. */
  export type NaturalDataset = Record<string, unknown>

  export interface DicomDict {
    meta: DicomDataset
    dict: DicomDataset
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer
  }

  export interface ReadOptions {
    ignoreErrors?: boolean
    untilTag?: string | null
    includeUntilTagValue?: boolean
    /** Return views into the input buffer instead of copies for bulk values such as PixelData. */
    noCopy?: boolean
    forceStoreRaw?: boolean
  }

  export interface DictionaryEntry {
    /** "(0010,0010)" */
    tag: string
    vr: string
    vm: string
    name: string
  }

  interface DcmjsData {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict
    }
    DicomMetaDictionary: {
      naturalizeDataset(dataset: DicomDataset): NaturalDataset
      denaturalizeDataset(dataset: NaturalDataset): DicomDataset
      /** Keyword → entry. */
      nameMap: Record<string, DictionaryEntry | undefined>
    }
    DicomDict: new (meta: DicomDataset) => DicomDict
  }

  const dcmjs: {
    data: DcmjsData
    log: { setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'): void }
  }
  export default dcmjs
}
