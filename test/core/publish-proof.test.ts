import { randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Result } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { proofStamp } from '../../src-main/core/remote/publish-plan.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { TcpProxy } from '../support/tcp-proxy.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`)
  return result.value
}

let server: UpdateServer
let proxy: TcpProxy
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0
beforeAll(async () => {
  server = await startUpdateServer()
  proxy = await startTcpProxy(server.sshd.port)
  temp = await makeTempDir('wprm-proof-')
})
afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  await temp?.cleanup()
})

/** A plugin with 1 MB that does not compress, publishing through the counting proxy, with 1.0.0 and 1.1.0 live. */
async function setup() {
  const name = `p${++counter}`
  const api = createApi({ dataDir: path.join(temp.dir, name, 'data'), secrets: { secret: async () => null } })
  const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'), { 'assets/noise.bin': randomBytes(1024 * 1024) })
  value(await api.addPlugin({ sourceDir: source }))
  value(await api.addServer({ ...(await server.profile(name)), port: proxy.port }))
  value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
  value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
  value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'y', status: 'released' }))
  const dir = path.join(server.sshd.root, name, 'hello-wprm')
  /** What a publish read from the server, in bytes. */
  const publishRead = async (): Promise<number> => {
    const before = proxy.bytesDown
    value(await api.publish({ slug: 'hello-wprm' }))
    return proxy.bytesDown - before
  }
  return { api, dir, publishRead }
}

describe('a publish reads back only what it has not proven', () => {
  it('reads nothing back in a no-op publish; the server copies carry their proof stamp', async () => {
    const { api, dir, publishRead } = await setup()
    // Two ZIPs of 1 MB live: a read-back of either would show here.
    expect(await publishRead()).toBeLessThan(100 * 1024)
    for (const version of ['1.0.0', '1.1.0']) {
      const record = value(await api.getVersion({ slug: 'hello-wprm', version }))
      expect((await stat(path.join(dir, `hello-wprm-v${version}.zip`))).mtimeMs / 1000).toBe(proofStamp(record.checksum))
    }
    expect(new Date(proofStamp('00ffff')! * 1000).toISOString()).toBe('1980-01-01T18:12:15.000Z')
  })

  it('reads back (and refuses) a copy changed since, even within the same second; verify catches one whose time was put back', async () => {
    const { api, dir, publishRead } = await setup()
    const file = path.join(dir, 'hello-wprm-v1.0.0.zip')
    const bytes = await readFile(file)
    const { mtime } = await stat(file)
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff
    await writeFile(file, bytes)
    const refused = await api.publish({ slug: 'hello-wprm' })
    expect(refused.ok ? null : refused.error.kind).toBe('remote-conflict')
    // Changed on purpose, with the time put back: the publish trusts it, verify's download check does not.
    await utimes(file, mtime, mtime)
    expect(await publishRead()).toBeLessThan(100 * 1024)
    const report = value(await api.verify({ slug: 'hello-wprm', version: '1.0.0' }))
    expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual([3])
  })

  it('reads back a copy an older wprm left without a stamp once, and stamps it', async () => {
    const { dir, publishRead } = await setup()
    await utimes(path.join(dir, 'hello-wprm-v1.0.0.zip'), new Date(), new Date())
    const first = await publishRead()
    expect(first).toBeGreaterThan(1024 * 1024)
    expect(first).toBeLessThan(2 * 1024 * 1024)
    expect(await publishRead()).toBeLessThan(100 * 1024)
  })
})

describe('a publish sweeps up what failed jobs left', () => {
  it('removes .part files and lock folders being made, and nothing else', async () => {
    const { api, dir } = await setup()
    await writeFile(path.join(dir, '.hello-wprm-v1.2.0.zip.0123456789ab.part'), 'half an upload')
    await writeFile(path.join(dir, '.info.json.0123456789ab.part'), '{"half":')
    await mkdir(path.join(dir, '.wprm-lock.0123456789ab.part'))
    await writeFile(path.join(dir, '.wprm-lock.0123456789ab.part', 'owner.json'), '{}')
    await writeFile(path.join(dir, 'README.txt'), 'the admin put this here')
    value(await api.publish({ slug: 'hello-wprm' }))
    expect((await readdir(dir)).sort()).toEqual([
      'README.txt',
      'hello-wprm-latest.zip',
      'hello-wprm-v1.0.0.zip',
      'hello-wprm-v1.1.0.zip',
      'info.json',
      'ledger.json'
    ])
  })
})
