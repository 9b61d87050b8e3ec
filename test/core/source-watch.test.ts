import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ApiEvents, Result, SourceStatus } from '../../src-preload/api.js'
import type { ApiHandle } from '../../src-main/api.js'
import { createApi } from '../../src-main/api.js'
import { createAesCipher } from '../../src-main/core/remote/secret-vault.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
let api: ApiHandle
let events: SourceStatus[]
let source: string

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
  return result.value
}

beforeEach(async () => {
  temp = await makeTempDir()
  events = []
  api = createApi({
    dataDir: path.join(temp.dir, 'data'),
    watchSources: true,
    cipher: createAesCipher(),
    onEvent: <K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]) => {
      if (name === 'source') events.push(payload as SourceStatus)
    }
  })
  source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), { 'includes/a.php': '<?php // a' })
  value(await api.addPlugin({ sourceDir: source }))
  value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'x', status: 'released' }))
})
afterEach(async () => {
  await api.close()
  await temp.cleanup()
})

const latestEvent = (): SourceStatus | undefined => events.at(-1)

describe('source status and watching', () => {
  it('sees no change right after a build, even though the build rewrote the version inside the ZIP', async () => {
    const status = value(await api.getSourceStatus({ slug: 'hello-wprm' }))
    expect(status).toMatchObject({ state: 'ok', last_built: '1.1.0', changed_files: [] })
    expect(status.source).toMatchObject({ header_version: '1.0.0', constant_version: '1.0.0' })
    expect(status.warnings).toEqual(['The source says 1.0.0, lower than the latest release 1.1.0: write the next version into the source.'])
  })

  it('reports edits, new and removed files as they happen (debounced), ignoring left-out files', async () => {
    await writeFile(path.join(source, 'includes/a.php'), '<?php // a, edited')
    await writeFile(path.join(source, 'new.php'), '<?php')
    await writeFile(path.join(source, 'ignored.bak'), 'x')
    await vi.waitFor(() => expect(latestEvent()?.changed_files).toEqual(['includes/a.php', 'new.php']), { timeout: 5000 })
    await (await import('node:fs/promises')).rm(path.join(source, 'readme.txt'))
    await vi.waitFor(() => expect(latestEvent()?.changed_files).toEqual(['includes/a.php', 'new.php', 'readme.txt']), { timeout: 5000 })
  })

  it('warns when header and constant disagree, and bumping the source clears it', async () => {
    const main = path.join(source, 'hello-wprm.php')
    await writeFile(main, (await readFile(main, 'utf8')).replace(' * Version: 1.0.0', ' * Version: 1.2.0'))
    await vi.waitFor(() => expect(latestEvent()?.warnings).toContain('The header says 1.2.0 but HELLO_WPRM_VERSION says 1.0.0.'), {
      timeout: 5000
    })
    value(await api.bumpSource({ slug: 'hello-wprm', version: '1.2.0' }))
    await vi.waitFor(() => expect(latestEvent()?.warnings).toEqual([]), { timeout: 5000 })
  })

  it('says when the folder is renamed away, and picks it up again when it is back', async () => {
    const moved = `${source}-moved`
    await rename(source, moved)
    await vi.waitFor(() => expect(latestEvent()?.state).toBe('missing'), { timeout: 5000 })
    expect(latestEvent()?.warnings[0]).toContain('is gone')
    await rename(moved, source)
    await vi.waitFor(() => expect(latestEvent()?.state).toBe('ok'), { timeout: 10_000 })
    await writeFile(path.join(source, 'after.php'), '<?php')
    await vi.waitFor(() => expect(latestEvent()?.changed_files).toContain('after.php'), { timeout: 5000 })
  })

  it('follows a plugin whose slug changed, and stops reporting one removed from this workstation', async () => {
    const other = await writePluginFolder(path.join(temp.dir, 'draft-plugin'), {}, 'draft-plugin')
    value(await api.addPlugin({ sourceDir: other }))
    value(await api.setPlugin({ slug: 'draft-plugin', newSlug: 'renamed-plugin' }))
    value(await api.removePlugin({ slug: 'hello-wprm' }))
    const since = events.length
    // Both folders change at once: the renamed plugin's event comes, under its new slug, and the removed one's never.
    await writeFile(path.join(source, 'late.php'), '<?php')
    await writeFile(path.join(other, 'late.php'), '<?php')
    await vi.waitFor(() => expect(events.slice(since).map((e) => e.slug)).toContain('renamed-plugin'), { timeout: 5000 })
    expect(events.slice(since).map((e) => e.slug)).not.toContain('hello-wprm')
    expect(events.slice(since).map((e) => e.slug)).not.toContain('draft-plugin')
  })
})

describe('secrets', () => {
  it('stores secrets encrypted, tells only whether one is there, and never writes them in plain text', async () => {
    await mkdir(path.join(temp.dir, 'key'), { recursive: true })
    const keyPath = path.join(temp.dir, 'key', 'id')
    await writeFile(keyPath, 'not used')
    const db = path.join(temp.dir, 'data', 'wprm.json')
    const dbJson = JSON.parse(await readFile(db, 'utf8'))
    dbJson.servers.push({
      name: 'prod',
      host: 'h',
      port: 22,
      user: 'u',
      auth: { kind: 'password', password_env: null },
      remote_root: '/r',
      public_url: 'https://x/',
      host_key_fingerprint: 'SHA256:x',
      access_logs: [],
      created_at: '',
      updated_at: ''
    })
    await writeFile(db, JSON.stringify(dbJson))
    expect(value(await api.getSecretStatus({ server: 'prod' }))).toEqual({
      server: 'prod',
      password: false,
      passphrase: false,
      s3_access_key_id: false,
      s3_secret_access_key: false,
      backend: 'os'
    })
    const stored = value(await api.storeSecret({ server: 'prod', kind: 'password', value: 'hunter2-very-secret' }))
    expect(stored).toEqual({
      server: 'prod',
      password: true,
      passphrase: false,
      s3_access_key_id: false,
      s3_secret_access_key: false,
      backend: 'os'
    })
    for (const file of ['secrets.json', 'wprm.json'])
      expect(await readFile(path.join(temp.dir, 'data', file), 'utf8')).not.toContain('hunter2')
    expect(value(await api.deleteSecret({ server: 'prod', kind: 'password' })).password).toBe(false)
    expect((await api.storeSecret({ server: 'nope', kind: 'password', value: 'x' })).ok).toBe(false)
  })

  it('asks before storing where the OS has no secret store', async () => {
    const { SecretVault } = await import('../../src-main/core/remote/secret-vault.js')
    const weak = { ...createAesCipher(), backend: 'basic_text' as const }
    const vault = new SecretVault(path.join(temp.dir, 'data'), weak)
    await expect(vault.store('prod', 'password', 'x', false)).rejects.toMatchObject({ kind: 'weak-secret-storage' })
    expect((await vault.store('prod', 'password', 'x', true)).password).toBe(true)
  })
})
