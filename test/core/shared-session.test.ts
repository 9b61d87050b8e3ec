import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Result } from '../../src-preload/api.js'
import { CHECKLIST } from '../../src-shared/checklist.js'
import { createApi } from '../../src-main/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { TcpProxy } from '../support/tcp-proxy.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

// One connection per job: against a real sshd + nginx, through a proxy that counts the SSH logins.

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

let server: UpdateServer
let proxy: TcpProxy
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  server = await startUpdateServer()
  proxy = await startTcpProxy(server.sshd.port)
  temp = await makeTempDir('wprm-shared-session-')
})
afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  await temp?.cleanup()
})

/** A plugin with a ZIP of a few MB, published through the proxy. */
async function setup(keepSessionsMs?: number) {
  const name = `s${++counter}`
  const api = createApi({ dataDir: path.join(temp.dir, name, 'data'), keepSessionsMs, secrets: { secret: async () => null } })
  const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'), { 'assets/video.bin': randomBytes(3 * 1024 * 1024) })
  value(await api.addPlugin({ sourceDir: source }))
  const profile = { ...(await server.profile(name)), port: proxy.port }
  value(await api.addServer(profile))
  value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
  return { api }
}

describe('one connection per job', () => {
  it('keeps the release’s connection for the checklist that follows it, when the API keeps connections', async () => {
    const { api } = await setup(60_000)
    try {
      const before = proxy.connections
      value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
      const report = value(await api.verify({ slug: 'hello-wprm' }))
      expect(report.checks.map((c) => [c.id, c.ok])).toEqual(CHECKLIST.map((c) => [c.id, true]))
      expect(proxy.connections - before).toBe(1)
    } finally {
      await api.close()
    }
  })

  it('logs in once for a rollback, its publish and its checklist, and not again without kept connections', async () => {
    const { api } = await setup()
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'y', status: 'released' }))
    const before = proxy.connections
    const back = value(await api.rollback({ slug: 'hello-wprm', to: '1.0.0' }))
    expect(back.verify?.ok).toBe(true)
    expect(proxy.connections - before).toBe(1)
    // Nothing kept afterwards: a verify logs in anew.
    value(await api.verify({ slug: 'hello-wprm' }))
    expect(proxy.connections - before).toBe(2)
  })
})
