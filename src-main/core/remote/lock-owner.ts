import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type { Job } from '../../../src-shared/model.js'
import { processIsAlive } from '../fs/file-lock.js'

/**
 * The owner note of a publish lock, the same on every target (the SFTP lock folder, the object-store lock
 * object): who holds it, and the rules that tell a live lock from one a failed job left.
 */

/** Who holds a publish lock, as its note says. */
export interface LockOwner {
  readonly token: string
  readonly host: string
  readonly pid: number
  readonly user: string
  /** The job's id: other workstations read it, whatever version of wprm they run. */
  readonly job: string
  readonly since: string
}

/** A lock older than this may be broken with --break-lock (a publish that died elsewhere). */
export const STALE_LOCK_MS = 15 * 60_000

/** Tokens of the locks this process holds right now: a lock of ours not in here was left by a failed job. */
const heldTokens = new Set<string>()

/** The note of a lock this process is about to take. */
export function newLockOwner(job: Job, now: Date): LockOwner {
  return {
    token: randomBytes(8).toString('hex'),
    host: os.hostname(),
    pid: process.pid,
    user: os.userInfo().username,
    job: job.id,
    since: now.toISOString()
  }
}

/** Marks a lock of this process as held (`true`) or let go (`false`). */
export function markHeld(owner: LockOwner, held: boolean): void {
  if (held) heldTokens.add(owner.token)
  else heldTokens.delete(owner.token)
}

/** An owner note read back: its owner, or why it names none (empty, not JSON, incomplete). */
export function parseLockOwner(text: string): { readonly owner: LockOwner | null; readonly unreadable: string | null } {
  if (text.trim() === '') return { owner: null, unreadable: 'its owner note is empty' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { owner: null, unreadable: 'its owner note is not valid JSON' }
  }
  const v = value as Partial<LockOwner> | null
  const complete =
    typeof v?.token === 'string' &&
    typeof v.host === 'string' &&
    typeof v.pid === 'number' &&
    typeof v.user === 'string' &&
    typeof v.job === 'string' &&
    typeof v.since === 'string' &&
    Number.isFinite(Date.parse(v.since))
  return complete ? { owner: v as LockOwner, unreadable: null } : { owner: null, unreadable: 'its owner note is incomplete' }
}

/** True when the lock was left by a process on this host that can no longer release it. */
export function isAbandoned(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false
  if (owner.pid === process.pid) return !heldTokens.has(owner.token)
  return !processIsAlive(owner.pid)
}
