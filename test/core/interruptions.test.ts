import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Store } from '../../src-main/core/db/store.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import type { TcpProxy } from '../support/tcp-proxy.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import type { SharedServer, Workstation } from '../support/workstations.js'
import { agreement, failure, pluginSource, sharedServer, value, workstation } from '../support/workstations.js'

// A release interrupted at each step of its publish, by a cut connection and by a killed process; after
// each, the next command (the one the hint names) leaves the server and the database agreeing, and the
// live version never goes backwards; `wprm publish` right after the fault is safe too (the measured case).

const KILL_SCRIPT = fileURLToPath(new URL('../support/kill-at-rename.mjs', import.meta.url))
const SLUG = 'cutme'

/** A step of the publish: the rename whose target ends with `target(version)`, and when the fault strikes. */
interface Point {
  readonly name: string
  readonly target: (version: string) => string
  readonly when: 'before' | 'after' | 'reply'
}

const STEPS: readonly Omit<Point, 'when'>[] = [
  { name: 'the ZIP rename', target: (v) => `${SLUG}-v${v}.zip` },
  { name: 'the link swap', target: () => `${SLUG}-latest.zip` },
  { name: 'the ledger rename', target: () => 'ledger.json' },
  { name: 'the manifest rename', target: () => 'info.json' }
]
const CUTS: readonly Point[] = [
  ...STEPS.flatMap((step) => (['before', 'after'] as const).map((when) => ({ ...step, when }))),
  // The rename reached the server, its answer never came back.
  { ...STEPS[3]!, when: 'reply' }
]
const KILLS: readonly Point[] = STEPS.flatMap((step) => (['before', 'after'] as const).map((when) => ({ ...step, when })))

let server: UpdateServer
let proxy: TcpProxy
let temp: { dir: string; cleanup: () => Promise<void> }
const originalRename = SftpSession.prototype.rename
const originalTransact = Store.prototype.transact

beforeAll(async () => {
  server = await startUpdateServer()
  proxy = await startTcpProxy(server.sshd.port)
  temp = await makeTempDir('wprm-interrupt-')
})
afterEach(() => {
  SftpSession.prototype.rename = originalRename
  Store.prototype.transact = originalTransact
})
afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  await temp?.cleanup()
})

/** A workstation that publishes through the proxy, with 1.0.0 released. */
async function released(name: string): Promise<{ ws: Workstation; shared: SharedServer }> {
  const shared = sharedServer(server, name, SLUG)
  const source = await pluginSource(path.join(temp.dir, name, 'source', SLUG), SLUG, '1.0.0')
  const ws = await workstation(temp.dir, name, server, shared, { sessionOptions: { stallMs: 5000 } })
  value(await ws.api.removeServer({ name }))
  value(await ws.api.addServer({ ...(await server.profile(name)), port: proxy.port }))
  value(await ws.api.addPlugin({ sourceDir: source, server: name }))
  value(await ws.api.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'First', status: 'released' }))
  return { ws, shared }
}

/** Cuts the connection at a rename, in this process: before it is sent, after its answer, or in its answer. */
function cutAt(point: Point, version: string): void {
  let armed = true
  SftpSession.prototype.rename = async function (this: SftpSession, from: string, to: string) {
    if (!armed || !to.endsWith(point.target(version))) return originalRename.call(this, from, to)
    armed = false
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100))
    if (point.when === 'before') {
      proxy.cut()
      await settle()
      return originalRename.call(this, from, to)
    }
    await originalRename.call(this, from, to)
    proxy.cut()
    await settle()
    // 'reply': the server renamed, the caller hears only that the connection is gone.
    if (point.when === 'reply') return originalRename.call(this, from, to)
  }
}

/** Runs a release of `version` in a child process that kills itself at a rename. */
function killAt(point: Point, dataDir: string, version: string): Promise<NodeJS.Signals | null> {
  const job = {
    dataDir,
    method: 'changeStatus',
    input: { slug: SLUG, versions: [version], status: 'released' },
    target: point.target(version),
    when: point.when
  }
  const child = spawn(process.execPath, [KILL_SCRIPT, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (_code, signal) => resolve(signal))
  })
}

/** After the fault: the next command finishes, the two sides agree, live never went backwards, and publish is safe. */
async function recovers(ws: Workstation, shared: SharedServer, version: string, liveBefore: string, label: string): Promise<void> {
  const during = (await shared.manifest())!.version
  expect([liveBefore, version], `${label}: live during`).toContain(during)
  const again = value(await ws.api.changeStatus({ slug: SLUG, versions: [version], status: 'released' }))
  expect(
    again.versions.map((v) => v.status),
    label
  ).toEqual(['released'])
  expect((await shared.manifest())!.version, `${label}: live after`).toBe(version)
  const both = await agreement(shared, ws)
  expect(both.here, label).toEqual(both.server)
  expect(
    both.server.versions.map((v) => v[0]),
    label
  ).toContain(liveBefore)
}

describe('a release interrupted at each step of its publish', () => {
  it('cut connection: the hint names the command, which takes in what reached the server and finishes', async () => {
    const { ws, shared } = await released('cuts')
    let minor = 0
    for (const point of CUTS) {
      const version = `1.${++minor}.0`
      const label = `cut ${point.when} ${point.name}`
      value(await ws.api.addVersion({ slug: SLUG, version, changelog: `Changes in ${version}` }))
      const liveBefore = (await shared.manifest())!.version
      cutAt(point, version)
      const result = await ws.api.changeStatus({ slug: SLUG, versions: [version], status: 'released' })
      SftpSession.prototype.rename = originalRename
      if (point.when === 'after' && point.target(version) === 'info.json') {
        // Past the commit point only the lock's release was lost: the release is done and recorded.
        expect(result.ok, label).toBe(true)
      } else {
        const error = failure(result)
        expect(error.kind, label).toBe('publish-interrupted')
        expect(error.hint, label).toContain(`wprm release ${SLUG} ${version}`)
        if (point.when === 'reply') expect(error.message, label).toContain('Unknown: whether the new manifest went live')
      }
      await recovers(ws, shared, version, liveBefore, label)
    }
  })

  it('the measured case: the answer to the manifest rename is lost, then `wprm publish` as the old hint said', async () => {
    const { ws, shared } = await released('publish-after-reply')
    value(await ws.api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'New' }))
    cutAt({ ...STEPS[3]!, when: 'reply' }, '1.1.0')
    expect(failure(await ws.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' })).kind).toBe('publish-interrupted')
    SftpSession.prototype.rename = originalRename
    expect((await shared.manifest())!.version).toBe('1.1.0')
    const published = value(await ws.api.publish({ slug: SLUG }))
    expect(published.latest).toBe('1.1.0')
    expect((await shared.manifest())!.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0'])
    expect((await ws.versions()).map((v) => [v.version, v.status])).toEqual([
      ['1.1.0', 'released'],
      ['1.0.0', 'released']
    ])
  })

  it('killed process (SIGKILL) at the same steps: the next command finishes the job', async () => {
    const { ws, shared } = await released('kills')
    let minor = 0
    for (const point of KILLS) {
      const version = `1.${++minor}.0`
      const label = `kill ${point.when} ${point.name}`
      value(await ws.api.addVersion({ slug: SLUG, version, changelog: `Changes in ${version}` }))
      const liveBefore = (await shared.manifest())!.version
      expect(await killAt(point, ws.dataDir, version), label).toBe('SIGKILL')
      await recovers(ws, shared, version, liveBefore, label)
    }
  })

  it('a database write that fails after a good publish (a full disk): the next command takes in the publish', async () => {
    const { ws, shared } = await released('disk-full')
    value(await ws.api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'New' }))
    Store.prototype.transact = function <T>(this: Store, purpose: string, change: Parameters<Store['transact']>[1]): Promise<T> {
      if (purpose.startsWith('released ')) {
        Store.prototype.transact = originalTransact
        return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' }))
      }
      return originalTransact.call(this, purpose, change) as Promise<T>
    } as Store['transact']
    const full = failure(await ws.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
    expect(full.kind).toBe('io')
    expect(full.message).toContain('is live on disk-full (1.1.0), but this database could not record it')
    expect(full.hint).toContain(`wprm release ${SLUG} 1.1.0`)
    await recovers(ws, shared, '1.1.0', '1.0.0', 'disk full')
  })

  it('an unfinished publish does not hold up work here while the server is unreachable', async () => {
    const name = 'offline'
    const gate = await startTcpProxy(server.sshd.port)
    const shared = sharedServer(server, name, SLUG)
    const ws = await workstation(temp.dir, name, server, shared)
    value(await ws.api.removeServer({ name }))
    value(await ws.api.addServer({ ...(await server.profile(name)), port: gate.port }))
    value(await ws.api.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, name, 'source', SLUG), SLUG), server: name }))
    await gate.close()
    expect(failure(await ws.api.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'One', status: 'released' })).kind).toBe(
      'connection-failed'
    )
    // The intent of that publish stays, but a draft needs no server.
    value(await ws.api.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'One' }))
    expect((await ws.versions()).map((v) => v.status)).toEqual(['draft'])
  })
})
