import { defineStore } from 'pinia'
import { ref } from 'vue'

export type AppView = 'reading' | 'report' | 'training' | 'compare'

export interface Confirmation {
  title: string
  message: string
  confirmLabel: string
  danger: boolean
  resolve: (confirmed: boolean) => void
}

/** Which screen is shown, the settings dialog, and the one confirmation dialog. */
export const useUiStore = defineStore('ui', () => {
  const view = ref<AppView>('reading')
  const settingsOpen = ref(false)
  const confirmation = ref<Confirmation | null>(null)

  function confirm(options: {
    title: string
    message: string
    confirmLabel: string
    danger?: boolean
  }): Promise<boolean> {
    confirmation.value?.resolve(false)
    return new Promise((resolve) => {
      confirmation.value = { danger: false, ...options, resolve }
    })
  }

  function answer(confirmed: boolean): void {
    const pending = confirmation.value
    confirmation.value = null
    pending?.resolve(confirmed)
  }

  /** True when a modal owns the keyboard. */
  function modalOpen(): boolean {
    return settingsOpen.value || confirmation.value !== null
  }

  return { view, settingsOpen, confirmation, confirm, answer, modalOpen }
})
