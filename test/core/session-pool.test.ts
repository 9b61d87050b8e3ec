import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SftpServer } from '../../src-shared/model.js'
import { SessionPool } from '../../src-main/core/remote/session-pool.js'
import type { SftpSession } from '../../src-main/core/remote/sftp-session.js'

// The pool's rules, with stand-in sessions (the pool only asks whether one is open and closes it);
// test/core/shared-session.test.ts counts the real logins.

interface FakeSession {
  readonly id: number
  isOpen: boolean
  closed: number
  close(): Promise<void>
}

let made: FakeSession[] = []
const open = async (): Promise<SftpSession> => {
  const session: FakeSession = {
    id: made.length + 1,
    isOpen: true,
    closed: 0,
    close: async () => {
      session.closed++
      session.isOpen = false
    }
  }
  made.push(session)
  return session as unknown as SftpSession
}
const idOf = (session: SftpSession): number => (session as unknown as FakeSession).id

function server(name: string, port = 22): SftpServer {
  const at = new Date(0).toISOString()
  return {
    kind: 'sftp',
    name,
    host: `${name}.example.com`,
    port,
    user: 'deploy',
    auth: { kind: 'agent' },
    remote_root: '/srv',
    access_logs: [],
    public_url: 'https://updates.example.com/',
    host_key_fingerprint: 'SHA256:x',
    created_at: at,
    updated_at: at
  }
}

afterEach(() => {
  made = []
  vi.useRealTimers()
})

describe('SessionPool', () => {
  it('closes a session handed back at once when it keeps nothing', async () => {
    const pool = new SessionPool()
    const first = await pool.use(server('a'), open, async (s) => idOf(s))
    const second = await pool.use(server('a'), open, async (s) => idOf(s))
    expect([first, second]).toEqual([1, 2])
    expect(made.map((s) => s.closed)).toEqual([1, 1])
  })

  it('lends a kept session again to the same login, not to another, and closes it after keepMs', async () => {
    vi.useFakeTimers()
    const pool = new SessionPool(15_000)
    expect(await pool.use(server('a'), open, async (s) => idOf(s))).toBe(1)
    expect(await pool.use(server('a'), open, async (s) => idOf(s))).toBe(1)
    expect(await pool.use(server('a', 2222), open, async (s) => idOf(s))).toBe(2)
    expect(made.map((s) => s.closed)).toEqual([0, 0])
    await vi.advanceTimersByTimeAsync(15_000)
    expect(made.map((s) => s.closed)).toEqual([1, 1])
    expect(await pool.use(server('a'), open, async (s) => idOf(s))).toBe(3)
    await pool.close()
    expect(made[2]!.closed).toBe(1)
  })

  it('never lends a lost session, and keeps one per login when two jobs ran at once', async () => {
    const pool = new SessionPool(60_000)
    const [a, b] = await Promise.all([pool.lease(server('a'), open), pool.lease(server('a'), open)])
    expect([idOf(a.session), idOf(b.session)]).toEqual([1, 2])
    await a.release()
    await b.release()
    expect(made.map((s) => s.closed)).toEqual([0, 1])
    made[0]!.isOpen = false
    expect(await pool.use(server('a'), open, async (s) => idOf(s))).toBe(3)
    expect(made[0]!.closed).toBe(1)
    await pool.close()
  })

  it('keeps sessions while holdWhile runs, then closes them when it keeps nothing', async () => {
    const pool = new SessionPool()
    const ids = await pool.holdWhile(async () => [
      await pool.use(server('a'), open, async (s) => idOf(s)),
      await pool.use(server('a'), open, async (s) => idOf(s))
    ])
    expect(ids).toEqual([1, 1])
    expect(made[0]!.closed).toBe(1)
  })

  it('closes what is handed back after close()', async () => {
    const pool = new SessionPool(60_000)
    const lease = await pool.lease(server('a'), open)
    await pool.close()
    await lease.release()
    await lease.release()
    expect(made[0]!.closed).toBe(1)
  })
})
