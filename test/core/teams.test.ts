import { chmod, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import type { Workstation } from '../support/workstations.js'
import { expectSitesNeverLoseAVersion } from '../support/team-sequence.js'
import { failure, pluginSource, sharedServer, value, workstation } from '../support/workstations.js'

// Workstations as separate data folders publishing one plugin to one real sshd + nginx: the server's
// ledger is the shared truth, and a stale workstation can neither drop what sites see nor publish blind.

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-teams-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

/** A fresh server folder for `slug` and a source at `header`, shared by the workstations of one test. */
async function scene(slug = 'akismet', header = '5.0.2') {
  const name = `team${++counter}`
  const root = path.join(temp.dir, name)
  const shared = sharedServer(server, name, slug)
  const source = await pluginSource(path.join(root, 'source', slug), slug, header)
  return { name, root, shared, source, slug, ws: (id: string) => workstation(root, id, server, shared) }
}

describe('several workstations, one update server', () => {
  it("the issue's scenario: a stale publish is refused and changes no byte; pull takes in versions and the revocation", async () => {
    const { shared, source, slug, ws } = await scene()
    const a = await ws('a')
    value(await a.api.addPlugin({ sourceDir: source, server: shared.name }))
    for (const v of ['5.0.2', '5.0.3', '5.0.4'])
      value(await a.api.addVersion({ slug, version: v, changelog: `Changes in ${v}`, status: 'released' }))
    value(await a.api.rollback({ slug, to: '5.0.3' }))
    const afterA = await shared.manifest()
    expect(afterA).toMatchObject({ version: '5.0.3', revoked: ['5.0.4'], manifest_version: 4 })

    // B: a fresh data folder that knows nothing yet; it is pointed at the server without pulling.
    const b = await ws('b')
    value(await b.api.addPlugin({ sourceDir: source }))
    value(await b.api.setPlugin({ slug, server: shared.name }))
    const bytes = await shared.snapshot()
    const stale = failure(await b.api.addVersion({ slug, version: '5.1.0', changelog: 'New in 5.1', status: 'released' }))
    expect(stale.kind).toBe('server-ahead')
    expect(stale.message).toContain('manifest #4 of akismet')
    expect(stale.message).toContain('newer than #0')
    expect(stale.message).toMatch(/5\.0\.4 deprecated \(revoked\)/)
    expect(stale.hint).toContain('wprm pull akismet')
    expect(await shared.snapshot()).toEqual(bytes)
    expect(await b.versions()).toEqual([])

    // B pulls: every version with its status, changelog and revocation, and the ZIPs, checked.
    const pulled = value(await b.api.pull({ slugs: [slug] }))
    expect(pulled).toEqual([
      expect.objectContaining({
        manifest_version_before: 0,
        manifest_version: 4,
        added: ['5.0.4', '5.0.3', '5.0.2'],
        downloaded: ['5.0.4', '5.0.3', '5.0.2']
      })
    ])
    const bVersions = await b.versions()
    expect(bVersions.map((v) => [v.version, v.status, v.revoked_at !== null, v.changelog])).toEqual([
      ['5.0.4', 'deprecated', true, 'Changes in 5.0.4'],
      ['5.0.3', 'released', false, 'Changes in 5.0.3'],
      ['5.0.2', 'released', false, 'Changes in 5.0.2']
    ])
    const aVersions = await a.versions()
    expect(bVersions.map((v) => [v.checksum, v.file_size, v.released_at])).toEqual(
      aVersions.map((v) => [v.checksum, v.file_size, v.released_at])
    )
    // The ZIPs are the released bytes.
    for (const v of bVersions)
      expect(await readFile(v.file_path!)).toEqual(await readFile(aVersions.find((x) => x.version === v.version)!.file_path!))

    const released = value(await b.api.addVersion({ slug, version: '5.1.0', changelog: 'New in 5.1', status: 'released' }))
    expect(released.publish).toMatchObject({ manifest_version: 5, latest: '5.1.0', uploaded: ['5.1.0'] })
    const afterB = (await shared.manifest())!
    expect(afterB.versions.map((v) => [v.version, v.status, v.revoked])).toEqual([
      ['5.1.0', 'released', false],
      ['5.0.4', 'deprecated', true],
      ['5.0.3', 'released', false],
      ['5.0.2', 'released', false]
    ])
    expect(afterB.revoked).toEqual(['5.0.4'])
    const ledger = (await shared.ledger())!
    expect(ledger.versions.find((v) => v.version === '5.0.2')!.published.workstation).not.toBe(ledger.published.workstation)
    expect(ledger.versions.find((v) => v.version === '5.1.0')!.published).toEqual(ledger.published)

    // A is stale now: refused until it pulls, with nothing changed on the server.
    const before = await shared.snapshot()
    const refused = failure(await a.api.publish({ slug }))
    expect(refused).toMatchObject({ kind: 'server-ahead', hint: expect.stringContaining('wprm pull akismet') })
    expect(refused.message).toContain('5.1.0 released')
    expect(failure(await a.api.addVersion({ slug, version: '5.1.1', changelog: 'x', status: 'released' })).kind).toBe('server-ahead')
    expect(await shared.snapshot()).toEqual(before)
    expect(value(await a.api.pull({})).map((r) => r.added)).toEqual([['5.1.0']])
    expect(value(await a.api.publish({ slug })).manifest_version).toBe(6)
    expect((await shared.manifest())!.versions.map((v) => v.version)).toEqual(['5.1.0', '5.0.4', '5.0.3', '5.0.2'])
    expect(value(await b.api.verify({ slug })).ok).toBe(true)
  })

  it('a new workstation rolls back to a version it never built, from the ZIP it pulled', async () => {
    const { shared, source, slug, ws } = await scene('rollme', '2.0.0')
    const a = await ws('a')
    value(await a.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await a.api.addVersion({ slug, version: '2.0.0', changelog: 'Two', status: 'released' }))
    value(await a.api.addVersion({ slug, version: '2.1.0', changelog: 'Two one', status: 'released' }))
    // Imported without a source: it cannot build, but it can roll back, verify and deprecate.
    const c = await ws('c')
    const imported = value(await c.api.importPlugin({ server: shared.name, slug }))
    expect(imported).toMatchObject({
      slug,
      name: 'rollme',
      main_file: 'rollme.php',
      version_constant: 'ROLLME_VERSION',
      manifest_version: 2
    })
    const back = value(await c.api.rollback({ slug, to: '2.0.0' }))
    expect(back).toMatchObject({ live: '2.0.0', revoked: ['2.1.0'] })
    expect(back.verify?.ok).toBe(true)
    expect(await shared.manifest()).toMatchObject({ version: '2.0.0', revoked: ['2.1.0'], manifest_version: 3 })
    // And the first workstation learns of it before it may publish again.
    expect(failure(await a.api.publish({ slug })).kind).toBe('server-ahead')
    value(await a.api.pull({ slugs: [slug] }))
    expect((await a.versions()).map((v) => [v.version, v.status])).toEqual([
      ['2.1.0', 'deprecated'],
      ['2.0.0', 'released']
    ])
  })

  it('a second workstation pulls the rollout state, halts it, and the first learns of the halt before it may publish', async () => {
    const { shared, source, slug, ws } = await scene('rollout', '3.0.0')
    const a = await ws('a')
    value(await a.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await a.api.addVersion({ slug, version: '3.0.0', changelog: 'Three', status: 'released' }))
    value(await a.api.addVersion({ slug, version: '3.1.0-beta.1', changelog: 'Beta', status: 'released' }))
    value(await a.api.addVersion({ slug, version: '3.1.0', changelog: 'Three one', required: true }))
    value(await a.api.setRollout({ slug, version: '3.1.0', schedule: '10%@0h,100%@48h' }))
    value(await a.api.changeStatus({ slug, versions: ['3.1.0'], status: 'released' }))
    const b = await ws('b')
    value(await b.api.importPlugin({ server: shared.name, slug }))
    const pulled = (await b.versions()).find((v) => v.version === '3.1.0')!
    const onA = (await a.versions()).find((v) => v.version === '3.1.0')!
    expect(pulled.rollout).toEqual(onA.rollout)
    expect(pulled.rollout?.steps.map((s) => s.percent)).toEqual([10, 100])
    expect(pulled.required).toBe(true)
    // The second workstation halts the rollout it never started (no version named: the one in progress).
    const halted = value(await b.api.setRollout({ slug, halt: true }))
    expect(halted.versions[0]!.rollout?.halted_at).toEqual(expect.any(String))
    const manifest = (await shared.manifest())!
    expect(manifest.version).toBe('3.0.0')
    expect(manifest.versions.find((v) => v.version === '3.1.0')?.rollout).toEqual(halted.versions[0]!.rollout)
    const stale = failure(await a.api.setRollout({ slug, version: '3.1.0', percent: '50' }))
    expect(stale.kind).toBe('server-ahead')
    expect(stale.message).toContain("3.1.0's rollout changed")
    value(await a.api.pull({ slugs: [slug] }))
    expect((await a.versions()).find((v) => v.version === '3.1.0')?.rollout?.halted_at).toBe(halted.versions[0]!.rollout?.halted_at)
    value(await a.api.setRollout({ slug, resume: true }))
  })

  it('two workstations racing a release: one wins, the other is refused before anything changes; no version is lost', async () => {
    const { shared, source, slug, ws } = await scene('racer', '1.0.0')
    const a = await ws('a')
    value(await a.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await a.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
    const b = await ws('b')
    value(await b.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await a.api.addVersion({ slug, version: '1.1.0', changelog: 'From A' }))
    value(await b.api.addVersion({ slug, version: '1.2.0', changelog: 'From B' }))
    const [ra, rb] = await Promise.all([
      a.api.changeStatus({ slug, versions: ['1.1.0'], status: 'released' }),
      b.api.changeStatus({ slug, versions: ['1.2.0'], status: 'released' })
    ])
    const winner = ra.ok ? { ws: a, version: '1.1.0' } : { ws: b, version: '1.2.0' }
    const loser = ra.ok ? { ws: b, result: rb, version: '1.2.0' } : { ws: a, result: ra, version: '1.1.0' }
    expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1)
    expect(failure(loser.result).kind).toBe('server-ahead')
    expect((await loser.ws.versions()).find((v) => v.version === loser.version)?.status).toBe('draft')
    expect((await shared.manifest())!).toMatchObject({ version: winner.version, manifest_version: 2 })
    // The loser pulls (its draft is kept) and releases in turn: both versions are there.
    value(await loser.ws.api.pull({ slugs: [slug] }))
    value(await loser.ws.api.changeStatus({ slug, versions: [loser.version], status: 'released' }))
    expect((await shared.manifest())!.versions.map((v) => v.version).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0'])
    expect(value(await winner.ws.api.pull({ slugs: [slug] }))[0]!.added).toEqual([loser.version])
  })

  it('refuses a pull whose ZIP on the server is not the bytes the ledger records, naming the file, and takes nothing in', async () => {
    const { shared, source, slug, ws } = await scene('tampered', '1.0.0')
    const a = await ws('a')
    value(await a.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await a.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
    const file = path.join(shared.remoteDir, 'tampered-v1.0.0.zip')
    const bytes = await readFile(file)
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff
    await chmod(file, 0o644)
    await writeFile(file, bytes)
    const d = await ws('d')
    const refused = failure(await d.api.addPlugin({ sourceDir: source, server: shared.name }))
    expect(refused.kind).toBe('remote-conflict')
    expect(refused.message).toContain(`tampered-v1.0.0.zip on 127.0.0.1 (${file})`)
    expect(refused.message).toContain('the ledger records')
    // Nothing half-done: not added, no file left behind.
    expect(value(await d.api.listPlugins())).toEqual([])
    expect(await import('node:fs/promises').then((fs) => fs.readdir(path.join(d.dataDir, 'dist', slug)).catch(() => []))).toEqual([])
  })

  it('keeps a local draft on pull, and reports one that clashes with a release instead of overwriting it', async () => {
    const { shared, source, slug, ws } = await scene('clash', '1.0.0')
    const a = await ws('a')
    const b = await ws('b')
    value(await a.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await b.api.addPlugin({ sourceDir: source, server: shared.name }))
    value(await b.api.addVersion({ slug, version: '1.0.0', changelog: 'B thinks this is 1.0' }))
    value(await b.api.addVersion({ slug, version: '1.5.0', changelog: 'B works on 1.5' }))
    value(await a.api.addVersion({ slug, version: '1.0.0', changelog: 'A released this', status: 'released' }))
    const clash = failure(await b.api.pull({ slugs: [slug] }))
    expect(clash.kind).toBe('remote-conflict')
    expect(clash.message).toContain('1.0.0 is a draft here with another changelog')
    expect(clash.hint).toContain('wprm version remove clash 1.0.0')
    expect((await b.versions()).map((v) => [v.version, v.status, v.changelog])).toEqual([
      ['1.5.0', 'draft', 'B works on 1.5'],
      ['1.0.0', 'draft', 'B thinks this is 1.0']
    ])
    value(await b.api.removeVersion({ slug, version: '1.0.0' }))
    const pulled = value(await b.api.pull({ slugs: [slug] }))[0]!
    expect(pulled).toMatchObject({ added: ['1.0.0'], kept: ['1.5.0'] })
    expect((await b.versions()).map((v) => [v.version, v.status])).toEqual([
      ['1.5.0', 'draft'],
      ['1.0.0', 'released']
    ])
  })

  it('no sequence of publishes from three workstations removes a published version or a revocation from what sites see', async () => {
    const { shared, source, slug, ws } = await scene('many', '1.0.0')
    const stations: Workstation[] = []
    for (const id of ['a', 'b', 'c']) {
      const station = await ws(id)
      value(await station.api.addPlugin({ sourceDir: source, server: shared.name }))
      stations.push(station)
    }
    value(await stations[0]!.api.addVersion({ slug, version: '1.0.0', changelog: 'One', status: 'released' }))
    await expectSitesNeverLoseAVersion(stations, slug, shared, 20260101)
  })
})
