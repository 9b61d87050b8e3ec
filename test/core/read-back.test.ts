import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Result } from '../../src-preload/api.js'
import { publishJob } from '../../src-shared/jobs.js'
import type { SftpServer } from '../../src-shared/model.js'
import { createApi } from '../../src-main/api.js'
import { publishPlugin } from '../../src-main/core/remote/publisher.js'
import { SessionPool } from '../../src-main/core/remote/session-pool.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

// What the read-back refuses, through the whole publish against a real sshd + nginx: a server copy
// with other bytes, wherever they sit, never counts as the release.

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

function failure<T>(result: Result<T>): { kind: string; message: string } {
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-read-back-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

/** A plugin with a ZIP of several read windows (a 3 MB asset), released once. */
async function setup() {
  const name = `r${++counter}`
  const api = createApi({ dataDir: path.join(temp.dir, name, 'data'), secrets: { secret: async () => null } })
  const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'), { 'assets/video.bin': randomBytes(3 * 1024 * 1024) })
  value(await api.addPlugin({ sourceDir: source }))
  const profile = await server.profile(name)
  value(await api.addServer(profile))
  value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
  return { api, name, remoteDir: path.join(profile.remoteRoot, 'hello-wprm') }
}

describe('the read-back refuses other bytes', () => {
  it('refuses a ZIP on the server of the released size whose last chunk differs', async () => {
    const { api, remoteDir } = await setup()
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    const file = path.join(remoteDir, 'hello-wprm-v1.0.0.zip')
    const bytes = await readFile(file)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01
    await writeFile(file, bytes)
    const refused = failure(await api.publish({ slug: 'hello-wprm' }))
    expect(refused.kind).toBe('remote-conflict')
    expect(refused.message).toContain('hello-wprm-v1.0.0.zip with other bytes')
  })

  it('does not put in place an upload whose bytes changed on the way, and leaves the old manifest', async () => {
    const { api, name, remoteDir } = await setup()
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    const details = value(await api.getPlugin({ slug: 'hello-wprm' }))
    const manifest = await readFile(path.join(remoteDir, 'info.json'), 'utf8')
    await rm(path.join(remoteDir, 'hello-wprm-v1.0.0.zip'))
    const serverRecord = value(await api.listServers()).find((s) => s.name === name) as SftpServer
    // A session whose last write reaches the server with one bit flipped, handed to the publish by a pool.
    const pool = new SessionPool(60_000)
    const lease = await pool.lease(serverRecord, async () => {
      const session = await SftpSession.open(serverRecord, { secret: async () => null })
      const sftp = (session as unknown as { sftp: SFTPWrapper }).sftp
      const write = sftp.write.bind(sftp)
      const size = details.versions[0]!.file_size!
      sftp.write = ((handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, callback: never) => {
        if (position + length !== size) return write(handle, buffer, offset, length, position, callback)
        const bent = Buffer.from(buffer.subarray(offset, offset + length))
        bent[length - 1] = bent[length - 1]! ^ 0x80
        return write(handle, bent, 0, length, position, callback)
      }) as SFTPWrapper['write']
      return session
    })
    await lease.release()
    try {
      const refused = await publishPlugin({
        plugin: details.plugin,
        versions: details.versions,
        server: serverRecord,
        secrets: { secret: async () => null },
        now: () => new Date(),
        job: publishJob('hello-wprm'),
        sessions: pool
      }).then(
        () => null,
        (error: unknown) => error as { kind: string; message: string }
      )
      expect(refused?.kind).toBe('remote-conflict')
      expect(refused?.message).toContain('it was not put in place')
      expect(existsSync(path.join(remoteDir, 'hello-wprm-v1.0.0.zip'))).toBe(false)
      expect(await readFile(path.join(remoteDir, 'info.json'), 'utf8')).toBe(manifest)
      // What was staged beside the link and the manifest went with the upload.
      expect((await readdir(remoteDir)).filter((f) => f.endsWith('.part'))).toEqual([])
    } finally {
      await pool.close()
    }
  })
})
