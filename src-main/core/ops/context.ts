import type { Job, ProgressEvent, VerifyCheck } from '../../../src-shared/model.js'
import type { Store } from '../db/store.js'
import type { SessionPool } from '../remote/session-pool.js'
import type { SecretProvider } from '../remote/secrets.js'
import type { SessionOptions } from '../remote/sftp-session.js'
import type { SigningKeySource } from '../signing/key-source.js'

/** What the release operations need from their surroundings. */
export interface ReleaseContext {
  readonly store: Store
  readonly now: () => Date
  readonly secrets: SecretProvider
  /** Where signing keys' private halves are kept and read. */
  readonly keys: SigningKeySource
  readonly onProgress?: (event: ProgressEvent) => void
  readonly onCheck?: (check: VerifyCheck & { readonly job: Job; readonly total: number }) => void
  readonly sessionOptions?: SessionOptions
  /** Lends the SFTP connections, so that a publish and the checklist after it share one. */
  readonly sessions?: SessionPool
  /** How long a publish waits for another publish of the same plugin: on the server, or here (its plugin lock). */
  readonly remoteLockWaitMs?: number
}
