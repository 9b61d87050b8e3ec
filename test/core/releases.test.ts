import { readFile, readlink, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProgressEvent, Result, WprmApi } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { hashFile } from '../../src-main/core/build/checksums.js'
import { mainFileText, makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
let api: WprmApi
let events: ProgressEvent[]
let source: string

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`)
  return result.value
}

function failure<T>(result: Result<T>): { kind: string; message: string; hint: string } {
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

beforeEach(async () => {
  temp = await makeTempDir()
  events = []
  let clock = Date.parse('2026-01-10T12:00:00Z')
  api = createApi({
    dataDir: path.join(temp.dir, 'data'),
    now: () => new Date((clock += 1000)),
    onEvent: (name, e) => {
      if (name === 'progress') events.push(e as ProgressEvent)
    }
  })
  source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), { 'tests/test-x.php': '<?php', 'includes/a.php': '<?php // a' })
})
afterEach(async () => temp.cleanup())

async function addReleased(version: string, changelog = `Changes in ${version}`): Promise<void> {
  value(await api.addVersion({ slug: 'hello-wprm', version, changelog, status: 'released' }))
}

describe('addPlugin', () => {
  it('reads slug, name, main file and version constant from the source', async () => {
    const plugin = value(await api.addPlugin({ sourceDir: source }))
    expect(plugin).toMatchObject({
      slug: 'hello-wprm',
      name: 'Hello WPRM',
      main_file: 'hello-wprm.php',
      version_constant: 'HELLO_WPRM_VERSION',
      platform: 'wordpress',
      dist_dir: path.join(temp.dir, 'data', 'dist', 'hello-wprm')
    })
    expect(failure(await api.addPlugin({ sourceDir: source })).kind).toBe('already-exists')
  })

  it('refuses an empty folder and a main file without a Version header', async () => {
    const empty = path.join(temp.dir, 'empty')
    await writePluginFolder(empty, {}, 'x')
    await rm(path.join(empty, 'x.php'))
    const error = failure(await api.addPlugin({ sourceDir: empty }))
    expect(error.kind).toBe('source-invalid')
    expect(error.message).toContain('No plugin main file')
    const noVersion = await writePluginFolder(path.join(temp.dir, 'nov'), { 'nov.php': '<?php\n/* Plugin Name: No Version */\n' }, 'nov')
    expect(failure(await api.addPlugin({ sourceDir: noVersion })).message).toContain('no "Version:" header')
  })
})

describe('versions', () => {
  beforeEach(async () => {
    value(await api.addPlugin({ sourceDir: source }))
  })

  it("takes the requirements a main file's header lacks from readme.txt's header, read as wordpress.org reads them", async () => {
    const bare = await writePluginFolder(
      path.join(temp.dir, 'bare'),
      {
        'bare.php': '<?php\n/*\n * Plugin Name: Bare\n * Version: 1.0.0\n */\n',
        'readme.txt': '=== Bare ===\nRequires at least: WordPress 6.2 or higher\nRequires PHP: 8.1\nStable tag: 1.0.0\n\nBare.\n'
      },
      'bare'
    )
    value(await api.addPlugin({ sourceDir: bare }))
    const first = value(await api.addVersion({ slug: 'bare', version: '1.0.0', changelog: 'First' })).versions[0]!
    expect(first).toMatchObject({ min_php_version: '8.1', min_platform_version: '6.2' })
  })

  it('fills everything but version, changelog and status', async () => {
    const first = value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'First' })).versions[0]!
    expect(first).toMatchObject({
      status: 'draft',
      version_code: 10000,
      min_php_version: '7.4',
      min_platform_version: '6.0',
      min_api_version: null,
      force_update: false,
      file_path: null,
      checksum: null,
      released_at: null
    })
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'Second', minPhpVersion: '8.0', minApiVersion: '2.0' }))
    const third = value(await api.addVersion({ slug: 'hello-wprm', version: '1.2.0', changelog: 'Third' })).versions[0]!
    expect(third).toMatchObject({ min_php_version: '8.0', min_api_version: '2.0', min_platform_version: '6.0', version_code: 10200 })
    expect(failure(await api.addVersion({ slug: 'hello-wprm', version: '1.1.5', changelog: 'x' })).kind).toBe('version-not-higher')
    expect(failure(await api.addVersion({ slug: 'hello-wprm', version: '1.3.0', changelog: '  ' })).message).toContain('changelog is empty')
    // Without a changelog, readme.txt's entry for the version is taken, as written there.
    await writeFile(
      path.join(source, 'readme.txt'),
      '=== Hello WPRM ===\nStable tag: 1.2.0\n\nA test plugin.\n\n== Changelog ==\n\n= 1.3.0 =\n* Faster.\n* Safer.\n\n= 1.2.0 =\n* Third.\n'
    )
    expect(value(await api.addVersion({ slug: 'hello-wprm', version: '1.3.0' })).versions[0]!.changelog).toBe('* Faster.\n* Safer.')
    expect(failure(await api.addVersion({ slug: 'hello-wprm', version: '1.4.0' })).message).toBe(
      'The changelog is empty, and readme.txt has no entry for 1.4.0.'
    )
    expect(value(await api.suggestNextVersions({ slug: 'hello-wprm' }))).toEqual({
      latest: '1.3.0',
      patch: '1.3.1',
      minor: '1.4.0',
      major: '2.0.0'
    })
  })

  it('builds on release: checksums recorded, versions rewritten in the ZIP, clean-up applied, latest link set', async () => {
    await addReleased('1.1.0')
    const record = value(await api.getVersion({ slug: 'hello-wprm', version: '1.1.0' }))
    const dist = path.join(temp.dir, 'data', 'dist', 'hello-wprm')
    expect(record.file_path).toBe(path.join(dist, 'hello-wprm-v1.1.0.zip'))
    expect(record.released_at).not.toBeNull()
    const onDisk = await hashFile(record.file_path!)
    expect(record).toMatchObject({ file_size: onDisk.size, checksum: onDisk.sha256, checksum_md5: onDisk.md5 })
    expect(await readlink(path.join(dist, 'hello-wprm-latest.zip'))).toBe('hello-wprm-v1.1.0.zip')

    const zip = await JSZip.loadAsync(await readFile(record.file_path!))
    expect(Object.keys(zip.files).every((name) => name.startsWith('hello-wprm/'))).toBe(true)
    expect(zip.file('hello-wprm/tests/test-x.php')).toBeNull()
    const main = await zip.file('hello-wprm/hello-wprm.php')!.async('string')
    expect(main).toContain(' * Version: 1.1.0')
    expect(main).toContain("define('HELLO_WPRM_VERSION', '1.1.0')")
    expect(main).toContain("define('HELLO_WPRM_MINIMUM_WP_VERSION', '1.0.0')")
    expect(await zip.file('hello-wprm/readme.txt')!.async('string')).toContain('Stable tag: 1.1.0')
    // The source stays as it was.
    expect(await readFile(path.join(source, 'hello-wprm.php'), 'utf8')).toBe(mainFileText())

    expect(new Set(events.map((e) => e.phase))).toEqual(new Set(['scan', 'zip', 'hash']))
    expect(events.at(-1)).toMatchObject({
      job: { id: 'hello-wprm@1.1.0', slug: 'hello-wprm', kind: 'build', versions: ['1.1.0'] },
      phase: 'hash'
    })
  })

  it('releases several versions at once, or none when one fails', async () => {
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'a' }))
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'b' }))
    // A stray file with other bytes where 1.1.0's ZIP would go: that build must fail...
    const dist = path.join(temp.dir, 'data', 'dist', 'hello-wprm')
    await (await import('node:fs/promises')).mkdir(dist, { recursive: true })
    await writeFile(path.join(dist, 'hello-wprm-v1.1.0.zip'), 'not this')
    const error = failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0', '1.1.0'], status: 'released' }))
    expect(error.kind).toBe('zip-conflict')
    expect(error.message).toContain('never overwritten')
    // ...and 1.0.0, built first, is rolled back with it.
    await expect(stat(path.join(dist, 'hello-wprm-v1.0.0.zip'))).rejects.toThrow(/ENOENT/)
    const details = value(await api.getPlugin({ slug: 'hello-wprm' }))
    expect(details.versions.map((v) => v.status)).toEqual(['draft', 'draft'])
    expect(await readFile(path.join(dist, 'hello-wprm-v1.1.0.zip'), 'utf8')).toBe('not this')

    await rm(path.join(dist, 'hello-wprm-v1.1.0.zip'))
    const result = value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0', '1.0.0'], status: 'released' }))
    expect(result.builds.map((b) => b.version)).toEqual(['1.0.0', '1.1.0'])
    expect(await readlink(path.join(dist, 'hello-wprm-latest.zip'))).toBe('hello-wprm-v1.1.0.zip')
  })

  it('refuses to deprecate the last live version, and allows a rollback through deprecated → released', async () => {
    await addReleased('1.0.0')
    await addReleased('1.1.0')
    const oldZip = value(await api.getVersion({ slug: 'hello-wprm', version: '1.0.0' }))
    const refused = failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0', '1.1.0'], status: 'deprecated' }))
    expect(refused.kind).toBe('last-live-version')
    expect(refused.hint).toMatch(/Roll back/)
    expect(failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'draft' })).kind).toBe('invalid-transition')

    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'deprecated' }))
    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'update_ready' }))
    expect(failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'released' })).kind).toBe('invalid-transition')

    // The source moves on; bringing 1.0.0 back uses its kept ZIP, not a rebuild.
    await writeFile(path.join(source, 'includes/a.php'), '<?php // changed since')
    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'released' }))
    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'deprecated' }))
    const back = value(await api.getVersion({ slug: 'hello-wprm', version: '1.0.0' }))
    expect(back.checksum).toBe(oldZip.checksum)
    expect(back.released_at).toBe(oldZip.released_at)
    const dist = path.join(temp.dir, 'data', 'dist', 'hello-wprm')
    expect(await readlink(path.join(dist, 'hello-wprm-latest.zip'))).toBe('hello-wprm-v1.0.0.zip')

    // A kept ZIP that was tampered with is not made live again.
    await writeFile(path.join(dist, 'hello-wprm-v1.1.0.zip'), 'tampered')
    expect(failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'released' })).kind).toBe('zip-conflict')
    await rm(path.join(dist, 'hello-wprm-v1.1.0.zip'))
    const missing = failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'released' }))
    expect(missing.kind).toBe('zip-missing')
  })

  it('builds the same bytes again for the same source and version', async () => {
    await addReleased('1.0.0')
    const first = value(await api.getVersion({ slug: 'hello-wprm', version: '1.0.0' }))
    const other = createApi({ dataDir: path.join(temp.dir, 'data2') })
    value(await other.addPlugin({ sourceDir: source }))
    value(await other.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'again', status: 'released' }))
    expect(value(await other.getVersion({ slug: 'hello-wprm', version: '1.0.0' })).checksum).toBe(first.checksum)
  })

  it('prunes deprecated ZIPs beyond the newest N, never a live one, and at least 3 are kept', async () => {
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0']) await addReleased(v)
    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0', '1.2.0', '1.3.0'], status: 'deprecated' }))
    expect(failure(await api.pruneZips({ slug: 'hello-wprm', keep: 2 })).kind).toBe('usage')
    const pruned = value(await api.pruneZips({ slug: 'hello-wprm', keep: 3 }))
    // Newest three (1.4.0, 1.3.0, 1.2.0) kept; 1.1.0 is live; only 1.0.0 goes.
    expect(pruned).toEqual({ removed: ['1.0.0'], kept: ['1.4.0', '1.3.0', '1.2.0', '1.1.0'] })
    const gone = value(await api.getVersion({ slug: 'hello-wprm', version: '1.0.0' }))
    expect(gone.file_path).toBeNull()
    await expect(stat(path.join(temp.dir, 'data', 'dist', 'hello-wprm', 'hello-wprm-v1.0.0.zip'))).rejects.toThrow(/ENOENT/)
    expect(failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'released' })).kind).toBe('zip-missing')
  })

  it('writes a version into the source on request only, and logs every change', async () => {
    const bumped = value(await api.bumpSource({ slug: 'hello-wprm', version: '1.5.0' }))
    expect(bumped.changed_files).toEqual(['hello-wprm.php', 'readme.txt'])
    const details = value(await api.getPlugin({ slug: 'hello-wprm' }))
    expect(details.source).toMatchObject({ header_version: '1.5.0', constant_version: '1.5.0' })
    expect(await readFile(path.join(source, 'hello-wprm.php'), 'utf8')).toContain("define('HELLO_WPRM_MINIMUM_WP_VERSION', '1.0.0')")
    const activity = value(await api.listActivity({ slug: 'hello-wprm' }))
    expect(activity.map((a) => a.action)).toEqual(['source.bump', 'plugin.add'])
  })
})
