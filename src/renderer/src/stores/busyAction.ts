import type { Ref } from 'vue'

/**
 * Runs `action` with `busy` at `value` meanwhile and back at `idle` afterwards, whatever happens; a
 * failure goes to `onFailure`, whose result is returned instead. The stores' save and report actions
 * share this frame so that a thrown request can never leave a button disabled.
 */
export async function runWhileBusy<T, B>(
  busy: Ref<B>,
  value: B,
  idle: B,
  action: () => Promise<T>,
  onFailure: (failure: unknown) => T
): Promise<T> {
  busy.value = value
  try {
    return await action()
  } catch (failure) {
    return onFailure(failure)
  } finally {
    busy.value = idle
  }
}
