export { CoachNetwork, COACH_CELL, cellsToPixels, erasedFraction, hardTopKMask, randomMask, topKMask } from './coach'
export { InpaintingConfig, inpainterNetwork, pretrainInpainting, type InpaintingEvent, type RoundSummary } from './inpainting'
export { erase, reconstructionLoss } from './reconstruction'
export { readGreySlices, type GreyStack } from './greySlices'
