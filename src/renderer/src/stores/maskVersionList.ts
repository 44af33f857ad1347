import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { MaskVersion } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'

export interface LoadedVersion {
  version: number
  labels: Uint8Array
}

/**
 * The state of the open series' saved mask versions: the list, the version viewed instead of the
 * working mask, the one compared with it. It sits below both the masks store (which reads it) and the
 * maskVersions store (whose actions need the working mask), so neither imports the other.
 */
export const useMaskVersionListStore = defineStore('maskVersionList', () => {
  const versions = ref<MaskVersion[]>([])
  const versionsError = ref<string | null>(null)
  const viewing = shallowRef<LoadedVersion | null>(null)
  const comparing = shallowRef<LoadedVersion | null>(null)
  const versionBusy = ref(false)

  const latestVersion = computed(() => versions.value.at(-1)?.version ?? 0)

  /** Another series (or none) is open: nothing of the last one's versions stays. */
  function reset(): void {
    versions.value = []
    viewing.value = null
    comparing.value = null
  }

  /** Lists series `id`'s versions; `stillOpen` says whether the answer is still wanted when it comes. */
  async function fetchVersions(id: number, stillOpen: () => boolean): Promise<void> {
    try {
      const list = await getClient().invoke('masks.list', { seriesId: id })
      if (stillOpen()) {
        versions.value = list
        versionsError.value = null
      }
    } catch (failure) {
      if (stillOpen()) versionsError.value = errorMessage(failure)
    }
  }

  return { versions, versionsError, viewing, comparing, versionBusy, latestVersion, reset, fetchVersions }
})
