/**
 * An input error that names what it is about: `message` is `subject: reason`, shown to the user as
 * is, so it always names the offending file or input and says what is wrong with it; `subject` and
 * `reason` are kept apart so a caller can also group or log failures without parsing the message.
 */
export class SubjectError extends Error {
  constructor(
    readonly subject: string,
    readonly reason: string,
    options?: { cause?: unknown }
  ) {
    super(`${subject}: ${reason}`, options)
  }
}

/** The one error type of the volume I/O module (import service, CLI, UI); `file` is its subject. */
export class VolumeReadError extends SubjectError {
  override readonly name = 'VolumeReadError'
  readonly file: string

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(file, reason, options)
    this.file = file
  }
}

/** Wraps anything thrown by a decoder library, keeping ours untouched so their precise reason wins. */
export function asVolumeReadError(error: unknown, file: string, what: string): VolumeReadError {
  if (error instanceof VolumeReadError) return error
  const detail = error instanceof Error ? error.message : String(error)
  // ITK's WebAssembly build reports a C++ exception as a bare pointer ("188568"): no use to anyone.
  const readable = /^\s*\d*\s*$/.test(detail)
    ? 'the decoder rejected the data (damaged file or unsupported encoding)'
    : detail
  return new VolumeReadError(file, `${what}: ${readable}`, { cause: error })
}
