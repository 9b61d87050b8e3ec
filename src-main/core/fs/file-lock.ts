import { randomBytes } from 'node:crypto'
import { link, open, rename, stat, unlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WprmError, errnoWithPath, isErrnoCode } from '../errors.js'

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  readonly pid: number
  readonly host: string
  readonly since: string
  readonly purpose: string
}

/** Options of `acquireLock`. */
export interface LockOptions {
  readonly purpose: string
  /** How long to wait for another holder before giving up. */
  readonly waitMs: number
  readonly pollMs?: number
  /** What the lock guards, as the subject of the message: "The database" unless said. */
  readonly subject?: string
  /** Said after "Wait for it to finish and try again" (that other plugins go on, say). */
  readonly waitNote?: string
  /** How long an empty or unreadable lock file must stay as it is before it counts as left by a crash. */
  readonly graceMs?: number
}

/**
 * How long an unreadable lock file is left alone. A lock file is whole from the moment it exists (see
 * `tryCreate`), so an empty one was left by a crash or a full disk in an older version, or by a power
 * loss before its content reached the disk: nothing is writing it, and a moment of grace is enough.
 */
export const LOCK_GRACE_MS = 2_000

/** True while a process with that pid runs on this machine. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrnoCode(error, 'EPERM')
  }
}

/** A lock file as found: its owner, or why none could be read, and what tells this very file apart. */
interface FoundLock {
  readonly owner: LockOwner | null
  readonly unreadable: string | null
  readonly ino: number
  /** Inode, size and mtime: while these stay equal, it is the same file, unchanged. */
  readonly identity: string
}

function parseOwner(text: string): Pick<FoundLock, 'owner' | 'unreadable'> {
  if (text.trim() === '') return { owner: null, unreadable: 'the lock file is empty' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { owner: null, unreadable: 'the lock file is not valid JSON' }
  }
  const v = value as Partial<LockOwner> | null
  if (typeof v?.pid === 'number' && typeof v.host === 'string' && typeof v.since === 'string' && typeof v.purpose === 'string') {
    return { owner: v as LockOwner, unreadable: null }
  }
  return { owner: null, unreadable: 'the lock file names no owner' }
}

/** The lock file as it is now, or null when there is none. */
async function inspectLock(lockPath: string): Promise<FoundLock | null> {
  let handle
  try {
    handle = await open(lockPath, 'r')
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return null
    throw errnoWithPath(error, lockPath)
  }
  try {
    const stats = await handle.stat()
    const text = await handle.readFile('utf8')
    return { ...parseOwner(text), ino: stats.ino, identity: `${stats.ino}:${stats.size}:${stats.mtimeMs}` }
  } finally {
    await handle.close()
  }
}

/**
 * Creates the lock file with its owner note in one step: the note is written to a temporary file that
 * is then hard-linked to the lock's name (link never replaces a file: EEXIST means someone holds it). A
 * reader never sees a lock file without its note, and a full disk fails before any lock exists.
 */
async function tryCreate(lockPath: string, me: LockOwner): Promise<boolean> {
  const temp = path.join(path.dirname(lockPath), `.${path.basename(lockPath)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(JSON.stringify(me))
    } finally {
      await handle.close()
    }
    await link(temp, lockPath)
    return true
  } catch (error) {
    if (isErrnoCode(error, 'EEXIST')) return false
    // Named after the lock, not the temporary note: that is the file the user knows.
    throw errnoWithPath(error, lockPath)
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}

/**
 * Removes a stale lock, and only that one: it is renamed away first, and if what was moved is not the
 * file judged stale (it went meanwhile and a live holder took the name), it is linked back.
 */
async function breakLock(lockPath: string, stale: FoundLock): Promise<void> {
  const grave = path.join(path.dirname(lockPath), `.${path.basename(lockPath)}.${process.pid}-${randomBytes(4).toString('hex')}.broken`)
  try {
    await rename(lockPath, grave)
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return // someone else broke or released it
    throw errnoWithPath(error, lockPath)
  }
  try {
    if ((await stat(grave)).ino !== stale.ino) await link(grave, lockPath).catch(() => undefined)
  } finally {
    await unlink(grave).catch(() => undefined)
  }
}

/** A path as one word for a POSIX shell. */
function shellWord(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}

function lockedError(lockPath: string, found: FoundLock, options: LockOptions): WprmError {
  const { owner } = found
  const who =
    owner === null
      ? `a process whose lock note could not be read (${found.unreadable})`
      : `wprm (pid ${owner.pid} on ${owner.host}, "${owner.purpose}", since ${owner.since})`
  return new WprmError(
    'database-locked',
    `${options.subject ?? 'The database'} is being changed by ${who}.`,
    `Wait for it to finish and try again${options.waitNote === undefined ? '' : `; ${options.waitNote}`}. If that process is gone for good, remove the lock: rm ${shellWord(lockPath)}`
  )
}

/**
 * Takes an exclusive lock file, waiting for another holder up to `waitMs`.
 *
 * A lock left by a process that no longer runs on this host is taken over at once; an empty or
 * unreadable one once it has stayed so for the grace time (even past `waitMs`: it will not block for
 * good); one held by a live process is reported with its owner and the command that clears it. Returns
 * the release function.
 */
export async function acquireLock(lockPath: string, options: LockOptions): Promise<() => Promise<void>> {
  const deadline = Date.now() + options.waitMs
  const graceMs = options.graceMs ?? LOCK_GRACE_MS
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose: options.purpose }
  // When an unreadable lock file was first seen as it is now.
  const unreadableSince = new Map<string, number>()
  for (;;) {
    if (await tryCreate(lockPath, me)) {
      return async () => {
        await unlink(lockPath).catch(() => undefined)
      }
    }
    const found = await inspectLock(lockPath)
    if (found === null) continue // released meanwhile
    if (found.owner === null && !unreadableSince.has(found.identity)) unreadableSince.set(found.identity, Date.now())
    const stale =
      found.owner === null
        ? Date.now() - unreadableSince.get(found.identity)! >= graceMs
        : // Its holder died without cleaning up: nothing is writing, so the lock can go.
          found.owner.host === me.host && !processIsAlive(found.owner.pid)
    if (stale) {
      await breakLock(lockPath, found)
      continue
    }
    if (Date.now() >= deadline && found.owner !== null) throw lockedError(lockPath, found, options)
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50))
  }
}
