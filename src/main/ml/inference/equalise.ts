/**
 * The one input representation every source is brought to: grey levels replaced by their rank in
 * the image (histogram equalisation, mid-rank for ties), 0–255.
 *
 * Why: the training sources differ by a grey mapping, not by anatomy. COVID-SemiSeg's JPEGs are
 * windowed (aerated lung ≈ 25–60, soft tissue ≈ 200), the zenodo slices are min-max rescaled and
 * CLAHE-enhanced, and a DICOM series arrives in HU that Pulmo windows itself. A rank is unchanged
 * by any increasing grey mapping, so every window, the rescale and (to first order) CLAHE give the
 * network the same image; a fixed standardisation passes each source's mapping straight through.
 * Ties (the saturated air of a windowed image) take the mean rank of their level, so an image with
 * more air outside the body shifts the rest less than lowest-rank ties would.
 */
export function equaliseGrey(data: ArrayLike<number>): Uint8Array {
  const histogram = new Float64Array(256)
  for (let i = 0; i < data.length; i++) histogram[clampGrey(data[i])]++
  const map = new Uint8Array(256)
  let below = 0
  const n = data.length || 1
  for (let g = 0; g < 256; g++) {
    map[g] = Math.round(((below + histogram[g] / 2) / n) * 255)
    below += histogram[g]
  }
  const out = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i++) out[i] = map[clampGrey(data[i])]
  return out
}

const clampGrey = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v))
