/**
 * Timings of the severity pipeline on the 512×512×130 chest phantom (0.7×0.7×2.5 mm), with two
 * lesions. Run: npx vitest bench --run test/unit/analysis
 */
import { bench, describe } from 'vitest'
import { segmentLungs } from '../../../src/main/lungs/lungMask'
import { createChestPhantom, insertLesion, lesionLabelMap } from '../../helpers/phantom'
import { partitionLungRegions } from '../../../src/main/regions/regions'
import { computeSeverity } from '../../../src/main/scores/scores'
import { TEST_LESIONS } from '../../helpers/phantomTruth'

const phantom = createChestPhantom()
const lesions = [insertLesion(phantom, TEST_LESIONS.consolidation), insertLesion(phantom, TEST_LESIONS.groundGlass)]
const infection = lesionLabelMap(phantom, lesions)
const lungs = segmentLungs(phantom.volume)
const regions = partitionLungRegions(lungs.labels, phantom.volume)
const options = { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 }

describe('severity pipeline, 512×512×130 phantom', () => {
  bench('createChestPhantom', () => void createChestPhantom(), options)
  bench('segmentLungs', () => void segmentLungs(phantom.volume), options)
  bench('partitionLungRegions', () => void partitionLungRegions(lungs.labels, phantom.volume), options)
  bench(
    'computeSeverity',
    () =>
      void computeSeverity({
        geometry: phantom.volume,
        lungLabels: lungs.labels,
        regionLabels: regions,
        infectionLabels: infection
      }),
    options
  )
})
