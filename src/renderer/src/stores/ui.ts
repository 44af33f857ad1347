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

/** Which screen is shown, the settings dialog, and the one confirmation dialog. */
export const useUiStore = defineStore('ui', () => {
  const view = ref<AppView>('reading')
  const settingsOpen = ref(false)
  const confirmation = ref<Confirmation | null>(null)

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
    return settingsOpen.value || confirmation.value !== null
  }

  return { view, settingsOpen, confirmation, choose, confirm, answer, modalOpen }
})
