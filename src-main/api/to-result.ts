import type { ApiError, Result } from '../../src-shared/model.js'
import { WprmError } from '../core/errors.js'
import { errnoToApiError } from './errno-error.js'

/**
 * The expected failure a thrown value stands for, as it crosses to the user; null for a bug.
 *
 * A WprmError carries its own. A file-system failure the user can fix (a full disk, a read-only
 * folder, a file where a folder should be) becomes `io` naming the path. Anything else is a bug.
 */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof WprmError) return error.toApiError()
  return errnoToApiError(error)
}

/** Runs an operation: its value, or the expected failure it threw, as a Result. A bug still throws. */
export async function toResult<T>(operation: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await operation() }
  } catch (error) {
    const apiError = toApiError(error)
    if (apiError === null) throw error
    return { ok: false, error: apiError }
  }
}
