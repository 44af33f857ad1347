import { defineStore } from 'pinia'
import { ref, type Ref } from 'vue'
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

  /**
   * Runs one transfer task, following its progress events into `progress` until it settles; a
   * failure is shown in `error` and gives null.
   */
  async function transfer<T>(
    progress: Ref<PacsProgress | null>,
    error: Ref<string | null>,
    run: (taskId: string) => Promise<T>
  ): Promise<T | null> {
    error.value = null
    progress.value = null
    const taskId = newTaskId()
    const stop = getClient().onEvent((event) => {
      if (event.type === 'progress' && event.taskId === taskId)
        progress.value = { label: event.label, done: event.done, total: event.total }
    })
    try {
      return await run(taskId)
    } catch (failure) {
      error.value = errorMessage(failure)
      return null
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
    pulled.value = null
    const result = await transfer(pullProgress, pullError, (taskId) =>
      getClient().invoke('pacs.pull', { serverId: id, studyInstanceUid, taskId })
    )
    if (result) pulled.value = { studyInstanceUid, result }
    pulling.value = null
    return result
  }

  async function send(seriesId: number, deidentified: boolean): Promise<void> {
    if (!serverId.value || sending.value) return
    const id = serverId.value
    sending.value = true
    sent.value = null
    const result = await transfer(sendProgress, sendError, (taskId) =>
      getClient().invoke('pacs.push', { serverId: id, seriesId, deidentified, taskId })
    )
    if (result) sent.value = { seriesId, result }
    sending.value = false
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
