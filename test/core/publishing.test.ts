import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ProgressEvent, Result } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { requireTool } from '../support/require-tool.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

const run = promisify(execFile)

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

function failure<T>(result: Result<T>): { kind: string; message: string; hint: string; fingerprint?: string } {
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  server = await startUpdateServer({ clientKeyPassphrase: 'correct horse' })
  temp = await makeTempDir('wprm-publish-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

/** A fresh data folder, plugin source and server sub-folder for one test. */
async function setup(options: { progress?: (e: ProgressEvent) => void; env?: NodeJS.ProcessEnv } = {}) {
  const name = `t${++counter}`
  const api = createApi({
    dataDir: path.join(temp.dir, name, 'data'),
    onEvent: (event, payload) => {
      if (event === 'progress') options.progress?.(payload as ProgressEvent)
    },
    secrets: { secret: async () => options.env?.PASSPHRASE ?? null },
    remoteLockWaitMs: 20_000
  })
  const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'), {
    'includes/api.php': "<?php const API = 'https://api.example.com';"
  })
  value(await api.addPlugin({ sourceDir: source }))
  const profile = await server.profile(name)
  value(await api.addServer(profile))
  value(
    await api.setPlugin({
      slug: 'hello-wprm',
      server: name,
      expectedStrings: ['api.example.com'],
      forbiddenStrings: ['staging.example.com']
    })
  )
  const base = `${server.nginx.baseUrl}${name}/hello-wprm/`
  const manifest = async (): Promise<Manifest | null> => {
    const response = await fetch(`${base}info.json`)
    return response.status === 200 ? ((await response.json()) as Manifest) : null
  }
  return { api, name, source, base, manifest, remoteDir: path.join(profile.remoteRoot, 'hello-wprm') }
}

describe('publishing to a real sshd + nginx', () => {
  it('releases, publishes, verifies, marks update ready, rolls back and force-updates', async () => {
    const { api, base, manifest, remoteDir } = await setup()
    const first = value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'First release', status: 'released' }))
    expect(first.publish).toMatchObject({ manifest_version: 1, latest: '1.0.0', uploaded: ['1.0.0'] })
    const m1 = (await manifest())!
    expect(m1).toMatchObject({
      name: 'Hello WPRM',
      slug: 'hello-wprm',
      version: '1.0.0',
      download_url: `${base}hello-wprm-v1.0.0.zip`,
      requires: '6.0',
      requires_php: '7.4',
      autoupdate: false,
      update_ready: false,
      manifest_version: 1,
      format: 'wprm-manifest/1',
      sha256: first.builds[0]!.checksum,
      size: first.builds[0]!.file_size,
      revoked: []
    })
    expect(m1.sections.changelog).toContain('First release')
    const zip = Buffer.from(await (await fetch(m1.download_url)).arrayBuffer())
    expect(zip.length).toBe(m1.size)
    expect(await readFile(path.join(remoteDir, 'hello-wprm-v1.0.0.zip'))).toEqual(zip)

    const report = value(await api.verify({ slug: 'hello-wprm' }))
    expect(report.checks.map((c) => [c.id, c.ok])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((id) => [id, true]))
    // Every text file of the ZIP is searched, and each place is named.
    expect(report.checks[6]!.detail).toMatch(
      /^"api\.example\.com" found 2× \(hello-wprm\.php:12, includes\/api\.php:1\); "staging\.example\.com" absent; searched \d+ text files in the ZIP$/
    )

    value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'Second', status: 'released' }))
    const ready = value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'update_ready' }))
    expect(ready.publish).toMatchObject({ manifest_version: 3, skipped: ['1.0.0', '1.1.0'], uploaded: [] })
    expect((await manifest())!).toMatchObject({ version: '1.1.0', update_ready: true, manifest_version: 3 })

    const back = value(await api.rollback({ slug: 'hello-wprm', to: '1.0.0' }))
    expect(back).toMatchObject({ live: '1.0.0', revoked: ['1.1.0'] })
    expect(back.verify?.ok).toBe(true)
    const m4 = (await manifest())!
    expect(m4).toMatchObject({ version: '1.0.0', revoked: ['1.1.0'], manifest_version: 4, download_url: `${base}hello-wprm-v1.0.0.zip` })
    expect(m4.versions.find((v) => v.version === '1.1.0')).toMatchObject({ status: 'deprecated', revoked: true })

    // Made live again by hand, a withdrawn version is no longer listed as revoked.
    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'released' }))
    expect((await manifest())!).toMatchObject({ version: '1.1.0', revoked: [] })
    expect((await manifest())!.versions.find((v) => v.version === '1.1.0')).toMatchObject({ status: 'released', revoked: false })
    value(await api.rollback({ slug: 'hello-wprm', to: '1.0.0' }))

    const emergency = value(
      await api.addVersion({
        slug: 'hello-wprm',
        version: '1.1.1',
        changelog: 'SECURITY: fix an XSS',
        status: 'update_ready',
        forceUpdate: true
      })
    )
    expect(emergency.publish?.latest).toBe('1.1.1')
    expect((await manifest())!).toMatchObject({
      version: '1.1.1',
      autoupdate: true,
      force_update: true,
      update_ready: true,
      upgrade_notice: 'SECURITY: fix an XSS',
      revoked: ['1.1.0']
    })
    expect(value(await api.verify({ slug: 'hello-wprm' })).ok).toBe(true)
  })

  it('refuses to deprecate the last live version and to roll back to a pruned ZIP, changing nothing public', async () => {
    const { api, manifest, base } = await setup()
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0'])
      value(await api.addVersion({ slug: 'hello-wprm', version: v, changelog: v, status: 'released' }))
    expect(
      failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0', '1.1.0', '1.2.0', '1.3.0'], status: 'deprecated' })).kind
    ).toBe('last-live-version')
    value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'deprecated' }))
    expect((await manifest())!.versions.map((v) => v.version)).toEqual(['1.3.0', '1.2.0', '1.1.0', '1.0.0'])
    expect(value(await api.pruneZips({ slug: 'hello-wprm', keep: 3 })).removed).toEqual(['1.0.0'])
    // Retention reaches the server too: the manifest stops listing 1.0.0, then its file goes.
    expect((await manifest())!.versions.map((v) => v.version)).toEqual(['1.3.0', '1.2.0', '1.1.0'])
    expect((await fetch(`${base}hello-wprm-v1.0.0.zip`)).status).toBe(404)
    expect((await fetch(`${base}hello-wprm-v1.1.0.zip`)).status).toBe(200)
    const before = await manifest()
    const refused = failure(await api.rollback({ slug: 'hello-wprm', to: '1.0.0' }))
    expect(refused.kind).toBe('zip-missing')
    expect(refused.message).toContain('1.0.0')
    expect(await manifest()).toEqual(before)
  })

  it('fails on a wrong key, a missing passphrase, and a missing or refused password before anything is published', async () => {
    const { api, name, manifest } = await setup()
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    const before = await manifest()

    const other = createApi({ dataDir: path.join(temp.dir, name, 'data') })
    value(await other.setPlugin({ slug: 'hello-wprm', server: null }))
    value(await other.removeServer({ name }))
    value(
      await other.addServer({
        ...(await server.profile(name)),
        auth: { kind: 'key', key_path: server.sshd.unauthorizedKeyPath, passphrase_env: null }
      })
    )
    value(await other.setPlugin({ slug: 'hello-wprm', server: name }))
    const refused = failure(await other.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'x', status: 'released' }))
    expect(refused.kind).toBe('auth-failed')
    expect(refused.message).toContain('refused the login')
    expect(failure(await other.getVersion({ slug: 'hello-wprm', version: '1.1.0' })).kind).toBe('not-found')
    expect(await manifest()).toEqual(before)

    value(await other.setPlugin({ slug: 'hello-wprm', server: null }))
    value(await other.removeServer({ name }))
    value(
      await other.addServer({
        ...(await server.profile(name)),
        auth: { kind: 'key', key_path: server.sshd.passphraseKeyPath!, passphrase_env: 'WPRM_TEST_PASSPHRASE' }
      })
    )
    value(await other.setPlugin({ slug: 'hello-wprm', server: name }))
    const noPassphrase = failure(await other.publish({ slug: 'hello-wprm' }))
    expect(noPassphrase.kind).toBe('auth-failed')
    expect(noPassphrase.hint).toContain('WPRM_TEST_PASSPHRASE')
    const withPassphrase = createApi({ dataDir: path.join(temp.dir, name, 'data'), secrets: { secret: async () => 'correct horse' } })
    expect(value(await withPassphrase.publish({ slug: 'hello-wprm' })).manifest_version).toBe(2)

    // A password the server refuses (this sshd takes keys only), read from the named variable.
    const withPassword = createApi({ dataDir: path.join(temp.dir, name, 'data-password') })
    value(await withPassword.addPlugin({ sourceDir: path.join(temp.dir, name, 'hello-wprm') }))
    const passwordProfile = {
      ...(await server.profile(name)),
      name: 'pw',
      auth: { kind: 'password' as const, password_env: 'WPRM_TEST_NO_SUCH_PASSWORD' }
    }
    value(await withPassword.addServer(passwordProfile))
    value(await withPassword.setPlugin({ slug: 'hello-wprm', server: 'pw' }))
    const noPassword = failure(await withPassword.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    expect(noPassword).toMatchObject({ kind: 'auth-failed' })
    expect(noPassword.message).toContain('WPRM_TEST_NO_SUCH_PASSWORD')
    const wrongPassword = createApi({
      dataDir: path.join(temp.dir, name, 'data-password'),
      secrets: { secret: async () => 'not the password' }
    })
    const refusedPassword = failure(
      await wrongPassword.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' })
    )
    expect(refusedPassword.kind).toBe('auth-failed')
    expect(refusedPassword.message).toContain('refused the login of')
    expect(refusedPassword.message).toContain('with the password')
    expect(await manifest()).toMatchObject({ manifest_version: 2 })
  })

  it('logs in with the keys of a running ssh-agent', async () => {
    const agentDir = path.join(temp.dir, `agent-${++counter}`)
    await mkdir(agentDir, { recursive: true })
    const socket = path.join(agentDir, 'agent.sock')
    const agent = spawn(requireTool('ssh-agent', 'openssh-client'), ['-D', '-a', socket], { stdio: 'ignore' })
    try {
      await vi.waitFor(() => expect(existsSync(socket)).toBe(true), { timeout: 5000 })
      await run(requireTool('ssh-add', 'openssh-client'), [server.sshd.privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } })
      const name = `t${counter}`
      const api = createApi({ dataDir: path.join(temp.dir, name, 'data'), sessionOptions: { env: { SSH_AUTH_SOCK: socket } } })
      const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'))
      value(await api.addPlugin({ sourceDir: source }))
      value(await api.addServer({ ...(await server.profile(name)), auth: { kind: 'agent' } }))
      value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
      const released = value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
      expect(released.publish?.uploaded).toEqual(['1.0.0'])
      const noAgent = createApi({ dataDir: path.join(temp.dir, name, 'data'), sessionOptions: { env: {} } })
      const refused = failure(await noAgent.publish({ slug: 'hello-wprm' }))
      expect(refused.kind).toBe('auth-failed')
      expect(refused.message).toContain('SSH_AUTH_SOCK')
    } finally {
      agent.kill()
    }
  })

  it('refuses a changed host key before sending any credential, and an unknown one when adding', async () => {
    const own = await startUpdateServer()
    try {
      const name = `t${++counter}`
      const api = createApi({ dataDir: path.join(temp.dir, name, 'data') })
      const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'))
      value(await api.addPlugin({ sourceDir: source }))
      const profile = await own.profile(name)
      const unknown = failure(await api.addServer({ ...profile, acceptHostKey: undefined }))
      expect(unknown.kind).toBe('host-key-unknown')
      expect(unknown.message).toContain(own.sshd.hostKeyFingerprint)
      expect(unknown.hint).toContain(`--accept-host-key ${own.sshd.hostKeyFingerprint}`)
      expect((unknown as { fingerprint?: string }).fingerprint).toBe(own.sshd.hostKeyFingerprint)
      value(await api.addServer(profile))
      value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
      value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
      const pinned = own.sshd.hostKeyFingerprint
      await own.sshd.regenerateHostKey()
      const logBefore = own.sshd.stderr().length
      const changed = failure(await api.publish({ slug: 'hello-wprm' }))
      expect(changed.kind).toBe('host-key-changed')
      expect(changed.message).toContain(`expected ${pinned}, the server showed ${own.sshd.hostKeyFingerprint}`)
      expect((changed as { fingerprint?: string }).fingerprint).toBe(own.sshd.hostKeyFingerprint)
      // sshd saw the connection end before authentication: no key was offered.
      const log = await vi.waitFor(() => {
        const text = own.sshd.stderr().slice(logBefore)
        expect(text).toContain('[preauth]')
        return text
      })
      expect(log).not.toMatch(/publickey|Accepted|Failed/)
      expect(value(await api.getPlugin({ slug: 'hello-wprm' })).plugin.manifest_version).toBe(1)
    } finally {
      await own.stop()
    }
  })

  it('refuses a server whose SFTP is read-only, with a clear message and nothing public changed', async () => {
    const readOnly = await startUpdateServer({ readOnly: true })
    try {
      const name = `t${++counter}`
      const api = createApi({ dataDir: path.join(temp.dir, name, 'data') })
      const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'))
      value(await api.addPlugin({ sourceDir: source }))
      value(await api.addServer(await readOnly.profile(name)))
      value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
      const refused = failure(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
      expect(refused.kind).toBe('remote-not-writable')
      expect(refused.message).toContain('permission denied')
      expect((await fetch(`${readOnly.nginx.baseUrl}${name}/hello-wprm/info.json`)).status).toBe(404)
      const test = value(await api.testServer({ name }))
      expect(test.checks.map((c) => c.ok)).toEqual([true, false, false])
    } finally {
      await readOnly.stop()
    }
  })

  it('fails verification at check 3 when the ZIP on the server was tampered with (same size, other bytes)', async () => {
    const { api, remoteDir } = await setup()
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    const file = path.join(remoteDir, 'hello-wprm-v1.0.0.zip')
    const bytes = await readFile(file)
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff
    await chmod(file, 0o644)
    await writeFile(file, bytes)
    const report = value(await api.verify({ slug: 'hello-wprm' }))
    expect(report.ok).toBe(false)
    expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual([3])
    expect(report.checks[2]!.detail).toMatch(/HTTP 200, .* SHA-256 .*recorded/)
    // Publishing again refuses to overwrite or ignore it.
    expect(failure(await api.publish({ slug: 'hello-wprm' })).kind).toBe('remote-conflict')
  })

  it("fails verification at check 4 with the updater's own reason when the published manifest is one sites refuse", async () => {
    const { api, remoteDir } = await setup()
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    expect(value(await api.verify({ slug: 'hello-wprm' })).ok).toBe(true)
    // As wprm published it before the rules: a requirement in words, which the updater refuses.
    const file = path.join(remoteDir, 'info.json')
    const published = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await writeFile(file, JSON.stringify({ ...published, requires: 'latest WP' }))
    const report = value(await api.verify({ slug: 'hello-wprm' }))
    expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual([4, 5, 11])
    expect(report.checks[3]!.detail).toMatch(/info\.json: the updater on sites refuses it: "requires" is not a version$/)
    // Past the updater's 2 MiB cap: sites cut it off, so verify says so.
    await writeFile(file, JSON.stringify({ ...published, padding: 'x'.repeat(2 * 2 ** 20) }))
    expect(value(await api.verify({ slug: 'hello-wprm' })).checks[3]!.detail).toMatch(/over the updater's cap of 2,097,152$/)
  })

  it('keeps the previous manifest when the connection drops between upload and manifest, and a retry finishes', async () => {
    let cutAt: string | null = null
    const proxy = await startTcpProxy(server.sshd.port)
    try {
      const { api, name, manifest } = await setup({
        progress: (event) => {
          if (cutAt === 'manifest' && event.phase === 'manifest') {
            cutAt = null
            proxy.cut()
          }
        }
      })
      value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
      value(await api.setPlugin({ slug: 'hello-wprm', server: null }))
      value(await api.removeServer({ name }))
      value(await api.addServer({ ...(await server.profile(name)), port: proxy.port }))
      value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
      const before = await manifest()
      value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'y' }))
      cutAt = 'manifest'
      const cut = failure(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'released' }))
      expect(cut.kind).toBe('publish-interrupted')
      expect(cut.message).toContain('uploaded hello-wprm-v1.1.0.zip')
      expect(cut.message).toContain('sites still see the previous release')
      expect(await manifest()).toEqual(before)
      expect(value(await api.getVersion({ slug: 'hello-wprm', version: '1.1.0' })).status).toBe('draft')

      const retry = value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'released' }))
      expect(retry.publish).toMatchObject({ latest: '1.1.0', skipped: ['1.0.0', '1.1.0'], manifest_version: before!.manifest_version + 1 })
      expect(value(await api.verify({ slug: 'hello-wprm' })).ok).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it('drops a stalled connection after the watchdog time instead of hanging, and says what was done', async () => {
    const proxy = await startTcpProxy(server.sshd.port)
    try {
      let freezeNow = false
      const name = `t${++counter}`
      const api = createApi({
        dataDir: path.join(temp.dir, name, 'data'),
        sessionOptions: { stallMs: 1500 },
        onEvent: (event, payload) => {
          if (freezeNow && event === 'progress' && (payload as ProgressEvent).phase === 'manifest') {
            freezeNow = false
            proxy.freeze()
          }
        }
      })
      const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'))
      value(await api.addPlugin({ sourceDir: source }))
      value(await api.addServer({ ...(await server.profile(name)), port: proxy.port }))
      value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
      freezeNow = true
      const started = Date.now()
      const stalled = failure(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
      expect(stalled.kind).toBe('publish-interrupted')
      expect(stalled.message).toContain('no answer for 2 s')
      expect(stalled.message).toContain('uploaded hello-wprm-v1.0.0.zip')
      expect(Date.now() - started).toBeLessThan(15_000)
      expect((await fetch(`${server.nginx.baseUrl}${name}/hello-wprm/info.json`)).status).toBe(404)
    } finally {
      await proxy.close()
    }
  })

  it.each(['cut', 'frozen'] as const)(
    'fails promptly when the connection is %s in the middle of an upload, and a retry finishes',
    async (fault) => {
      const proxy = await startTcpProxy(server.sshd.port)
      try {
        let armed = false
        const name = `t${++counter}`
        const api = createApi({
          dataDir: path.join(temp.dir, name, 'data'),
          sessionOptions: { stallMs: 1500 },
          onEvent: (event, payload) => {
            const progress = payload as ProgressEvent
            if (armed && event === 'progress' && progress.phase === 'upload' && progress.done > 0 && progress.done < progress.total) {
              armed = false
              if (fault === 'cut') proxy.cut()
              else proxy.freeze()
            }
          }
        })
        const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'), {
          'assets/video.bin': randomBytes(6 * 1024 * 1024)
        })
        value(await api.addPlugin({ sourceDir: source }))
        value(await api.addServer({ ...(await server.profile(name)), port: proxy.port }))
        value(await api.setPlugin({ slug: 'hello-wprm', server: name }))
        armed = true
        const started = Date.now()
        const failed = failure(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
        expect(failed.kind).toBe('publish-interrupted')
        expect(failed.message).toContain(fault === 'cut' ? 'was lost while uploading' : 'no progress for 2 s')
        expect(failed.message).toContain('Done: nothing')
        expect(Date.now() - started).toBeLessThan(10_000)
        const dir = path.join(server.sshd.root, name, 'hello-wprm')
        // No partial ZIP under its final name, and no manifest.
        expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual([])
        const retry = value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
        expect(retry.publish).toMatchObject({ uploaded: ['1.0.0'], latest: '1.0.0' })
        expect(value(await api.verify({ slug: 'hello-wprm' })).ok).toBe(true)
      } finally {
        await proxy.close()
      }
    }
  )

  it('serializes publishes from two workstations on the server lock: each succeeds in turn or is refused as stale', async () => {
    const a = await setup()
    value(await a.api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    // A second workstation with its own database: it takes in the server's state when it adds the plugin.
    const b = createApi({ dataDir: path.join(temp.dir, a.name, 'data-b'), remoteLockWaitMs: 20_000 })
    value(await b.addServer(await server.profile(a.name)))
    value(await b.addPlugin({ sourceDir: a.source, server: a.name }))
    expect(value(await b.getPlugin({ slug: 'hello-wprm' })).plugin.manifest_version).toBe(1)
    const results = await Promise.all([
      a.api.publish({ slug: 'hello-wprm' }),
      b.publish({ slug: 'hello-wprm' }),
      a.api.publish({ slug: 'hello-wprm' })
    ])
    const published = results.filter((r) => r.ok).map((r) => value(r).manifest_version)
    // A first: A, then A again (it saw its own), B refused; B first: both of A's refused.
    expect(published.length).toBeGreaterThanOrEqual(1)
    expect(published.sort()).toEqual(published.map((_, i) => 2 + i))
    for (const refused of results.filter((r) => !r.ok)) {
      expect(failure(refused)).toMatchObject({ kind: 'server-ahead', hint: expect.stringContaining('wprm pull hello-wprm') })
    }
    const live = (await a.manifest())!
    expect(live.manifest_version).toBe(1 + published.length)
    expect(live.versions.map((v) => v.version)).toEqual(['1.0.0'])
  })
})
