/**
 * Hand-made 4×4 cases of Inf-Net's protocol, with every expected figure derived in the comments.
 *
 * Shared facts: N = 16 pixels. Thresholds t_k = (255 − k)/255, k = 0..255. An 8-bit level v
 * normalises (min 0, max 255) to v/255 and is foreground at t_k iff v ≥ 255 − k, i.e. from
 * k = 255 − v on. At k = 255 (t = 0) every pixel is foreground. E-measure divides by N − 1 = 15.
 * Ground truth G (unless said otherwise): the 2×2 block at rows 0–1, columns 0–1, |G| = 4.
 */
import { describe, expect, it } from 'vitest'
import { scoreImage, summariseScores, thresholdCurves, type GreyImage } from '../../../../src/main/ml/metrics'

function image(rows: number[][]): GreyImage {
  return { width: rows[0].length, height: rows.length, data: Uint8Array.from(rows.flat()) }
}

const G = image([
  [255, 255, 0, 0],
  [255, 255, 0, 0],
  [0, 0, 0, 0],
  [0, 0, 0, 0]
])
const EMPTY = image([
  [0, 0, 0, 0],
  [0, 0, 0, 0],
  [0, 0, 0, 0],
  [0, 0, 0, 0]
])

function summarise(prediction: GreyImage, truth: GreyImage) {
  return summariseScores([scoreImage(prediction, truth)])
}

describe('perfect binary map (prediction = ground truth)', () => {
  // k = 0..254: the map is exactly G → TP 4, FP 0: Dice 1, sens 1, spec 1, E = 16/15
  //   (every pixel aligned: ξ = 1 → enhanced 1, sum 16, / 15).
  // k = 255: all 16 foreground → TP 4, FP 12, TN 0: Dice 2·4/(4+16) = 0.4, sens 1, spec 0;
  //   E: the map is constant so its bias is 0 → ξ = 0 → enhanced 1/4 everywhere → 4/15.
  // dice = (255 + 0.4)/256 = 0.99765625; spec = 255/256 = 0.99609375; maxDice 1;
  // eMeasure = (255·16/15 + 4/15)/256 = 4084/3840 = 1.0635416…; S = 1; MAE 0.
  const s = summarise(G, G)
  it('gives the protocol figures', () => {
    expect(s.images).toBe(1)
    expect(s.dice).toBeCloseTo(0.99765625, 12)
    expect(s.maxDice).toBe(1)
    expect(s.sensitivity).toBe(1)
    expect(s.specificity).toBeCloseTo(0.99609375, 12)
    expect(s.eMeasure).toBeCloseTo(4084 / 3840, 12)
    expect(s.sMeasure).toBeCloseTo(1, 12)
    expect(s.mae).toBe(0)
  })
  it('has Dice 1 at every threshold but the last', () => {
    const { dice } = thresholdCurves([scoreImage(G, G)])
    expect(Array.from(dice.subarray(0, 255)).every((d) => d === 1)).toBe(true)
    expect(dice[255]).toBeCloseTo(0.4, 15)
  })
})

describe('empty prediction map (all 0)', () => {
  // max = min → all zeros. k < 255: nothing foreground, no TP → Dice = sens = spec = 0.
  // k = 255: all foreground → Dice 0.4, sens 1, spec 0 (as above).
  // dice = 0.4/256 = 0.0015625; sens = 1/256 = 0.00390625; spec 0; maxDice 0.4.
  // E: the binary map is constant at every threshold → enhanced 1/4 → 4/15 at all k.
  // MAE = |G|/N = 0.25.
  // S: object part: foreground mean 0 → 0; background of 1 − map is all 1 (σ 0) → 2/(1+1) = 1;
  //   u = 1/4 → 0.75. Region part: centroid X = round(1.5) = 2, Y = 2 → four 2×2 blocks, each
  //   with a constant map and constant truth → α = β = 0 → 1 each → 1. S = 0.5·0.75 + 0.5 = 0.875.
  const s = summarise(EMPTY, G)
  it('gives the protocol figures', () => {
    expect(s.dice).toBeCloseTo(0.0015625, 15)
    expect(s.maxDice).toBeCloseTo(0.4, 15)
    expect(s.sensitivity).toBeCloseTo(0.00390625, 15)
    expect(s.specificity).toBe(0)
    expect(s.eMeasure).toBeCloseTo(4 / 15, 12)
    expect(s.mae).toBe(0.25)
    expect(s.sMeasure).toBeCloseTo(0.875, 12)
  })
  it('treats a constant non-zero map like an empty one', () => {
    const constant = image([
      [7, 7, 7, 7],
      [7, 7, 7, 7],
      [7, 7, 7, 7],
      [7, 7, 7, 7]
    ])
    expect(summarise(constant, G)).toEqual(s)
  })
})

describe('empty ground truth', () => {
  it('scores an empty map: Dice/sens/spec 0 (no TP anywhere), S 1, MAE 0', () => {
    // E: GT all background → score = background pixels of the map / 15:
    //   k < 255: 16/15; k = 255: 0 → (255·16/15)/256 = 1.0625.
    const s = summarise(EMPTY, EMPTY)
    expect([s.dice, s.sensitivity, s.specificity, s.maxDice]).toEqual([0, 0, 0, 0])
    expect(s.sMeasure).toBe(1)
    expect(s.mae).toBe(0)
    expect(s.eMeasure).toBeCloseTo(1.0625, 12)
  })
  it('scores a map with two lit pixels against 1 − mean and the background count', () => {
    // Levels 255 at (1,1), 128 at (3,3) → normalised 1 and 128/255.
    // S = 1 − mean = 1 − (1 + 128/255)/16 = 1 − 383/4080 = 3697/4080; MAE = 383/4080.
    // E = map background / 15: k 0..126 (only 255 lit): 15/15; k 127..254: 14/15; k 255: 0
    //   → (127 + 128·14/15)/256 = 3697/3840.
    const p = image([
      [0, 0, 0, 0],
      [0, 255, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 128]
    ])
    const s = summarise(p, EMPTY)
    expect([s.dice, s.sensitivity, s.specificity, s.maxDice]).toEqual([0, 0, 0, 0])
    expect(s.sMeasure).toBeCloseTo(3697 / 4080, 12)
    expect(s.mae).toBeCloseTo(383 / 4080, 12)
    expect(s.eMeasure).toBeCloseTo(3697 / 3840, 12)
  })
})

describe('known partial overlap', () => {
  // Prediction levels (· = 0):          G:
  //   255 255 255  ·                       1 1 0 0
  //   128  ·   ·   ·                       1 1 0 0
  //    ·   ·  128  ·                       0 0 0 0
  //    ·   ·   ·  64                       0 0 0 0
  // Bands of thresholds with the same binary map:
  //   k 0..126   (127 thr): the three 255s      TP 2 FP 1 FN 2 TN 11: Dice 4/7, sens 1/2, spec 11/12
  //   k 127..190 (64 thr):  + both 128s         TP 3 FP 2 FN 1 TN 10: Dice 6/9, sens 3/4, spec 10/12
  //   k 191..254 (64 thr):  + the 64            TP 3 FP 3 FN 1 TN 9:  Dice 6/10, sens 3/4, spec 9/12
  //   k 255      (1 thr):   all 16              TP 4 FP 12:           Dice 8/20, sens 1, spec 0
  // dice = (127·4/7 + 64·2/3 + 64·3/5 + 2/5)/256 = (16174/105)/256 = 8087/13440 = 0.601711309…
  // maxDice = 2/3; sens = (63.5 + 48 + 48 + 1)/256 = 160.5/256 = 0.626953125
  // spec = (127·11/12 + 64·5/6 + 64·3/4)/256 = 217.75/256 = 0.8505859375
  // MAE = (1 [FP 255] + 127/255 [TP 128] + 1 [FN] + 128/255 + 64/255 [FPs]) / 16 = 829/4080
  // E per band, from the four pixel kinds (a = map − mean(map), b = gt − mean(gt),
  //   enhanced = ((a+b)²/(a²+b²))²/4), e.g. band 1 (mean map 3/16, mean gt 1/4):
  //   TP 2·(625/313)²/4 + FP 1·(81/185)²/4 + FN 2·(81/153)²/4 + TN 11·(49/25)²/4, all / 15
  //   = 0.849738615…; band 2 0.855416865…; band 3 0.756950839…; band 4 4/15
  //   → (127·0.849738615 + 64·0.855416865 + 64·0.756950839 + 0.266666667)/256 = 0.825683609
  // S: object part — foreground values {1, 1, 128/255, 0}: mean 0.6254902, sample σ 0.4785436
  //   → 2·0.6254902/(0.6254902² + 1 + 0.4785436) = 0.6690476; background values of 1 − map:
  //   nine 1s, 0, 127/255, 191/255: mean 0.8539216, σ 0.3102632 → 0.8374054;
  //   0.25·0.6690476 + 0.75·0.8374054 = 0.7953159.
  //   Region part — centroid (2, 2): top-left block has uniform truth and a varying map
  //   (α = 0, β > 0 → 0), top-right and bottom-right have uniform truth and varying maps → 0,
  //   bottom-left is 0 in both → 1; weights 1/4 each → 0.25.
  //   S = 0.5·0.7953159 + 0.5·0.25 = 0.5226587.
  const p = image([
    [255, 255, 255, 0],
    [128, 0, 0, 0],
    [0, 0, 128, 0],
    [0, 0, 0, 64]
  ])
  const s = summarise(p, G)
  it('gives the protocol figures', () => {
    expect(s.dice).toBeCloseTo(8087 / 13440, 12)
    expect(s.maxDice).toBeCloseTo(2 / 3, 15)
    expect(s.sensitivity).toBeCloseTo(0.626953125, 12)
    expect(s.specificity).toBeCloseTo(0.8505859375, 12)
    expect(s.mae).toBeCloseTo(829 / 4080, 12)
    expect(s.eMeasure).toBeCloseTo(0.825683609, 8)
    expect(s.sMeasure).toBeCloseTo(0.5226587, 6)
  })
  it('gives the band values at each threshold', () => {
    const c = thresholdCurves([scoreImage(p, G)])
    const at = (k: number) => [c.dice[k], c.sensitivity[k], c.specificity[k]]
    for (const k of [0, 126]) expect(at(k)).toEqual([4 / 7, 1 / 2, 11 / 12])
    for (const k of [127, 190]) expect(at(k)).toEqual([6 / 9, 3 / 4, 10 / 12])
    for (const k of [191, 254]) expect(at(k)).toEqual([6 / 10, 3 / 4, 9 / 12])
    expect(at(255)).toEqual([8 / 20, 1, 0])
    expect(c.eMeasure[0]).toBeCloseTo(0.849738615, 8)
  })
  it('is unchanged by the value scale of a float map', () => {
    const float: GreyImage = { width: 4, height: 4, data: Float32Array.from(p.data, (v) => v / 255) }
    const fs = summarise(float, G)
    // Float32 rounding of v/255 may move a level across a threshold tie, so compare loosely.
    expect(fs.mae).toBeCloseTo(s.mae, 6)
    expect(fs.sMeasure).toBeCloseTo(s.sMeasure, 6)
  })
})

describe('all-foreground ground truth', () => {
  it('scores E by the map foreground and defines specificity as 1 (no background to get wrong)', () => {
    // Prediction: the partial-overlap map against a GT of all 255.
    // k 0..126: 3 lit → TP 3: Dice 6/19, sens 3/16; k 127..190: 5 lit → 10/21, 5/16;
    // k 191..254: 6 lit → 12/22, 6/16; k 255: 16 lit → 1, 1.
    // sens = (127·3 + 64·5 + 64·6 + 16)/16/256 = 1101/4096 = 0.268798828125
    // E = lit/15 per band → (127·3 + 64·5 + 64·6 + 16)/15/256 = 1101/3840
    // S = mean(map) = (3 + 2·128/255 + 64/255)/16 = (765 + 320)/4080 = 1085/4080; MAE = 1 − S.
    const p = image([
      [255, 255, 255, 0],
      [128, 0, 0, 0],
      [0, 0, 128, 0],
      [0, 0, 0, 64]
    ])
    const full = image([
      [255, 255, 255, 255],
      [255, 255, 255, 255],
      [255, 255, 255, 255],
      [255, 255, 255, 255]
    ])
    const s = summarise(p, full)
    expect(s.sensitivity).toBeCloseTo(1101 / 4096, 12)
    expect(s.specificity).toBe(1)
    expect(s.dice).toBeCloseTo((127 * (6 / 19) + 64 * (10 / 21) + 64 * (12 / 22) + 1) / 256, 12)
    expect(s.maxDice).toBe(1)
    expect(s.eMeasure).toBeCloseTo(1101 / 3840, 12)
    expect(s.sMeasure).toBeCloseTo(1085 / 4080, 12)
    expect(s.mae).toBeCloseTo(1 - 1085 / 4080, 12)
  })
})

describe('aggregation over images', () => {
  it('averages per threshold, then over thresholds; maxDice is the best threshold of the mean curve', () => {
    // Perfect + empty: Dice curve = ((1 + 0)/2 for k < 255, (0.4 + 0.4)/2 at k = 255)
    // → dice = (255·0.5 + 0.4)/256 = 127.9/256; maxDice 0.5 (not the mean of per-image maxima, 0.7).
    // S and MAE: plain means: (1 + 0.875)/2 = 0.9375, (0 + 0.25)/2 = 0.125.
    const s = summariseScores([scoreImage(G, G), scoreImage(EMPTY, G)])
    expect(s.images).toBe(2)
    expect(s.dice).toBeCloseTo(127.9 / 256, 12)
    expect(s.maxDice).toBe(0.5)
    expect(s.sMeasure).toBeCloseTo(0.9375, 12)
    expect(s.mae).toBe(0.125)
    expect(Object.keys(s)).toEqual([
      'images',
      'dice',
      'sensitivity',
      'specificity',
      'sMeasure',
      'eMeasure',
      'mae',
      'maxDice'
    ])
  })
  it('refuses an empty set', () => {
    expect(() => summariseScores([])).toThrow(/no images/)
  })
})
