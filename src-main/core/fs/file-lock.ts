import { open, readFile, unlink } from 'node:fs/promises'
import os from 'node:os'
import { WprmError, isErrnoCode } from '../errors.js'

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
}

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

async function readOwner(lockPath: string): Promise<LockOwner | null> {
  try {
    return JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner
  } catch {
    return null
  }
}

/**
 * Takes an exclusive lock file (created with O_EXCL), waiting for another holder up to `waitMs`.
 *
 * A lock left by a process that no longer runs on this host is taken over; one held by a live process
 * is reported with its owner, so the user knows what to wait for. Returns the release function.
 */
export async function acquireLock(lockPath: string, options: LockOptions): Promise<() => Promise<void>> {
  const deadline = Date.now() + options.waitMs
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), purpose: options.purpose }
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx')
      try {
        await handle.writeFile(JSON.stringify(me))
      } finally {
        await handle.close()
      }
      return async () => {
        await unlink(lockPath).catch(() => undefined)
      }
    } catch (error) {
      if (!isErrnoCode(error, 'EEXIST')) throw error
    }
    const owner = await readOwner(lockPath)
    if (owner !== null && owner.host === me.host && !processIsAlive(owner.pid)) {
      // Its holder died without cleaning up: nothing is writing, so the lock can go.
      await unlink(lockPath).catch(() => undefined)
      continue
    }
    if (Date.now() >= deadline) {
      const who = owner === null ? 'another process' : `wprm (pid ${owner.pid} on ${owner.host}, "${owner.purpose}", since ${owner.since})`
      throw new WprmError(
        'database-locked',
        `The database is being changed by ${who}.`,
        `Wait for it to finish and try again. If that process is gone for good, delete ${lockPath}.`
      )
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50))
  }
}
