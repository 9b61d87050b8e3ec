import { createHash } from 'node:crypto'
import type { Job } from '../../../../src-shared/model.js'
import { WprmError } from '../../errors.js'
import type { LockOwner } from '../lock-owner.js'
import { STALE_LOCK_MS, isAbandoned, markHeld, newLockOwner, parseLockOwner } from '../lock-owner.js'
import type { ObjectStore } from './object-store.js'

/**
 * The publish lock on an object store: one object (`<slug>/.wprm-lock`) holding its owner's note, made with a
 * conditional create (`If-None-Match: *` on S3, a hard link on a local folder), so that exactly one publish wins
 * and the lock is never seen without its note. A stale lock is broken by a conditional replace against the ETag
 * it was seen with, so of two workstations breaking it at once one wins, and a lock released and taken again
 * meanwhile is left alone. The same owner note and rules as the SFTP lock (remote-lock.ts).
 */

/** What taking a plugin's lock on an object store needs. */
export interface ObjectLockRequest {
  /** The lock's key (`hello/.wprm-lock`). */
  readonly key: string
  readonly slug: string
  /** Where, for messages: `s3://bucket/prefix`, a folder. */
  readonly where: string
  readonly job: Job
  readonly now: () => Date
  /** Break a lock from elsewhere older than `staleLockMs` (a publish that died on another workstation). */
  readonly breakStaleLock?: boolean
  readonly staleLockMs?: number
  /** How long to wait for another publish of the same plugin to finish. */
  readonly lockWaitMs?: number
  readonly pollMs?: number
}

/** The key of a plugin's lock object, beside its files. */
export function objectLockKey(slug: string): string {
  return `${slug}/.wprm-lock`
}

const DEFAULT_WAIT_MS = 30_000
const DEFAULT_POLL_MS = 250

function parseOwner(bytes: Buffer): LockOwner | null {
  return parseLockOwner(bytes.toString('utf8')).owner
}

function lockedError(request: ObjectLockRequest, owner: LockOwner, staleMs: number): WprmError {
  const minutes = Math.round(staleMs / 60_000)
  const breakableFrom = new Date(Date.parse(owner.since) + staleMs).toISOString()
  const breaking =
    request.breakStaleLock === true
      ? `--break-lock breaks it only from ${breakableFrom} on (a lock younger than ${minutes} minutes may be a publish still running)`
      : `If it died, run \`wprm publish ${request.slug} --break-lock\` (it breaks a lock older than ${minutes} minutes: this one from ${breakableFrom} on)`
  return new WprmError(
    'remote-locked',
    `Another publish of ${request.slug} holds the lock in ${request.where}: ${owner.user}@${owner.host} (pid ${owner.pid}, ${owner.job}) since ${owner.since}.`,
    `Wait for it to finish and try again. ${breaking}, or delete ${request.key} there.`
  )
}

const isConflict = (error: unknown): boolean => error instanceof WprmError && error.kind === 'remote-conflict'

/**
 * Takes the plugin's lock on the store, waiting for another publish to finish, and returns the function that
 * releases it (deleting the lock only while it is still ours). Broken on the way: a lock left by a dead process
 * on this host, one whose note is not ours to read (not a lock note), and with `breakStaleLock` one from
 * elsewhere older than `staleLockMs`. Refused on a store that does not honour conditional creates: there no lock
 * can be made safely (see the README's object storage section).
 *
 * Requests when the lock is free: 1 (the create); releasing: 2 (HEAD, DELETE).
 */
export async function takeObjectLock(store: ObjectStore, request: ObjectLockRequest): Promise<() => Promise<void>> {
  if (!(await store.probeConditionalWrites()).create) {
    throw new WprmError(
      'remote-io',
      `${request.where} does not honour conditional writes (If-None-Match: *), so two publishes could run at once.`,
      'Use a store that does (Amazon S3, Cloudflare R2, Ceph, MinIO and most others since 2024), or a local or SFTP target.'
    )
  }
  const me = newLockOwner(request.job, request.now())
  const note = Buffer.from(JSON.stringify(me))
  const sha256 = createHash('sha256').update(note).digest('hex')
  const staleMs = request.staleLockMs ?? STALE_LOCK_MS
  const deadline = Date.now() + (request.lockWaitMs ?? DEFAULT_WAIT_MS)
  const write = (condition: { kind: 'create' } | { kind: 'replace'; etag: string }) =>
    store.put(request.key, { kind: 'bytes', bytes: note }, { cacheControl: 'no-store', contentType: 'application/json', sha256, condition })
  const released = (etag: string) => async (): Promise<void> => {
    // Only our own: had our lock been broken as stale and taken by another publish, its lock stays. The token goes
    // last, so that no job of this process takes the lock for one left behind while it is being deleted.
    if ((await store.head(request.key).catch(() => null))?.etag === etag) await store.delete(request.key).catch(() => undefined)
    markHeld(me, false)
  }
  // Ours from before the write lands: another job of this process that reads the note while our write is still
  // returning must see a live lock, not one of ours left by a failed job.
  markHeld(me, true)
  try {
    return await takeLoop()
  } catch (error) {
    markHeld(me, false)
    throw error
  }

  async function takeLoop(): Promise<() => Promise<void>> {
    for (;;) {
      try {
        return released((await write({ kind: 'create' })).etag)
      } catch (error) {
        if (!isConflict(error)) throw error
      }
      const found = await store.get(request.key)
      if (found === null) continue // released between the create and the read
      const owner = parseOwner(found.bytes)
      const breakable =
        owner === null || isAbandoned(owner) || (request.breakStaleLock === true && Date.now() - Date.parse(owner.since) > staleMs)
      if (breakable) {
        try {
          return released((await write({ kind: 'replace', etag: found.head.etag })).etag)
        } catch (error) {
          if (!isConflict(error)) throw error
          continue // broken, released or taken by another publish meanwhile: look again
        }
      }
      if (Date.now() >= deadline) throw lockedError(request, owner!, staleMs)
      await new Promise((resolve) => setTimeout(resolve, request.pollMs ?? DEFAULT_POLL_MS))
    }
  }
}
