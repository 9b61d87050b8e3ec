import type { Job } from '../../../src-shared/model.js'
import { randomBytes } from 'node:crypto'
import path from 'node:path/posix'
import { WprmError } from '../errors.js'
import type { LockOwner } from './lock-owner.js'
import { STALE_LOCK_MS, isAbandoned, markHeld, newLockOwner, parseLockOwner } from './lock-owner.js'
import type { SftpSession } from './sftp-session.js'

/**
 * The remote lock: a folder beside the plugin's files, holding its owner's note.
 *
 * It is made whole under a temporary name (`.wprm-lock.<random>.part/owner.json`) and renamed into
 * place: a rename onto a folder that is there and not empty fails, so exactly one publish wins, and the
 * lock is never seen without its note. (Earlier versions made the folder with mkdir and wrote the note
 * after: a publish that died in between left a lock without a note, which blocked every later one.)
 */
const LOCK_DIR = '.wprm-lock'
const LOCK_NOTE = 'owner.json'
const POLL_MS = 250
/**
 * How long a lock without a readable note is left alone before it counts as abandoned: it can only come
 * from an older wprm (between its mkdir and its note) or from a hand, and its note would be there
 * within a few round trips.
 */
export const NOTE_GRACE_MS = 10_000

/** Who holds a remote lock. */

/** A lock as found on the server: its owner, or why none could be read, and what tells it apart. */
interface FoundLock {
  readonly owner: LockOwner | null
  readonly unreadable: string | null
  /** The note's text, or the folder's mtime and size when there is no note: equal while it is unchanged. */
  readonly identity: string
}

/** What taking a plugin's lock on its server needs. */
export interface RemoteLockRequest {
  readonly plugin: { readonly slug: string }
  readonly server: { readonly host: string }
  readonly job: Job
  readonly now: () => Date
  /** Break a lock whose note cannot be read at once, and one older than `staleLockMs` (a publish that died elsewhere). */
  readonly breakStaleLock?: boolean
  readonly staleLockMs?: number
  /** How long to wait for another publish of the same plugin to finish. */
  readonly lockWaitMs?: number
  readonly noteGraceMs?: number
}

/** A fresh temporary name beside the lock, for a lock being made or one being broken. */
function tempLockPath(dir: string): string {
  // Ends in `.part`: the leftovers of a killed publish are swept up by the next one (publisher.ts).
  return path.join(dir, `${LOCK_DIR}.${randomBytes(6).toString('hex')}.part`)
}

/** The lock at `lockDir` as it is now, or null when there is none. */
async function readLock(session: SftpSession, lockDir: string): Promise<FoundLock | null> {
  const text = await session.readText(path.join(lockDir, LOCK_NOTE)).catch((error: unknown) => {
    // Released between the look and the read.
    if (error instanceof WprmError && error.kind === 'remote-not-found') return null
    throw error
  })
  if (text !== null) return { ...parseLockOwner(text), identity: `note:${text}` }
  const stats = await session.lstat(lockDir)
  if (stats === null) return null
  return {
    owner: null,
    unreadable: stats.isDirectory() ? 'it has no owner note' : 'it is a file, not a lock folder',
    identity: `folder:${stats.mtime}:${stats.size}`
  }
}

/**
 * Makes a whole lock folder under a temporary name: the folder, then its note. The note's open goes out
 * right behind the mkdir (the server handles them in order; a failed mkdir fails the open too): 2 round
 * trips for both.
 */
async function prepareLock(session: SftpSession, dir: string, me: LockOwner): Promise<string> {
  const temp = tempLockPath(dir)
  try {
    const [made, noted] = await Promise.allSettled([
      session.mkdir(temp),
      session.writeFile(path.join(temp, LOCK_NOTE), Buffer.from(JSON.stringify(me)))
    ])
    // The mkdir's failure says why (a missing plugin folder, a full disk); the note's follows from it.
    if (made.status === 'rejected') throw made.reason
    if (noted.status === 'rejected') throw noted.reason
    return temp
  } catch (error) {
    // A full disk fails the note: nothing may stay behind that could look like a lock.
    await session.remove(temp).catch(() => undefined)
    throw error
  }
}

/** Renames a prepared lock into place: true, or the failure (a lock there; or the prepared folder gone). */
async function moveIntoPlace(session: SftpSession, temp: string, lockDir: string): Promise<true | WprmError> {
  try {
    await session.rename(temp, lockDir)
    return true
  } catch (error) {
    if (error instanceof WprmError && (error.kind === 'remote-io' || error.kind === 'remote-not-found')) return error
    throw error
  }
}

/**
 * Breaks a stale lock, and only that one: the folder is renamed away first, and when what was moved is
 * not the lock judged stale (it went meanwhile and another publish took the name), it is put back.
 */
async function breakLock(session: SftpSession, dir: string, lockDir: string, stale: FoundLock): Promise<void> {
  const grave = tempLockPath(dir)
  try {
    await session.rename(lockDir, grave)
  } catch (error) {
    if (error instanceof WprmError && error.kind === 'remote-not-found') return // broken or released by someone else
    throw error
  }
  const moved = await readLock(session, grave)
  if ((moved?.owner?.token ?? null) !== (stale.owner?.token ?? null)) {
    const putBack = await session.rename(grave, lockDir).then(
      () => true,
      () => false
    )
    if (putBack) return
  }
  await session.remove(grave).catch(() => undefined)
}

function lockedError(request: RemoteLockRequest, lockDir: string, owner: LockOwner, staleMs: number): WprmError {
  const slug = request.plugin.slug
  const minutes = Math.round(staleMs / 60_000)
  const breakableFrom = new Date(Date.parse(owner.since) + staleMs).toISOString()
  const breaking =
    request.breakStaleLock === true
      ? `--break-lock breaks it only from ${breakableFrom} on (a lock younger than ${minutes} minutes may be a publish still running)`
      : `If it died, run \`wprm publish ${slug} --break-lock\` (it breaks a lock older than ${minutes} minutes: this one from ${breakableFrom} on)`
  return new WprmError(
    'remote-locked',
    `Another publish of ${slug} holds the lock on ${request.server.host}: ${owner.user}@${owner.host} (pid ${owner.pid}, ${owner.job}) since ${owner.since}.`,
    `Wait for it to finish and try again. ${breaking}, or remove ${lockDir} on the server.`
  )
}

/**
 * Takes the plugin's lock in `dir` on the server, waiting for another publish to finish, and returns
 * the function that releases it.
 *
 * Broken on the way: a lock left by a dead process on this host; one whose note cannot be read (empty,
 * torn, missing) once it has stayed so for `noteGraceMs`, even past the wait, so it never blocks for
 * good; with `breakStaleLock`, one without a readable note at once and one from elsewhere older than
 * `staleLockMs`. A lock held by a live publish is reported with the owner it names and the command
 * that clears it.
 *
 * Sequential SFTP round trips when the lock is free: 3 (mkdir and the note's open; its write and
 * close; the rename into place); the release: 1.
 */
export async function takeRemoteLock(session: SftpSession, dir: string, request: RemoteLockRequest): Promise<() => Promise<void>> {
  const lockDir = path.join(dir, LOCK_DIR)
  const me = newLockOwner(request.job, request.now())
  const staleMs = request.staleLockMs ?? STALE_LOCK_MS
  const graceMs = request.noteGraceMs ?? NOTE_GRACE_MS
  const deadline = Date.now() + (request.lockWaitMs ?? 30_000)
  // When each unreadable lock was first seen as it is now.
  const unreadableSince = new Map<string, number>()
  let prepared: string | null = null
  let misses = 0
  try {
    for (;;) {
      prepared ??= await prepareLock(session, dir, me)
      const moved = await moveIntoPlace(session, prepared, lockDir)
      if (moved === true) {
        prepared = null
        markHeld(me, true)
        return async () => {
          markHeld(me, false)
          // One round trip: the server handles the two in order. Only rmdir: had another publish's lock
          // taken the name meanwhile, it is not empty and stays.
          await Promise.all([session.unlink(path.join(lockDir, LOCK_NOTE)), session.rmdir(lockDir)].map((p) => p.catch(() => undefined)))
        }
      }
      const found = await readLock(session, lockDir)
      if (found === null) {
        // Nothing in the way, yet the rename failed: the lock went meanwhile, or our prepared folder was
        // swept up by the publish that held the lock (it is made again). Anything else is the server's.
        if ((await session.lstat(prepared)) === null) prepared = null
        else if (++misses >= 3) throw moved
        continue
      }
      misses = 0
      if (found.owner === null && !unreadableSince.has(found.identity)) unreadableSince.set(found.identity, Date.now())
      const held =
        found.owner !== null
          ? !isAbandoned(found.owner) && !(request.breakStaleLock === true && Date.now() - Date.parse(found.owner.since) > staleMs)
          : request.breakStaleLock !== true && Date.now() - unreadableSince.get(found.identity)! < graceMs
      if (!held) {
        await breakLock(session, dir, lockDir, found)
        continue
      }
      // A lock without a readable note is waited out to the end of its grace time, even past the deadline.
      if (Date.now() >= deadline && found.owner !== null) throw lockedError(request, lockDir, found.owner, staleMs)
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  } finally {
    if (prepared !== null) await session.remove(prepared).catch(() => undefined)
  }
}
