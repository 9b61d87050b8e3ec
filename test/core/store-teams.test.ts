import path from 'node:path'
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { environmentSecrets } from '../../src-main/core/remote/secrets.js'
import type { Ledger } from '../../src-shared/ledger.js'
import { manifestProblem } from '../../src-shared/manifest-schema.js'
import type { ApiEvents, PluginVersionRecord, Result, WprmApi } from '../../src-preload/api.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import { s3KeyEnv, s3Place, s3Profile, storeProfile } from '../support/s3-profile.js'
import type { OutageProxy } from '../support/tcp-proxy.js'
import { startOutageProxy } from '../support/tcp-proxy.js'
import { failure, pluginSource, value } from '../support/workstations.js'
import { expectSitesNeverLoseAVersion } from '../support/team-sequence.js'

// Workstations as separate data folders publishing one plugin to one real Ceph RGW (an `s3` profile each, the
// same bucket and key prefix): the ledger in the bucket is the shared truth, replaced only by compare-and-swap on
// its ETag under the object lock, and a stale workstation can neither drop what sites see nor publish blind.

let rgw: ObjectStoreServer
let proxy: OutageProxy
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  temp = await makeTempDir('wprm-store-teams-')
  rgw = await startObjectStore({ bucket: 'team' })
  await rgw.allowPublicRead()
  proxy = await startOutageProxy(Number(new URL(rgw.endpoint).port))
}, 120_000)
afterAll(async () => {
  await proxy?.close()
  await rgw?.stop()
  await temp?.cleanup()
})

interface Station {
  readonly api: WprmApi
  versions(): Promise<readonly PluginVersionRecord[]>
}

/** A profile of its own for one test, a plugin source, and the workstations (data folders) on them. */
async function scene(slug: string, header = '1.0.0') {
  const name = `team${++counter}`
  const root = path.join(temp.dir, name)
  const source = await pluginSource(path.join(root, 'source', slug), slug, header)
  const { keyPrefix, publicUrl } = s3Place(rgw, name)
  const base = `${publicUrl}${slug}/`
  const s3 = rgw.client()
  const anonymous = async <T>(file: string): Promise<T | null> => {
    const response = await fetch(`${base}${file}`)
    return response.status === 200 ? ((await response.json()) as T) : null
  }
  return {
    name,
    slug,
    source,
    /** What sites see, anonymously from the gateway. */
    manifest: () => anonymous<Manifest>('info.json'),
    /** The bytes of a file of the plugin, anonymously from the gateway. */
    bytes: async (file: string): Promise<Buffer> => Buffer.from(await (await fetch(`${base}${file}`)).arrayBuffer()),
    ledger: async (): Promise<Ledger> => {
      const object = await s3.send(new GetObjectCommand({ Bucket: rgw.bucket, Key: `${keyPrefix}${slug}/ledger.json` }))
      return JSON.parse(await object.Body!.transformToString()) as Ledger
    },
    /** Every object of the plugin with its ETag: equal before and after means no byte changed. */
    snapshot: async (): Promise<Record<string, string>> => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: rgw.bucket, Prefix: `${keyPrefix}${slug}/` }))
      return Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key!, `${o.ETag} ${o.Size}`]))
    },
    /** A workstation: its own data folder and profile; `through` the proxy, `now` its clock, `onEvent` its events. */
    async ws(
      id: string,
      options: {
        through?: OutageProxy
        now?: () => Date
        onEvent?: <K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]) => void
      } = {}
    ): Promise<Station> {
      const dataDir = path.join(root, id, 'data')
      const api = createApi({
        dataDir,
        secrets: environmentSecrets(s3KeyEnv(rgw)),
        remoteLockWaitMs: 120_000,
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent })
      })
      const endpoint = options.through === undefined ? {} : { endpoint: `http://127.0.0.1:${options.through.port}` }
      await storeProfile(dataDir, s3Profile(rgw, name, endpoint))
      return { api, versions: async () => value(await api.getPlugin({ slug })).versions }
    },
    close: () => s3.destroy()
  }
}

describe('several workstations, one S3 bucket', () => {
  it("the issue's scenario: a stale publish is refused and changes no byte; pull takes in versions and the revocation", async () => {
    const team = await scene('akismet', '5.0.2')
    const { slug } = team
    try {
      const a = await team.ws('a')
      value(await a.api.addPlugin({ sourceDir: team.source, server: team.name }))
      for (const v of ['5.0.2', '5.0.3', '5.0.4'])
        value(await a.api.addVersion({ slug, version: v, changelog: `Changes in ${v}`, status: 'released' }))
      value(await a.api.rollback({ slug, to: '5.0.3' }))
      expect(await team.manifest()).toMatchObject({ version: '5.0.3', revoked: ['5.0.4'], manifest_version: 4 })

      // B knows nothing yet; pointed at the bucket without pulling, it is refused before anything changes.
      const b = await team.ws('b')
      value(await b.api.addPlugin({ sourceDir: team.source }))
      value(await b.api.setPlugin({ slug, server: team.name }))
      const bytes = await team.snapshot()
      const stale = failure(await b.api.addVersion({ slug, version: '5.1.0', changelog: 'New in 5.1', status: 'released' }))
      expect(stale.kind).toBe('server-ahead')
      expect(stale.message).toContain('manifest #4 of akismet')
      expect(stale.message).toMatch(/5\.0\.4 deprecated \(revoked\)/)
      expect(stale.hint).toContain('wprm pull akismet')
      expect(await team.snapshot()).toEqual(bytes)
      expect(await b.versions()).toEqual([])

      const pulled = value(await b.api.pull({ slugs: [slug] }))
      expect(pulled).toEqual([
        expect.objectContaining({ manifest_version_before: 0, manifest_version: 4, downloaded: ['5.0.4', '5.0.3', '5.0.2'] })
      ])
      const onA = await a.versions()
      expect((await b.versions()).map((v) => [v.version, v.status, v.revoked_at !== null, v.checksum])).toEqual(
        onA.map((v) => [v.version, v.status, v.revoked_at !== null, v.checksum])
      )
      expect(value(await b.api.addVersion({ slug, version: '5.1.0', changelog: 'New in 5.1', status: 'released' })).publish).toMatchObject({
        manifest_version: 5,
        uploaded: ['5.1.0']
      })
      const ledger = await team.ledger()
      expect(ledger.versions.find((v) => v.version === '5.0.2')!.published.workstation).not.toBe(ledger.published.workstation)
      expect((await team.manifest())!.revoked).toEqual(['5.0.4'])

      // A is stale now: refused with nothing changed, until it pulls.
      const before = await team.snapshot()
      expect(failure(await a.api.publish({ slug }))).toMatchObject({
        kind: 'server-ahead',
        hint: expect.stringContaining('wprm pull akismet')
      })
      expect(await team.snapshot()).toEqual(before)
      expect(value(await a.api.pull({})).map((r) => r.added)).toEqual([['5.1.0']])
      expect(value(await a.api.publish({ slug })).manifest_version).toBe(6)
      expect((await team.manifest())!.versions.map((v) => v.version)).toEqual(['5.1.0', '5.0.4', '5.0.3', '5.0.2'])
      expect(value(await b.api.verify({ slug })).ok).toBe(true)
    } finally {
      team.close()
    }
  }, 120_000)

  it('two workstations racing a release: one wins, the other is refused before anything changes; no version is lost', async () => {
    const team = await scene('racer')
    const { slug } = team
    try {
      const a = await team.ws('a')
      value(await a.api.addPlugin({ sourceDir: team.source, server: team.name }))
      value(await a.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
      const b = await team.ws('b')
      value(await b.api.addPlugin({ sourceDir: team.source, server: team.name }))
      value(await a.api.addVersion({ slug, version: '1.1.0', changelog: 'From A' }))
      value(await b.api.addVersion({ slug, version: '1.2.0', changelog: 'From B' }))
      const [ra, rb] = await Promise.all([
        a.api.changeStatus({ slug, versions: ['1.1.0'], status: 'released' }),
        b.api.changeStatus({ slug, versions: ['1.2.0'], status: 'released' })
      ])
      expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1)
      const [winner, loser] = ra.ok
        ? [
            { ws: a, version: '1.1.0' },
            { ws: b, result: rb, version: '1.2.0' }
          ]
        : [
            { ws: b, version: '1.2.0' },
            { ws: a, result: ra, version: '1.1.0' }
          ]
      expect(failure(loser.result).kind).toBe('server-ahead')
      expect((await loser.ws.versions()).find((v) => v.version === loser.version)?.status).toBe('draft')
      expect(await team.manifest()).toMatchObject({ version: winner.version, manifest_version: 2 })
      value(await loser.ws.api.pull({ slugs: [slug] }))
      value(await loser.ws.api.changeStatus({ slug, versions: [loser.version], status: 'released' }))
      expect((await team.manifest())!.versions.map((v) => v.version).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0'])
      expect(value(await winner.ws.api.pull({ slugs: [slug] }))[0]!.added).toEqual([loser.version])
    } finally {
      team.close()
    }
  }, 120_000)

  it('no sequence of publishes from three workstations removes a published version or a revocation from what sites see', async () => {
    const team = await scene('many')
    const { slug } = team
    try {
      const stations: Station[] = []
      for (const id of ['a', 'b', 'c']) {
        const station = await team.ws(id)
        value(await station.api.addPlugin({ sourceDir: team.source, server: team.name }))
        stations.push(station)
      }
      value(await stations[0]!.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
      await expectSitesNeverLoseAVersion(stations, slug, team, 20261201)
    } finally {
      team.close()
    }
  }, 120_000)

  it("a lock broken as stale while its publish still runs: the ledger's compare-and-swap refuses the late publish before its manifest", async () => {
    const team = await scene('stale-lock')
    const { slug } = team
    try {
      // A's clock is 20 minutes behind, so its lock looks stale (older than 15 minutes) to B while A still works.
      let uploaded!: () => void
      const zipUp = new Promise<void>((resolve) => (uploaded = resolve))
      let watching = false
      const a = await team.ws('a', {
        through: proxy,
        now: () => new Date(Date.now() - 20 * 60_000),
        onEvent: (name, payload) => {
          const event = payload as ApiEvents['progress']
          // The ZIP is up (its PUT answered): A read the ledger long ago; stall its link before the ledger's swap.
          if (watching && name === 'progress' && event.phase === 'upload' && event.total > 0 && event.done === event.total) {
            watching = false
            proxy.hold()
            uploaded()
          }
        }
      })
      value(await a.api.addPlugin({ sourceDir: team.source, server: team.name }))
      value(await a.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
      const b = await team.ws('b')
      value(await b.api.addPlugin({ sourceDir: team.source, server: team.name }))
      value(await a.api.addVersion({ slug, version: '1.1.0', changelog: 'From A' }))

      watching = true
      const late = a.api.changeStatus({ slug, versions: ['1.1.0'], status: 'released' })
      await zipUp
      // B breaks the lock it finds stale and publishes; then A's link comes back.
      const published = value(await b.api.publish({ slug, breakStaleLock: true }))
      expect(published.manifest_version).toBe(2)
      proxy.restore()
      const refused = failure(await late)
      expect(refused.kind).toBe('remote-conflict')
      expect(refused.hint).toContain('again')

      // Sites see B's manifest; A's release is not half in: not listed, and -latest.zip is the live ZIP.
      const manifest = (await team.manifest())!
      expect(manifest).toMatchObject({ manifest_version: 2, version: '1.0.0' })
      expect(manifest.versions.map((v) => v.version)).toEqual(['1.0.0'])
      expect(await team.bytes(`${slug}-latest.zip`)).toEqual(await team.bytes(`${slug}-v1.0.0.zip`))
      expect((await team.ledger()).manifest_version).toBe(2)
      expect((await a.versions()).find((v) => v.version === '1.1.0')?.status).toBe('draft')

      // A runs it again: refused as stale until it pulls, then in; nothing is lost.
      expect(failure(await a.api.changeStatus({ slug, versions: ['1.1.0'], status: 'released' })).kind).toBe('server-ahead')
      value(await a.api.pull({ slugs: [slug] }))
      value(await a.api.changeStatus({ slug, versions: ['1.1.0'], status: 'released' }))
      expect(await team.manifest()).toMatchObject({ manifest_version: 3, version: '1.1.0' })
      expect(await team.bytes(`${slug}-latest.zip`)).toEqual(await team.bytes(`${slug}-v1.1.0.zip`))
    } finally {
      proxy.restore()
      team.close()
    }
  }, 120_000)

  it('20 workstations publishing a new version each at once, retrying as the CLI user would: strictly +1, no version lost', async () => {
    const team = await scene('crowd')
    const { slug } = team
    const n = 20
    try {
      const first = await team.ws('first')
      value(await first.api.addPlugin({ sourceDir: team.source, server: team.name }))
      value(await first.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
      const stations = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const station = await team.ws(`w${i}`)
          value(await station.api.addPlugin({ sourceDir: team.source, server: team.name }))
          // Each has its own draft before the race (a pull keeps drafts); releasing it is what races.
          value(await station.api.addVersion({ slug, version: `1.1.${i}`, changelog: `From workstation ${i}` }))
          return station
        })
      )
      const tries: Record<string, number> = {}
      const published: number[] = []
      const started = performance.now()
      // Each releases its draft; a refusal that says "run again" (locked, lost swap) is run again, and
      // "pull first" (server-ahead) is a pull and then the same command again.
      await Promise.all(
        stations.map(async (station, i) => {
          const version = `1.1.${i}`
          for (let attempt = 1; ; attempt++) {
            const result: Result<{ publish: { manifest_version: number } | null }> = await station.api.changeStatus({
              slug,
              versions: [version],
              status: 'released'
            })
            if (result.ok) {
              published.push(result.value.publish!.manifest_version)
              return
            }
            tries[result.error.kind] = (tries[result.error.kind] ?? 0) + 1
            expect(['server-ahead', 'remote-locked', 'remote-conflict'], `${version}: ${result.error.message}`).toContain(result.error.kind)
            expect(attempt, `${version} never got in`).toBeLessThan(4 * n)
            if (result.error.kind === 'server-ahead') value(await station.api.pull({ slugs: [slug] }))
          }
        })
      )
      console.log(`${n} racing publishes to RGW in ${Math.round(performance.now() - started)} ms; refusals: ${JSON.stringify(tries)}`)

      // One manifest number per publish, each one more than the last: none skipped, none written twice.
      expect([...published].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 2))
      const manifest = (await team.manifest())!
      expect(manifestProblem(manifest, slug)).toBeNull()
      expect(manifest.manifest_version).toBe(n + 1)
      const everyVersion = ['1.0.0', ...Array.from({ length: n }, (_, i) => `1.1.${i}`)].sort()
      expect(manifest.versions.map((v) => v.version).sort()).toEqual(everyVersion)
      const ledger = await team.ledger()
      expect(ledger.manifest_version).toBe(n + 1)
      expect(ledger.versions.map((v) => v.version).sort()).toEqual(everyVersion)
      for (const v of manifest.versions) expect((await fetch(v.download_url, { method: 'HEAD' })).status, v.version).toBe(200)
      // A late workstation takes it all in and agrees.
      const late = await team.ws('late')
      value(await late.api.importPlugin({ server: team.name, slug }))
      expect((await late.versions()).map((v) => v.version).sort()).toEqual(everyVersion)
      expect(value(await late.api.verify({ slug })).ok).toBe(true)
    } finally {
      team.close()
    }
  }, 300_000)
})
