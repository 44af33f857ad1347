import type { TrainingEvent } from '../training/progress'

const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(4))

export function formatEta(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`
}

/** One human-readable line per training event, for the terminal. */
export function trainingLine(e: TrainingEvent): string {
  switch (e.kind) {
    case 'step': {
      // Inf-Net's five terms by their paper names, the multi-class loss's two short; others as named
      const names: Record<string, string> = { global: 'Sg', s5: 'S5', s4: 'S4', s3: 'S3', edge: 'edge', crossEntropy: 'CE', dice: 'Dice' }
      const terms = Object.entries(e.losses)
        .filter(([k]) => k !== 'total')
        .map(([k, v]) => `${names[k] ?? k} ${fmt(v)}`)
        .join(' ')
      return (
        `epoch ${e.epoch}/${e.epochs} step ${e.globalStep}/${e.totalSteps} size ${e.inputSize} ` +
        `loss ${fmt(e.losses.total)}${terms ? ` (${terms})` : ''} lr ${e.learningRate.toExponential(1)} ` +
        `${(e.stepMs / 1000).toFixed(1)} s/step ETA ${formatEta(e.etaSeconds)} [${e.backend}]`
      )
    }
    case 'validation':
      return `validation (epoch ${e.epoch}, ${e.images} slices): loss ${fmt(e.loss)} Dice ${e.dice.toFixed(4)} maxDice ${e.maxDice.toFixed(4)} sens ${e.sensitivity.toFixed(4)} spec ${e.specificity.toFixed(4)} S ${e.sMeasure.toFixed(4)} E ${e.eMeasure.toFixed(4)} MAE ${e.mae.toFixed(4)}`
    case 'checkpoint':
      return `checkpoint at step ${e.globalStep} in ${e.path}`
    case 'log':
      return e.message
  }
}
