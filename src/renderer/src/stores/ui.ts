import { defineStore } from 'pinia'
import { ref } from 'vue'

export type AppView = 'reading' | 'report' | 'training' | 'compare'

/** What the user chose in the dialog: the main action, the alternative one, or neither. */
export type Choice = 'confirm' | 'alternative' | 'cancel'

export interface Confirmation {
  title: string
  message: string
  confirmLabel: string
  danger: boolean
  /** A second way on (e.g. "Save and continue" beside "Discard"), shown between cancel and confirm. */
  alternativeLabel: string | null
  cancelLabel: string
  resolve: (choice: Choice) => void
}

/** What Analyze does on a series whose working mask is a person's correction. */
export type CorrectionChoice = 'rescore' | 'corrected' | 'model' | 'cancel'

export interface CorrectionQuestion {
  /** the corrected version that is the working mask */
  version: number
  author: string
  /** training slices the series keeps whatever is chosen */
  trainingSlices: number
  /** false before any analysis: there are no lungs to rescore in, so the model must run */
  canRescore: boolean
  resolve: (choice: CorrectionChoice) => void
}

/** Which screen is shown, the settings dialog, and the one confirmation dialog. */
export const useUiStore = defineStore('ui', () => {
  const view = ref<AppView>('reading')
  const settingsOpen = ref(false)
  const confirmation = ref<Confirmation | null>(null)
  const correctionQuestion = ref<CorrectionQuestion | null>(null)

  /** Asks what Analyze should do with a corrected mask (see AnalyzeChoiceDialog). */
  function askAboutCorrection(question: Omit<CorrectionQuestion, 'resolve'>): Promise<CorrectionChoice> {
    correctionQuestion.value?.resolve('cancel')
    return new Promise((resolve) => {
      correctionQuestion.value = { ...question, resolve }
    })
  }

  function answerCorrection(choice: CorrectionChoice): void {
    const pending = correctionQuestion.value
    correctionQuestion.value = null
    pending?.resolve(choice)
  }

  function choose(options: {
    title: string
    message: string
    confirmLabel: string
    danger?: boolean
    alternativeLabel?: string
    cancelLabel?: string
  }): Promise<Choice> {
    confirmation.value?.resolve('cancel')
    return new Promise((resolve) => {
      confirmation.value = { danger: false, alternativeLabel: null, cancelLabel: 'Cancel', ...options, resolve }
    })
  }

  async function confirm(options: {
    title: string
    message: string
    confirmLabel: string
    danger?: boolean
  }): Promise<boolean> {
    return (await choose(options)) === 'confirm'
  }

  function answer(choice: Choice | boolean): void {
    const pending = confirmation.value
    confirmation.value = null
    pending?.resolve(choice === true ? 'confirm' : choice === false ? 'cancel' : choice)
  }

  /** True when a modal owns the keyboard. */
  function modalOpen(): boolean {
    return settingsOpen.value || confirmation.value !== null || correctionQuestion.value !== null
  }

  return { view, settingsOpen, confirmation, correctionQuestion, askAboutCorrection, answerCorrection, choose, confirm, answer, modalOpen }
})
