import type { SftpServer } from '../../../src-shared/model.js'
import type { SftpSession } from './sftp-session.js'

/**
 * How long the app keeps a job's connection after it is done: long enough for the checklist that the
 * window runs right after a publish, short enough that an idle connection is not left to a NAT to drop.
 */
export const KEEP_SESSION_MS = 15_000

/** A session lent by a pool; `release` hands it back (to be kept, or closed). Never throws. */
export interface SessionLease {
  readonly session: SftpSession
  release(): Promise<void>
}

/** What a session to `server` is: another profile with the same login may use it too. */
function keyOf(server: SftpServer): string {
  return JSON.stringify([server.host, server.port, server.user, server.auth, server.host_key_fingerprint])
}

/**
 * Lends SFTP sessions by server, so that a job's publish and the checklist that follows it share one
 * connection: an SSH login is about ten round trips (a second with a server 100 ms away). A session
 * handed back is kept for `keepMs` (0: closed at once) or while `holdWhile` runs, at most one per
 * server; a lost one is dropped. A session serves one job at a time: a second job at once opens its own.
 */
export class SessionPool {
  private readonly idle = new Map<string, { readonly session: SftpSession; readonly timer: NodeJS.Timeout | null }>()
  private holds = 0
  private closed = false

  constructor(private readonly keepMs = 0) {}

  /** A kept session to `server` if one is still open, else a new one from `open`. */
  async lease(server: SftpServer, open: () => Promise<SftpSession>): Promise<SessionLease> {
    const key = keyOf(server)
    const kept = this.take(key)
    const session = kept ?? (await open())
    let released = false
    return {
      session,
      release: async () => {
        if (released) return
        released = true
        await this.giveBack(key, session)
      }
    }
  }

  /** Runs `body` with a session to `server`, handing it back afterwards. */
  async use<T>(server: SftpServer, open: () => Promise<SftpSession>, body: (session: SftpSession) => Promise<T>): Promise<T> {
    const lease = await this.lease(server, open)
    try {
      return await body(lease.session)
    } finally {
      await lease.release()
    }
  }

  /** Keeps the sessions handed back while `body` runs (a rollback's publish, then its checklist). */
  async holdWhile<T>(body: () => Promise<T>): Promise<T> {
    this.holds++
    try {
      return await body()
    } finally {
      this.holds--
      if (this.holds === 0 && this.keepMs === 0) await this.closeIdle()
    }
  }

  /** Closes the kept sessions; later ones are closed as they are handed back. */
  async close(): Promise<void> {
    this.closed = true
    await this.closeIdle()
  }

  private take(key: string): SftpSession | null {
    const kept = this.idle.get(key)
    if (kept === undefined) return null
    this.idle.delete(key)
    clearTimeout(kept.timer ?? undefined)
    if (kept.session.isOpen) return kept.session
    void kept.session.close()
    return null
  }

  private async giveBack(key: string, session: SftpSession): Promise<void> {
    const keep = !this.closed && session.isOpen && !this.idle.has(key) && (this.keepMs > 0 || this.holds > 0)
    if (!keep) {
      await session.close()
      return
    }
    const timer = this.keepMs > 0 ? setTimeout(() => void this.drop(key, session), this.keepMs) : null
    // A kept connection never holds a process open (a CLI that forgot to close the API still exits).
    timer?.unref()
    this.idle.set(key, { session, timer })
  }

  private async drop(key: string, session: SftpSession): Promise<void> {
    if (this.idle.get(key)?.session === session) this.idle.delete(key)
    await session.close()
  }

  private async closeIdle(): Promise<void> {
    const kept = [...this.idle.values()]
    this.idle.clear()
    for (const { timer } of kept) clearTimeout(timer ?? undefined)
    await Promise.all(kept.map(({ session }) => session.close()))
  }
}
