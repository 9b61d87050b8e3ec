import type { ApiError, Result } from '../../../src-preload/api'

/**
 * The error shown when a call did not answer with a Result at all (IPC refused it, or main hit a bug):
 * the contract has no kind for that, so it is reported as `io` with a message that says what to do.
 */
export function unexpectedError(error: unknown): ApiError {
  const detail = error instanceof Error ? error.message : String(error)
  return {
    kind: 'io',
    message: `The app could not complete this: ${detail}`,
    hint: 'Try again. If it happens again, restart WP Release Manager and report the message above.'
  }
}

/** Awaits an API call and never throws: a rejected promise becomes a failed Result the screen can show. */
export async function settle<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call()
  } catch (error) {
    return { ok: false, error: unexpectedError(error) }
  }
}
