import { mkdir, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SftpServer } from '../../src-shared/model.js'
import { WprmError } from '../../src-main/core/errors.js'
import type { RemoteLockRequest } from '../../src-main/core/remote/remote-lock.js'
import { takeRemoteLock } from '../../src-main/core/remote/remote-lock.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'
import type { DelayProxy } from '../support/tcp-proxy.js'
import { startDelayProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

let server: UpdateServer
let counter = 0
beforeAll(async () => {
  server = await startUpdateServer()
})
afterAll(async () => server?.stop())

const DEAD_PID = 2 ** 22 + 12345

/** A server profile for sshd, through `port` (a proxy) if given. */
function profile(port = server.sshd.port): SftpServer {
  return server.storedProfile('lock-test', port)
}

const noSecrets = { secret: async () => null }

/** A fresh plugin folder on the server: its remote path and its local path (the same folder, seen by sshd). */
async function pluginDir(): Promise<string> {
  const dir = path.join(server.sshd.root, `lock${++counter}`, 'hello')
  await mkdir(dir, { recursive: true })
  return dir
}

function request(overrides: Partial<RemoteLockRequest> = {}): RemoteLockRequest {
  return {
    plugin: { slug: 'hello' },
    server: { host: server.sshd.host },
    job: { id: 'hello@1.0.0', slug: 'hello', kind: 'publish', versions: ['1.0.0'] },
    now: () => new Date(),
    lockWaitMs: 20_000,
    ...overrides
  }
}

async function withSession<T>(body: (session: SftpSession) => Promise<T>, port?: number): Promise<T> {
  const session = await SftpSession.open(profile(port), noSecrets)
  try {
    return await body(session)
  } finally {
    await session.close()
  }
}

describe('the remote lock', () => {
  it('lets one publish in at a time when several race for it, and never shows a lock with a half-written note', async () => {
    // The race a helper saw: one publish read the note while the other was writing it ("Unexpected end
    // of JSON input"). One racer is on a slow link, which widens the moment between creating the note and
    // writing it; an observer reads the note as fast as it can meanwhile.
    const dir = await pluginDir()
    const note = path.join(dir, '.wprm-lock', 'owner.json')
    let proxy: DelayProxy | null = null
    try {
      proxy = await startDelayProxy(server.sshd.port, 25)
      let holders = 0
      let most = 0
      let rounds = 0
      let racing = true
      const notes: string[] = []
      const observer = withSession(async (session) => {
        while (racing) {
          const text = await session.readText(note).catch(() => null)
          if (text !== null) notes.push(text)
        }
      })
      const racer = (port: number | undefined) =>
        withSession(async (session) => {
          for (let i = 0; i < 5; i++) {
            const release = await takeRemoteLock(session, dir, request())
            most = Math.max(most, ++holders)
            rounds++
            await new Promise((resolve) => setTimeout(resolve, 30))
            holders--
            await release()
          }
        }, port)
      try {
        await Promise.all([racer(proxy.port), racer(proxy.port), racer(undefined)])
      } finally {
        racing = false
        await observer
      }
      expect(rounds).toBe(15)
      expect(most).toBe(1)
      expect(notes.length).toBeGreaterThan(0)
      for (const text of notes) expect(JSON.parse(text)).toMatchObject({ job: 'hello@1.0.0' })
      expect(await readdir(dir)).toEqual([])
    } finally {
      await proxy?.close()
    }
  })

  it.each([
    ['an empty owner note (an older wprm that ran out of disk)', { 'owner.json': '' }],
    ['a torn owner note', { 'owner.json': '{"token":"ab' }],
    ['no owner note', { 'stray.txt': 'x' }]
  ])('breaks a lock with %s once it has stayed so for the grace time, however short the wait', async (_, files) => {
    const dir = await pluginDir()
    await mkdir(path.join(dir, '.wprm-lock'))
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, '.wprm-lock', name), text)
    await withSession(async (session) => {
      const started = Date.now()
      const release = await takeRemoteLock(session, dir, request({ lockWaitMs: 0, noteGraceMs: 600 }))
      expect(Date.now() - started).toBeGreaterThanOrEqual(600)
      await release()
    })
    expect(await readdir(dir)).toEqual([])
  })

  it('breaks a file in the way of the lock folder after the grace time, and an unreadable note at once with --break-lock', async () => {
    const dir = await pluginDir()
    await writeFile(path.join(dir, '.wprm-lock'), 'not a folder')
    await withSession(async (session) => {
      await (
        await takeRemoteLock(session, dir, request({ noteGraceMs: 300 }))
      )()
      await mkdir(path.join(dir, '.wprm-lock'))
      await writeFile(path.join(dir, '.wprm-lock', 'owner.json'), '')
      const started = Date.now()
      await (
        await takeRemoteLock(session, dir, request({ breakStaleLock: true }))
      )()
      expect(Date.now() - started).toBeLessThan(2000)
    })
    expect(await readdir(dir)).toEqual([])
  })

  it('takes an empty lock folder (a release cut between its two steps) and a dead local owner at once', async () => {
    const dir = await pluginDir()
    await mkdir(path.join(dir, '.wprm-lock'))
    await withSession(async (session) => {
      const started = Date.now()
      await (
        await takeRemoteLock(session, dir, request())
      )()
      await mkdir(path.join(dir, '.wprm-lock'))
      const dead = { token: 'dead', host: os.hostname(), pid: DEAD_PID, user: 'x', job: 'hello@0.9.0', since: new Date().toISOString() }
      await writeFile(path.join(dir, '.wprm-lock', 'owner.json'), JSON.stringify(dead))
      await (
        await takeRemoteLock(session, dir, request())
      )()
      expect(Date.now() - started).toBeLessThan(2000)
    })
  })

  it('names the owner of a live lock from elsewhere and the command that clears it; --break-lock breaks it once it is old', async () => {
    const dir = await pluginDir()
    await mkdir(path.join(dir, '.wprm-lock'))
    const since = new Date(Date.now() - 60_000).toISOString()
    const owner = { token: 'far', host: 'build-box', pid: 4242, user: 'alice', job: 'hello@2.0.0', since }
    await writeFile(path.join(dir, '.wprm-lock', 'owner.json'), JSON.stringify(owner))
    await withSession(async (session) => {
      const error = (await takeRemoteLock(session, dir, request({ lockWaitMs: 300 })).catch((e: unknown) => e)) as WprmError
      expect(error).toBeInstanceOf(WprmError)
      expect(error.kind).toBe('remote-locked')
      expect(error.message).toBe(
        `Another publish of hello holds the lock on ${server.sshd.host}: alice@build-box (pid 4242, hello@2.0.0) since ${since}.`
      )
      expect(error.hint).toContain('run `wprm publish hello --break-lock`')
      expect(error.hint).toContain(`from ${new Date(Date.parse(since) + 15 * 60_000).toISOString()} on`)
      expect(error.hint).toContain(`remove ${path.join(dir, '.wprm-lock')} on the server`)
      const young = (await takeRemoteLock(session, dir, request({ lockWaitMs: 0, breakStaleLock: true })).catch(
        (e: unknown) => e
      )) as WprmError
      expect(young.hint).toContain('--break-lock breaks it only from')
      await (
        await takeRemoteLock(session, dir, request({ breakStaleLock: true, staleLockMs: 30_000 }))
      )()
    })
    expect(await readdir(dir)).toEqual([])
  })
})
