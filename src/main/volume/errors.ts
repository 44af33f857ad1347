/**
 * The one error type of the volume I/O module. Callers (import service, CLI, UI) show `message` to
 * the user as is, so it always names the offending file and says what is wrong with it; `file` and
 * `reason` are kept apart so a caller can also group or log failures without parsing the message.
 */
export class VolumeReadError extends Error {
  override readonly name = 'VolumeReadError'

  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown }
  ) {
    super(`${file}: ${reason}`, options)
  }
}

/** Wraps anything thrown by a decoder library, keeping ours untouched so their precise reason wins. */
export function asVolumeReadError(error: unknown, file: string, what: string): VolumeReadError {
  if (error instanceof VolumeReadError) return error
  const detail = error instanceof Error ? error.message : String(error)
  // ITK's WebAssembly build reports a C++ exception as a bare pointer ("188568"): no use to anyone.
  const readable = /^\s*\d*\s*$/.test(detail) ? 'the decoder rejected the data (damaged file or unsupported encoding)' : detail
  return new VolumeReadError(file, `${what}: ${readable}`, { cause: error })
}
