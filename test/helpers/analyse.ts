import type { AnalysisMaskBase, TaskEndedEvent } from '../../src/shared/api'
import type { PulmoService } from '../../src/main/services'

/**
 * Starts the analysis of a series through the service and resolves with its task-ended event;
 * `maskBase` as analysis.start takes it (what a corrected series is scored from afterwards).
 */
export async function analyseSeries(service: PulmoService, seriesId: number, maskBase?: AnalysisMaskBase): Promise<TaskEndedEvent> {
  let off: () => void = () => {}
  const ended = new Promise<TaskEndedEvent>((resolve) => {
    off = service.onEvent((e) => {
      if (e.type === 'task-ended' && e.seriesId === seriesId) resolve(e)
    })
  })
  await service.invoke('analysis.start', { seriesId, ...(maskBase ? { maskBase } : {}) })
  const result = await ended
  off()
  return result
}
