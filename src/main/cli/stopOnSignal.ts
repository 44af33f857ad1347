import type { CommandIo } from './research'

/**
 * Ctrl-C / SIGTERM ask a long run to stop after its current step (it writes a checkpoint); the
 * returned function is the run's shouldStop.
 */
export function stopOnSignal(io: CommandIo, message = 'Stopping after this step (a checkpoint is written)…'): () => boolean {
  let stop = false
  const requestStop = (): void => {
    io.log(message)
    stop = true
  }
  process.once('SIGINT', requestStop)
  process.once('SIGTERM', requestStop)
  return () => stop
}
