import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ImportResult, PacsPushResult, PacsServer, PacsStudy, Params } from '../../../shared/api'
import { getClient } from '../api/client'
import { errorMessage } from '../api/errors'

export interface PacsProgress {
  label: string
  done: number
  total: number
}

function newTaskId(): string {
  return `pacs-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}

/**
 * The PACS side of the workstation: the configured servers (their secrets stay on the server
 * side: the renderer only learns whether one is set), study search and pull with progress, and
 * sending a series' results with their status.
 */
export const usePacsStore = defineStore('pacs', () => {
  const servers = ref<PacsServer[]>([])
  const serversError = ref<string | null>(null)
  const browserOpen = ref(false)
  const serverId = ref<string | null>(null)
  const results = ref<PacsStudy[] | null>(null)
  const searching = ref(false)
  const searchError = ref<string | null>(null)
  const pulling = ref<string | null>(null)
  const pullProgress = ref<PacsProgress | null>(null)
  const pullError = ref<string | null>(null)
  const pulled = ref<{ studyInstanceUid: string; result: ImportResult } | null>(null)
  const sending = ref(false)
  const sendProgress = ref<PacsProgress | null>(null)
  const sendError = ref<string | null>(null)
  const sent = ref<{ seriesId: number; result: PacsPushResult } | null>(null)

  async function loadServers(): Promise<void> {
    try {
      servers.value = await getClient().invoke('pacs.servers.list', {})
      serversError.value = null
      if (!serverId.value || !servers.value.some((s) => s.id === serverId.value))
        serverId.value = servers.value[0]?.id ?? null
    } catch (failure) {
      serversError.value = errorMessage(failure)
    }
  }

  async function saveServer(input: Params<'pacs.servers.save'>): Promise<boolean> {
    try {
      servers.value = await getClient().invoke('pacs.servers.save', input)
      serversError.value = null
      if (!serverId.value) serverId.value = servers.value[0]?.id ?? null
      return true
    } catch (failure) {
      serversError.value = errorMessage(failure)
      return false
    }
  }

  async function deleteServer(id: string): Promise<void> {
    try {
      servers.value = await getClient().invoke('pacs.servers.delete', { id })
      if (serverId.value === id) serverId.value = servers.value[0]?.id ?? null
    } catch (failure) {
      serversError.value = errorMessage(failure)
    }
  }

  /** Follows one task's progress events until `run` settles. */
  async function withProgress<T>(
    target: { value: PacsProgress | null },
    run: (taskId: string) => Promise<T>
  ): Promise<T> {
    const taskId = newTaskId()
    const stop = getClient().onEvent((event) => {
      if (event.type === 'progress' && event.taskId === taskId)
        target.value = { label: event.label, done: event.done, total: event.total }
    })
    try {
      return await run(taskId)
    } finally {
      stop()
    }
  }

  async function search(patient: string): Promise<void> {
    if (!serverId.value) return
    searching.value = true
    searchError.value = null
    try {
      results.value = await getClient().invoke('pacs.search', {
        serverId: serverId.value,
        patient: patient.trim() || undefined
      })
    } catch (failure) {
      results.value = null
      searchError.value = errorMessage(failure)
    } finally {
      searching.value = false
    }
  }

  async function pull(studyInstanceUid: string): Promise<ImportResult | null> {
    if (!serverId.value || pulling.value) return null
    const id = serverId.value
    pulling.value = studyInstanceUid
    pullError.value = null
    pullProgress.value = null
    pulled.value = null
    try {
      const result = await withProgress(pullProgress, (taskId) =>
        getClient().invoke('pacs.pull', { serverId: id, studyInstanceUid, taskId })
      )
      pulled.value = { studyInstanceUid, result }
      return result
    } catch (failure) {
      pullError.value = errorMessage(failure)
      return null
    } finally {
      pulling.value = null
    }
  }

  async function send(seriesId: number, deidentified: boolean): Promise<void> {
    if (!serverId.value || sending.value) return
    const id = serverId.value
    sending.value = true
    sendError.value = null
    sendProgress.value = null
    sent.value = null
    try {
      const result = await withProgress(sendProgress, (taskId) =>
        getClient().invoke('pacs.push', { serverId: id, seriesId, deidentified, taskId })
      )
      sent.value = { seriesId, result }
    } catch (failure) {
      sendError.value = errorMessage(failure)
    } finally {
      sending.value = false
    }
  }

  return {
    servers,
    serversError,
    browserOpen,
    serverId,
    results,
    searching,
    searchError,
    pulling,
    pullProgress,
    pullError,
    pulled,
    sending,
    sendProgress,
    sendError,
    sent,
    loadServers,
    saveServer,
    deleteServer,
    search,
    pull,
    send
  }
})
