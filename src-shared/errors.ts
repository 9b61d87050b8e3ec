import type { ApiError, ErrorKind } from './model.js'

/**
 * An expected failure: something the user can fix, with the message and the hint to show them.
 *
 * Anything else thrown inside the core is a bug and is reported as such. It lives in the shared layer
 * because the shared rules (version rules, the rollback plan) refuse with it too.
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
    return {
      kind: this.kind,
      message: this.message,
      hint: this.hint,
      ...(this.fingerprint === undefined ? {} : { fingerprint: this.fingerprint })
    }
  }
}
