import type { Job } from '../../../src-shared/model.js'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path/posix'
import { WprmError } from '../errors.js'
import { processIsAlive } from '../fs/file-lock.js'
import type { SftpSession } from './sftp-session.js'

/** The remote lock folder, beside the plugin's files; mkdir is atomic on every SFTP server. */
const LOCK_DIR = '.wprm-lock'
const LOCK_NOTE = 'owner.json'

/** Who holds a remote lock. */
interface RemoteLockOwner {
  readonly token: string
  readonly host: string
  readonly pid: number
  readonly user: string
  readonly job: string
  readonly since: string
}

/** Tokens of the locks this process holds right now: a lock of ours not in here was left by a failed job. */
const heldTokens = new Set<string>()

/** What taking a plugin's lock on its server needs. */
export interface RemoteLockRequest {
  readonly plugin: { readonly slug: string }
  readonly server: { readonly host: string }
  readonly job: Job
  readonly now: () => Date
  /** Break a lock older than `staleLockMs` (a publish that died elsewhere). */
  readonly breakStaleLock?: boolean
  readonly staleLockMs?: number
  /** How long to wait for another publish of the same plugin to finish. */
  readonly lockWaitMs?: number
}

/** True when the lock was left by a process that can no longer release it. */
function isAbandoned(owner: RemoteLockOwner): boolean {
  if (owner.host !== os.hostname()) return false
  if (owner.pid === process.pid) return !heldTokens.has(owner.token)
  return !processIsAlive(owner.pid)
}

/**
 * Takes the plugin's lock in `dir` on the server, waiting for another publish to finish, and returns
 * the function that releases it. A lock left by a dead process here is broken; one from elsewhere only
 * with `breakStaleLock` once it is old enough.
 */
export async function takeRemoteLock(session: SftpSession, dir: string, request: RemoteLockRequest): Promise<() => Promise<void>> {
  const lockDir = path.join(dir, LOCK_DIR)
  const me: RemoteLockOwner = {
    token: randomBytes(8).toString('hex'),
    host: os.hostname(),
    pid: process.pid,
    user: os.userInfo().username,
    // The note holds the id: other workstations read it, whatever version of wprm they run.
    job: request.job.id,
    since: request.now().toISOString()
  }
  const deadline = Date.now() + (request.lockWaitMs ?? 30_000)
  for (;;) {
    if (await session.mkdir(lockDir)) {
      heldTokens.add(me.token)
      await session.writeFile(path.join(lockDir, LOCK_NOTE), Buffer.from(JSON.stringify(me)))
      return async () => {
        heldTokens.delete(me.token)
        await session.unlink(path.join(lockDir, LOCK_NOTE)).catch(() => undefined)
        await session.rmdir(lockDir).catch(() => undefined)
      }
    }
    const noteText = await session.readText(path.join(lockDir, LOCK_NOTE)).catch(() => null)
    const owner = noteText === null ? null : (JSON.parse(noteText) as RemoteLockOwner)
    const ageMs = owner === null ? 0 : Date.now() - Date.parse(owner.since)
    const stale =
      owner !== null && (isAbandoned(owner) || (request.breakStaleLock === true && ageMs > (request.staleLockMs ?? 15 * 60_000)))
    if (stale) {
      await session.unlink(path.join(lockDir, LOCK_NOTE)).catch(() => undefined)
      await session.rmdir(lockDir).catch(() => undefined)
      continue
    }
    if (Date.now() >= deadline) {
      const who =
        owner === null
          ? 'another publish (no owner note yet)'
          : `${owner.user}@${owner.host} (pid ${owner.pid}, ${owner.job}) since ${owner.since}`
      throw new WprmError(
        'remote-locked',
        `Another publish of ${request.plugin.slug} holds the lock on ${request.server.host}: ${who}.`,
        `Wait for it to finish and try again. If it died, run again with --break-lock (it breaks locks older than ${Math.round((request.staleLockMs ?? 15 * 60_000) / 60_000)} minutes), or remove ${lockDir} on the server.`
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
