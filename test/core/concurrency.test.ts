import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PluginDetails, ProgressEvent, Result, WprmApi } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { runCli } from '../cli/run-cli.js'
import type { CliRun } from '../cli/run-cli.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { DelayProxy } from '../support/tcp-proxy.js'
import { startDelayProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

// Commands that run at the same time, in other processes, while a slow publish holds nothing but its
// own plugin: the database lock is taken only for each commit.

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

function failure<T>(result: Result<T>): { kind: string; message: string; hint: string } {
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

let server: UpdateServer
let proxy: DelayProxy
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  server = await startUpdateServer()
  proxy = await startDelayProxy(server.sshd.port, 0)
  temp = await makeTempDir('wprm-concurrency-')
})
afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  await temp?.cleanup()
})

/** A data folder with plugin `slug` published through the delay proxy, and the api the test drives. */
async function setup(slug: string, progress?: (event: ProgressEvent) => void) {
  const name = `c${++counter}`
  const dataDir = path.join(temp.dir, name, 'data')
  const api: WprmApi = createApi({
    dataDir,
    remoteLockWaitMs: 20_000,
    onEvent: (event, payload) => {
      if (event === 'progress') progress?.(payload as ProgressEvent)
    }
  })
  proxy.delayMs = 0
  value(await api.addPlugin({ sourceDir: await writePluginFolder(path.join(temp.dir, name, slug), {}, slug) }))
  value(await api.addServer({ ...(await server.profile(name)), port: proxy.port }))
  value(await api.setPlugin({ slug, server: name }))
  const manifest = async (): Promise<Manifest> =>
    (await (await fetch(`${server.nginx.baseUrl}${name}/${slug}/info.json`)).json()) as Manifest
  const wprm = (...args: string[]): Promise<CliRun> => runCli(args, { dataDir })
  return { api, name, dataDir, manifest, wprm }
}

describe('commands while a publish runs', () => {
  it('answers a list and takes a version of another plugin at once, while a slow publish of one plugin runs', async () => {
    let uploading!: () => void
    const publishStarted = new Promise<void>((resolve) => (uploading = resolve))
    const { api, name, wprm } = await setup('slow-one', (event) => {
      if (event.phase === 'upload') uploading()
    })
    value(await api.addPlugin({ sourceDir: await writePluginFolder(path.join(temp.dir, name, 'other-one'), {}, 'other-one') }))

    // A far server: every chunk waits 150 ms each way, so the release's SFTP session takes seconds.
    proxy.delayMs = 150
    let publishDone = false
    const startedAt = performance.now()
    const release = api.addVersion({ slug: 'slow-one', version: '1.0.0', changelog: 'First', status: 'released' }).finally(() => {
      publishDone = true
    })
    await publishStarted
    const duringPublish = (run: Promise<CliRun>) =>
      run.then((result) => ({ ...result, publishRunning: !publishDone, ms: performance.now() - startedAt }))
    const [list, add] = await Promise.all([
      duringPublish(wprm('--json', 'list', 'slow-one')),
      duringPublish(wprm('version', 'add', 'other-one', '1.0.0', '--changelog', 'Meanwhile'))
    ])
    const released = value(await release)
    const publishMs = performance.now() - startedAt
    console.log(
      `publish ${Math.round(publishMs)} ms; list done at ${Math.round(list.ms)} ms, version add of another plugin at ${Math.round(add.ms)} ms`
    )

    expect(list.code, list.stderr).toBe(0)
    expect(list.publishRunning).toBe(true)
    // Publish first, then record: while it runs, the database does not claim 1.0.0 yet.
    expect((JSON.parse(list.stdout) as PluginDetails).versions).toEqual([])
    expect(add.code, add.stderr).toBe(0)
    expect(add.publishRunning).toBe(true)

    // Both changes are in the database: the commit re-read it, and the other plugin's write was kept.
    expect(released.publish).toMatchObject({ latest: '1.0.0', uploaded: ['1.0.0'] })
    expect(value(await api.getVersion({ slug: 'slow-one', version: '1.0.0' })).status).toBe('released')
    expect(value(await api.getVersion({ slug: 'other-one', version: '1.0.0' })).status).toBe('draft')
  })

  it('lets two processes release two versions of one plugin at once: neither version is lost', async () => {
    const { api, wprm, manifest } = await setup('twice')
    value(await api.addVersion({ slug: 'twice', version: '1.0.0', changelog: 'First', status: 'released' }))
    value(await api.addVersion({ slug: 'twice', version: '1.1.0', changelog: 'Second' }))
    value(await api.addVersion({ slug: 'twice', version: '1.2.0', changelog: 'Third' }))
    // Slow enough that the two publishes would overlap if nothing kept them apart.
    proxy.delayMs = 20
    const runs = await Promise.all([wprm('release', 'twice', '1.1.0'), wprm('release', 'twice', '1.2.0')])
    for (const run of runs) expect(run.code, run.stderr).toBe(0)

    const details = value(await api.getPlugin({ slug: 'twice' }))
    expect(details.versions.map((v) => [v.version, v.status])).toEqual([
      ['1.2.0', 'released'],
      ['1.1.0', 'released'],
      ['1.0.0', 'released']
    ])
    const published = await manifest()
    expect(published.version).toBe('1.2.0')
    expect(published.versions.map((v) => [v.version, v.status])).toEqual([
      ['1.2.0', 'released'],
      ['1.1.0', 'released'],
      ['1.0.0', 'released']
    ])
    // One publish each, one after the other: the database knows the last one.
    expect(published.manifest_version).toBe(3)
    expect(details.plugin.manifest_version).toBe(3)
  })

  it('refuses to record a release when the plugin moved to another server while it was published', async () => {
    let armed = false
    let moving: Promise<Result<unknown>> | null = null
    const late: { api?: WprmApi } = {}
    const ctx = await setup('moved', (event) => {
      // `plugin set` takes no plugin lock: it commits while the publish is under way.
      if (armed && event.phase === 'manifest' && moving === null) moving = late.api!.setPlugin({ slug: 'moved', server: null })
    })
    const { api } = ctx
    late.api = api
    value(await api.addVersion({ slug: 'moved', version: '1.0.0', changelog: 'First', status: 'released' }))
    armed = true
    value(await api.addVersion({ slug: 'moved', version: '1.1.0', changelog: 'Second' }))
    proxy.delayMs = 20
    const error = failure(await api.changeStatus({ slug: 'moved', versions: ['1.1.0'], status: 'released' }))
    expect(moving).not.toBeNull()
    value(await moving!)
    expect(error.kind).toBe('remote-conflict')
    expect(error.message).toContain(`moved changed while this command ran (its server is now none (was ${ctx.name}))`)
    expect(error.message).toContain('nothing was recorded here')
    expect(error.hint).toContain('wprm publish moved')
    // Nothing recorded, and the ZIP this change built is gone with it.
    expect(value(await api.getVersion({ slug: 'moved', version: '1.1.0' }))).toMatchObject({ status: 'draft', file_path: null })
    expect(existsSync(path.join(ctx.dataDir, 'dist', 'moved', 'moved-v1.1.0.zip'))).toBe(false)
    expect((await ctx.manifest()).version).toBe('1.1.0')
  })
})
