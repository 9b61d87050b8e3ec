import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SftpServer } from '../../src-shared/model.js'
import { WprmError } from '../../src-main/core/errors.js'
import type { SessionOptions } from '../../src-main/core/remote/sftp-session.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import { startDelayProxy, startTcpProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-dead-link-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

function profile(port: number): SftpServer {
  return server.storedProfile('dead-link', port)
}

const open = (port: number, options: SessionOptions) => SftpSession.open(profile(port), { secret: async () => null }, options)

/** How a call ends, and when: the error it failed with, or null. */
async function timed(call: () => Promise<unknown>): Promise<{ readonly error: WprmError | null; readonly ms: number }> {
  const started = Date.now()
  const error = await call().then(
    () => null,
    (e: unknown) => e as WprmError
  )
  return { error, ms: Date.now() - started }
}

describe('a dead connection is seen in seconds, not at the 60 s watchdog', () => {
  it.each(['a small request', 'an upload'] as const)('drops a link that went silent during %s after the dead-link time', async (what) => {
    const dir = path.join(server.sshd.root, `silent-${what.length}`)
    await mkdir(dir, { recursive: true })
    const local = path.join(temp.dir, `big-${what.length}.bin`)
    await writeFile(local, randomBytes(8 * 1024 * 1024))
    const proxy = await startTcpProxy(server.sshd.port)
    try {
      const session = await open(proxy.port, { deadLinkMs: 1500 })
      let frozen = false
      const work =
        what === 'a small request'
          ? () => {
              proxy.freeze()
              return session.lstat(dir)
            }
          : () =>
              session.upload(local, path.join(dir, 'big.bin'), (sent) => {
                if (frozen || sent < 1024 * 1024) return
                frozen = true
                proxy.freeze()
              })
      const { error, ms } = await timed(work)
      await session.close()
      expect(error).toBeInstanceOf(WprmError)
      expect(error!.kind).toBe('publish-interrupted')
      expect(error!.message).toContain('(nothing arrived from the server for 2 s)')
      expect(ms).toBeGreaterThanOrEqual(1400)
      expect(ms).toBeLessThan(4000)
    } finally {
      await proxy.close()
    }
  })

  it('takes no slow link for dead: a round trip of half the dead-link time through requests and an upload', async () => {
    const dir = path.join(server.sshd.root, 'slow')
    await mkdir(dir, { recursive: true })
    const local = path.join(temp.dir, 'slow.bin')
    await writeFile(local, randomBytes(256 * 1024))
    // 300 ms of round trip against 600 ms of silence allowed: pings every 150 ms, each answered a round trip later.
    const proxy = await startDelayProxy(server.sshd.port, 150)
    try {
      const session = await open(proxy.port, { deadLinkMs: 600 })
      try {
        await session.writeFile(path.join(dir, 'note.json'), Buffer.from('{}'))
        await session.upload(local, path.join(dir, 'slow.bin'))
        await session.rename(path.join(dir, 'slow.bin'), path.join(dir, 'slow.zip'))
        expect((await session.lstat(path.join(dir, 'slow.zip')))?.size).toBe(256 * 1024)
      } finally {
        await session.close()
      }
    } finally {
      await proxy.close()
    }
  }, 60_000)
})
