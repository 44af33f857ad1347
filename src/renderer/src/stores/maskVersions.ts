import { defineStore, storeToRefs } from 'pinia'
import { encodeRuns } from '../../../shared/runLength'
import { getClient } from '../api/client'
import { errorMessage, toApiError } from '../api/errors'
import { slicesEqual } from '../annotation/patch'
import { useMaskVersionListStore } from './maskVersionList'
import { useMasksStore } from './masks'
import { useReportStore } from './report'

/**
 * The saved versions of the open series' mask: the list, viewing one instead of the working mask,
 * comparing the working mask with one, and reverting to one (saved as a new version). Errors and
 * notices go to the masks store's lines, which the annotation panel shows. The state itself lives in
 * maskVersionList.ts, which the masks store reads without importing this one.
 */
export const useMaskVersionsStore = defineStore('maskVersions', () => {
  const list = useMaskVersionListStore()
  const { versions, versionsError, viewing, comparing, versionBusy, latestVersion } = storeToRefs(list)

  function fetchVersions(id: number): Promise<void> {
    return list.fetchVersions(id, () => useMasksStore().seriesId === id)
  }

  async function fetchVersionLabels(version: number): Promise<Uint8Array> {
    const masks = useMasksStore()
    const id = masks.seriesId
    if (id === null) throw new Error('No series is open.')
    if (version === masks.loadedVersion && !masks.hasUnsavedEdits && masks.labels) return masks.labels
    return new Uint8Array(await getClient().invoke('masks.voxels', { seriesId: id, version }))
  }

  async function withVersion(action: () => Promise<void>): Promise<void> {
    const masks = useMasksStore()
    versionBusy.value = true
    masks.saveError = null
    try {
      await action()
    } catch (failure) {
      masks.saveError = errorMessage(failure)
    } finally {
      versionBusy.value = false
    }
  }

  function viewVersion(version: number): Promise<void> {
    return withVersion(async () => {
      const masks = useMasksStore()
      if (masks.editOpen()) masks.cancelEdit()
      comparing.value = null
      viewing.value = { version, labels: await fetchVersionLabels(version) }
      masks.touch()
    })
  }

  function stopViewing(): void {
    viewing.value = null
    useMasksStore().touch()
  }

  function compareWith(version: number): Promise<void> {
    return withVersion(async () => {
      viewing.value = null
      comparing.value = { version, labels: await fetchVersionLabels(version) }
      useMasksStore().touch()
    })
  }

  function stopComparing(): void {
    comparing.value = null
    useMasksStore().touch()
  }

  /** Saves, as a new version, the slices where `version` differs from the loaded one. */
  function revertTo(version: number): Promise<void> {
    return withVersion(async () => {
      const masks = useMasksStore()
      const id = masks.seriesId
      const working = masks.labels
      if (id === null || !working) return
      if (masks.hasUnsavedEdits)
        throw new Error('Save or discard your unsaved edits before reverting to another version.')
      const target = await fetchVersionLabels(version)
      const slices: { k: number; runs: number[] }[] = []
      const count = masks.dims?.[2] ?? 0
      for (let k = 0; k < count; k++) {
        const wanted = masks.sliceOf(target, k)
        if (!slicesEqual(wanted, masks.sliceOf(working, k))) slices.push({ k, runs: encodeRuns(wanted) })
      }
      if (slices.length === 0) {
        masks.notice = `Version ${version} is identical to version ${masks.loadedVersion}; nothing to revert.`
        return
      }
      try {
        const saved = await getClient().invoke('masks.save', {
          seriesId: id,
          baseVersion: masks.loadedVersion,
          slices,
          revertTo: version
        })
        working.set(target)
        masks.loadedVersion = saved.version
        masks.resetEditing()
        viewing.value = null
        comparing.value = null
        masks.notice = `Reverted to version ${version}: saved as version ${saved.version} (${slices.length} slice${slices.length === 1 ? '' : 's'} changed); the scores follow it.`
        masks.touch()
        await Promise.all([fetchVersions(id), useReportStore().refresh()])
      } catch (failure) {
        if (toApiError(failure).code === 'conflict') {
          masks.conflict = toApiError(failure).message
          void fetchVersions(id)
          return
        }
        throw failure
      }
    })
  }

  return {
    versions,
    versionsError,
    viewing,
    comparing,
    versionBusy,
    latestVersion,
    reset: list.reset,
    fetchVersions,
    viewVersion,
    stopViewing,
    compareWith,
    stopComparing,
    revertTo
  }
})
