/**
 * The one error of the metrics module. The CLI prints `message` as is, so it always names the
 * offending file or input and says what is wrong; `subject` and `reason` stay apart for callers
 * that group failures.
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError'

  constructor(
    readonly subject: string,
    readonly reason: string,
    options?: { cause?: unknown }
  ) {
    super(`${subject}: ${reason}`, options)
  }
}
