import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, readdir, readlink, rm } from 'node:fs/promises'
import path from 'node:path'
import type { AddSftpServerInput, Result, WprmApi } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { Store } from '../../src-main/core/db/store.js'
import { latestLive } from '../../src-shared/versions.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'

/**
 * The fault campaign's shared ground: one plugin with 1.0.0 live on a real sshd + nginx and 1.1.0 as a
 * draft, saved once and put back before each trial, and the checks every trial ends with.
 */

/** The plugin every trial releases. */
export const SLUG = 'hello-wprm'

/** What one trial did: its name, how the faulted command ended, and what broke (empty when everything held). */
export interface Trial {
  readonly name: string
  /** `ok`, or the kind of error the faulted command failed with (`killed` for a killed process). */
  readonly outcome: string
  readonly broke: readonly string[]
}

/** The figures of a campaign, as the README and the closing note give them. */
export function figures(trials: readonly Trial[]): string {
  const broke = trials.filter((t) => t.broke.length > 0)
  const outcomes = new Map<string, number>()
  for (const t of trials) outcomes.set(t.outcome, (outcomes.get(t.outcome) ?? 0) + 1)
  return [
    `${trials.length} trials, ${trials.length - broke.length} held, ${broke.length} broke (the faulted command: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')})`,
    ...broke.map((t) => `  ${t.name}: ${t.broke.join('; ')}`)
  ].join('\n')
}

/** A test's own world: a data folder, a plugin source, a server folder, restorable to its first state. */
export interface World {
  readonly dataDir: string
  readonly remoteDir: string
  readonly manifestUrl: string
  /** An API on the data folder, as a second process would see it. */
  api(): WprmApi
  /** Puts the data folder and the server folder back as they were after 1.0.0 went live. */
  restore(): Promise<void>
  cleanup(): Promise<void>
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

/** Options of the API the trials use: short waits, so that a lock that blocks shows as a failure, not a hang. */
export function apiOptions(dataDir: string): Parameters<typeof createApi>[0] {
  return { dataDir, secrets: { secret: async () => null }, remoteLockWaitMs: 5_000, sessionOptions: { stallMs: 5_000, deadLinkMs: 3_000 } }
}

/**
 * Makes the world: the plugin (with 100 KB that does not compress, so the ZIP is read back in
 * several requests), a server profile going through `port` (a proxy, unarmed), 1.0.0 released and published; then
 * 1.1.0 as a draft (`release` builds and publishes it), or released here but not published yet (`publish`
 * uploads it, with no build first); then saves it.
 */
export async function makeWorld(
  server: UpdateServer,
  name: string,
  port: number,
  pending: 'draft' | 'unpublished' = 'draft'
): Promise<World> {
  const temp = await makeTempDir(`wprm-faults-${name}-`)
  const dataDir = path.join(temp.dir, 'data')
  const saved = path.join(temp.dir, 'saved')
  const source = await writePluginFolder(path.join(temp.dir, SLUG), {
    'assets/noise.bin': randomBytes(100 * 1024)
  })
  const profile: AddSftpServerInput = { ...(await server.profile(name)), port }
  const remoteRoot = profile.remoteRoot
  const api = createApi(apiOptions(dataDir))
  value(await api.addPlugin({ sourceDir: source }))
  value(await api.addServer(profile))
  value(await api.setPlugin({ slug: SLUG, server: name }))
  value(await api.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'First', status: 'released' }))
  if (pending === 'draft') {
    value(await api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Second' }))
  } else {
    value(await api.setPlugin({ slug: SLUG, server: null }))
    value(await api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Second', status: 'released' }))
    value(await api.setPlugin({ slug: SLUG, server: name }))
  }
  const copy = (from: string, to: string) => cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true })
  await copy(dataDir, path.join(saved, 'data'))
  await copy(remoteRoot, path.join(saved, 'remote'))
  return {
    dataDir,
    remoteDir: path.join(remoteRoot, SLUG),
    manifestUrl: `${server.nginx.baseUrl}${name}/${SLUG}/info.json`,
    api: () => createApi(apiOptions(dataDir)),
    async restore() {
      await rm(dataDir, { recursive: true, force: true })
      await rm(remoteRoot, { recursive: true, force: true })
      await copy(path.join(saved, 'data'), dataDir)
      await copy(path.join(saved, 'remote'), remoteRoot)
    },
    cleanup: () => temp.cleanup()
  }
}

/**
 * What sites see, checked: a manifest that is whole JSON in our format, naming one of `versions`, whose
 * download answers with the size and SHA-256 it lists. Returns the live version, or what is wrong.
 */
export async function checkSites(world: World, versions: readonly string[]): Promise<{ version: string | null; broke: string[] }> {
  const broke: string[] = []
  const response = await fetch(world.manifestUrl)
  if (response.status !== 200) return { version: null, broke: [`the manifest answers ${response.status}`] }
  let manifest: Manifest
  try {
    manifest = JSON.parse(await response.text()) as Manifest
  } catch (error) {
    return { version: null, broke: [`the manifest is not whole JSON (${(error as Error).message})`] }
  }
  if (manifest.format !== 'wprm-manifest/1' || !Array.isArray(manifest.versions)) broke.push('the manifest is not in our format')
  if (!versions.includes(manifest.version)) broke.push(`the manifest names ${manifest.version}`)
  const zip = await fetch(manifest.download_url)
  const bytes = Buffer.from(await zip.arrayBuffer())
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (zip.status !== 200 || bytes.length !== manifest.size || sha256 !== manifest.sha256) {
    broke.push(
      `its ZIP answers ${zip.status}, ${bytes.length} bytes, SHA-256 ${sha256.slice(0, 12)}… (listed: ${manifest.size}, ${manifest.sha256.slice(0, 12)}…)`
    )
  }
  return { version: manifest.version, broke }
}

/** The database reads as a whole, valid database (what every command needs first). */
export async function checkDatabase(world: World): Promise<string[]> {
  try {
    const db = await new Store(world.dataDir).read()
    return db.plugins.some((p) => p.slug === SLUG) ? [] : ['the plugin is gone from the database']
  } catch (error) {
    return [`the database cannot be read: ${(error as Error).message}`]
  }
}

/** Nothing is left that a later command would trip over or that fills the disk: no lock, no temporary file. */
export async function checkLeftovers(world: World): Promise<string[]> {
  const broke: string[] = []
  const remote = await readdir(world.remoteDir).catch(() => [] as string[])
  const stray = remote.filter((name) => name.startsWith('.'))
  if (stray.length > 0) broke.push(`left on the server: ${stray.join(', ')}`)
  for (const lock of [path.join(world.dataDir, 'wprm.lock'), path.join(world.dataDir, 'locks', `${SLUG}.lock`)]) {
    if (existsSync(lock)) broke.push(`left here: ${path.basename(lock)}`)
  }
  const dist = await readdir(path.join(world.dataDir, 'dist', SLUG)).catch(() => [] as string[])
  const temporary = dist.filter((name) => name.startsWith('.'))
  if (temporary.length > 0) broke.push(`left in the dist folder: ${temporary.join(', ')}`)
  broke.push(...(await checkLatestLink(world)))
  return broke
}

/** The dist folder's `-latest.zip` link follows the database: it names the newest live version's ZIP. */
async function checkLatestLink(world: World): Promise<string[]> {
  const db = await new Store(world.dataDir).read()
  const newest = latestLive(db.versions.filter((v) => v.plugin === SLUG))?.version
  const linked = await readlink(path.join(world.dataDir, 'dist', SLUG, `${SLUG}-latest.zip`)).catch(() => null)
  const expected = newest === undefined ? null : `${SLUG}-v${newest}.zip`
  return linked === expected
    ? []
    : [`the -latest.zip link names ${linked ?? 'nothing'}, the database's newest live version is ${expected ?? 'none'}`]
}
