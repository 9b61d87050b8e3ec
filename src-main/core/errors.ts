import type { ApiError, ErrorKind } from '../../src-preload/api.js'

/**
 * An expected failure: something the user can fix, with the message and the hint to show them.
 *
 * Anything else thrown inside the core is a bug and is reported as such.
 */
export class WprmError extends Error {
  readonly kind: ErrorKind
  readonly hint: string
  readonly fingerprint: string | undefined

  constructor(kind: ErrorKind, message: string, hint: string, options?: { cause?: unknown; fingerprint?: string }) {
    super(message, options)
    this.name = 'WprmError'
    this.kind = kind
    this.hint = hint
    this.fingerprint = options?.fingerprint
  }

  /** The plain form that crosses IPC and is printed by the CLI. */
  toApiError(): ApiError {
    return { kind: this.kind, message: this.message, hint: this.hint, ...(this.fingerprint === undefined ? {} : { fingerprint: this.fingerprint }) }
  }
}

/** True for Node's system errors with the given code (ENOENT, EEXIST, …). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}
