import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FilePreview, PluginRecord, PluginVersionRecord } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { requireTool } from '../support/require-tool.js'
import { runCli } from './run-cli.js'

let temp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
beforeEach(async () => {
  temp = await makeTempDir('wprm-cli-')
  dataDir = path.join(temp.dir, 'data')
})
afterEach(async () => temp.cleanup())

const wprm = (...args: string[]) => runCli(args, { dataDir })

/** A plugin folder with everything the clean-up rules must handle. */
async function messyPlugin(dir: string): Promise<string> {
  await writePluginFolder(dir, {
    '.distignore': '/docs/\n*.psd\n',
    'docs/guide.md': '# guide',
    'assets/banner.psd': 'psd',
    'assets/banner.png': randomBytes(2048),
    'tests/test-plugin.php': '<?php',
    '.git/HEAD': 'ref: refs/heads/main',
    '.git/objects/ab/cdef': 'blob',
    'includes/helpers.php.bak': '<?php // old',
    'includes/helpers.php': '<?php // helpers',
    'languages/hello-wprm-fr_FR.po': 'msgid ""',
    'languages/ünïcödé-名前.txt': 'non-ASCII name',
    'assets/video.bin': randomBytes(20 * 1024 * 1024)
  })
  return dir
}

describe('wprm', () => {
  it('prints help, and exits 2 on wrong usage with a one-line message', async () => {
    const help = await wprm('--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('wprm plugin add'.slice(5))
    expect(help.stdout).toContain('Exit codes: 0 done, 1 the operation failed, 2 wrong usage.')
    const unknown = await wprm('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1)
    const missing = await wprm('version', 'add', 'x')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('wrong number of arguments')
    const badFlag = await wprm('release', 'x', '1.0.0', '--nope')
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toMatch(/Unknown option '--nope'/)
  })

  it('adds a plugin, adds a version with three fields, releases it, and produces a correct, clean ZIP', async () => {
    const source = await messyPlugin(path.join(temp.dir, 'hello-wprm'))
    const added = await wprm('--json', 'plugin', 'add', source)
    expect(added.code, added.stderr).toBe(0)
    const plugin = JSON.parse(added.stdout) as PluginRecord
    expect(plugin.version_constant).toBe('HELLO_WPRM_VERSION')

    const draft = await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'Faster and safer')
    expect(draft.code, draft.stderr).toBe(0)
    expect(draft.stdout).toContain('as draft')
    const released = await wprm('release', 'hello-wprm', '1.1.0')
    expect(released.code, released.stderr).toBe(0)
    expect(released.stdout).toContain('hello-wprm 1.1.0 is now released')

    const shown = await wprm('--json', 'show', 'hello-wprm', '1.1.0')
    const record = JSON.parse(shown.stdout) as PluginVersionRecord
    expect(Object.keys(record)).toEqual(
      expect.arrayContaining(['version_code', 'checksum', 'checksum_md5', 'file_path', 'file_size', 'released_at', 'min_php_version'])
    )
    expect(record.checksum).toBe(execFileSync('sha256sum', [record.file_path!], { encoding: 'utf8' }).split(' ')[0])
    expect(record.checksum_md5).toBe(execFileSync('md5sum', [record.file_path!], { encoding: 'utf8' }).split(' ')[0])

    const zip = await JSZip.loadAsync(await readFile(record.file_path!))
    const names = Object.keys(zip.files)
    expect(new Set(names.map((n) => n.split('/')[0]))).toEqual(new Set(['hello-wprm']))
    expect(names).toEqual(
      expect.arrayContaining([
        'hello-wprm/includes/helpers.php',
        'hello-wprm/assets/banner.png',
        'hello-wprm/assets/video.bin',
        'hello-wprm/languages/ünïcödé-名前.txt'
      ])
    )
    for (const absent of ['tests/', '.git/', 'docs/', '.psd', '.bak', '.distignore']) {
      expect(names.filter((n) => n.includes(absent))).toEqual([])
    }
    const main = await zip.file('hello-wprm/hello-wprm.php')!.async('string')
    expect(main).toMatch(/^ \* Version: 1\.1\.0$/m)
    expect(main).toContain("define('HELLO_WPRM_VERSION', '1.1.0');")
    expect(main).toContain("define('HELLO_WPRM_MINIMUM_WP_VERSION', '1.0.0');")
    expect(execFileSync(requireTool('unzip', 'unzip'), ['-t', record.file_path!], { encoding: 'utf8' })).toContain('No errors detected')
    expect(await readlink(path.join(path.dirname(record.file_path!), 'hello-wprm-latest.zip'))).toBe('hello-wprm-v1.1.0.zip')

    const list = await wprm('list', 'hello-wprm')
    expect(list.stdout).toMatch(/1\.1\.0\s+released\s+10100/)
  })

  it('previews the ZIP with `files`: kept files, left-out paths with their rule, the guard (exit 1 while it would stop the build), --json', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), {
      '.distignore': '/docs/\n',
      'docs/guide.md': '# guide',
      'tests/test-plugin.php': '<?php',
      'includes/helpers.php': '<?php // helpers',
      '.env': 'API_KEY=1'
    })
    expect((await wprm('plugin', 'add', source)).code).toBe(0)
    const blocked = await wprm('files', 'hello-wprm')
    expect(blocked.code, blocked.stderr).toBe(1)
    expect(blocked.stdout).toMatch(/^hello-wprm 1\.0\.0: \d+ files, .* \(from the source now\)$/m)
    expect(blocked.stdout).toMatch(/^ {4}docs\/ +\.distignore line 1: \/docs\/$/m)
    expect(blocked.stdout).toMatch(/^ {4}tests\/ +default list: \/tests\/$/m)
    expect(blocked.stdout).toContain(
      '✗ .env (environment file (API keys, passwords)): stops the build: add /.env to .distignore, or --allow .env'
    )
    const refused = await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'x', '--status', 'released')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^wprm: The build of hello-wprm 1\.1\.0 stopped: a file that should never ship is in the source: \.env/)

    const released = await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'x', '--status', 'released', '--allow', '.env')
    expect(released.code, released.stderr).toBe(0)
    expect(released.stdout).toContain('warning: Allowed into the ZIP although flagged: .env.')
    const json = await wprm('--json', 'files', 'hello-wprm', '1.1.0')
    expect(json.code).toBe(0)
    const preview = JSON.parse(json.stdout) as FilePreview
    expect(preview).toMatchObject({ from: 'zip', version: '1.1.0', allowed: ['.env'] })
    expect(preview.files.map((f) => f.path)).toContain('.env')
  })

  it('builds byte-identical ZIPs from the same source in two data folders', async () => {
    const source = await messyPlugin(path.join(temp.dir, 'hello-wprm'))
    const checksums: string[] = []
    for (const dir of ['a', 'b']) {
      const d = path.join(temp.dir, dir)
      expect((await runCli(['plugin', 'add', source], { dataDir: d })).code).toBe(0)
      const run = await runCli(['--json', 'version', 'add', 'hello-wprm', '2.0.0', '--changelog', 'Same', '--status', 'released'], {
        dataDir: d
      })
      expect(run.code, run.stderr).toBe(0)
      checksums.push((JSON.parse(run.stdout) as { builds: { checksum: string }[] }).builds[0]!.checksum)
    }
    expect(checksums[0]).toBe(checksums[1])
    const a = await readFile(path.join(temp.dir, 'a', 'dist', 'hello-wprm', 'hello-wprm-v2.0.0.zip'))
    const b = await readFile(path.join(temp.dir, 'b', 'dist', 'hello-wprm', 'hello-wprm-v2.0.0.zip'))
    expect(a.equals(b)).toBe(true)
  })

  it('refuses a link out of the folder and an empty folder, with exit 1, one line, and nothing half-done', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    expect((await wprm('plugin', 'add', source)).code).toBe(0)
    expect((await wprm('version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x')).code).toBe(0)
    await writeFile(path.join(temp.dir, 'passwords.txt'), 'secret')
    await symlink(path.join(temp.dir, 'passwords.txt'), path.join(source, 'notes.txt'))
    const refused = await wprm('release', 'hello-wprm', '1.0.0')
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('The link notes.txt leads outside the source folder')
    expect(JSON.parse((await wprm('--json', 'show', 'hello-wprm', '1.0.0')).stdout).status).toBe('draft')
    const dist = path.join(dataDir, 'dist', 'hello-wprm')
    expect((await readdir(dist).catch(() => [])).filter((f) => !f.startsWith('.'))).toEqual([])
    expect(await readdir(dist).catch(() => [])).toEqual([])

    const empty = path.join(temp.dir, 'empty')
    await (await import('node:fs/promises')).mkdir(empty)
    const none = await wprm('plugin', 'add', empty)
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/No plugin main file in .*empty/)
  })

  it('refuses invalid versions with exit 1 and says what to do', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    await wprm('plugin', 'add', source)
    for (const [version, text] of [
      ['v1.2.0', 'Leave the "v" out'],
      ['1.2', 'three parts'],
      ['01.2.3', 'leading zero'],
      ['1.2.3-rc1', 'pre-release tag'],
      ['1.100.0', 'collide']
    ] as const) {
      const run = await wprm('version', 'add', 'hello-wprm', version, '--changelog', 'x')
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(text)
    }
  })

  it('reports a damaged database clearly, changes nothing, and restores the backup with one command', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    await wprm('plugin', 'add', source)
    await wprm('version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x')
    const dbFile = path.join(dataDir, 'wprm.json')
    const good = await readFile(dbFile, 'utf8')
    await writeFile(dbFile, good.slice(0, good.length / 2))
    const broken = await wprm('plugin', 'list')
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain(`The database ${dbFile} is damaged`)
    expect(broken.stderr).toContain('wprm db restore-backup')
    const write = await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'y')
    expect(write.code).toBe(1)
    expect(await readFile(dbFile, 'utf8')).toBe(good.slice(0, good.length / 2))

    const restore = await wprm('db', 'restore-backup')
    expect(restore.code, restore.stderr).toBe(0)
    expect(restore.stdout).toMatch(/Restored 1 plugins and 0 versions/)
    expect((await wprm('plugin', 'list')).stdout).toContain('hello-wprm')
  })

  it('lets writers run at once without losing any change or corrupting the database', async () => {
    const slugs = ['alpha', 'beta', 'gamma', 'delta']
    for (const slug of slugs) await writePluginFolder(path.join(temp.dir, slug), {}, slug)
    const adds = await Promise.all(slugs.map((slug) => wprm('plugin', 'add', path.join(temp.dir, slug))))
    expect(adds.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const releases = await Promise.all(
      slugs.map((slug) => wprm('version', 'add', slug, '1.0.0', '--changelog', 'x', '--status', 'released'))
    )
    expect(releases.map((r) => r.code)).toEqual([0, 0, 0, 0])
    const plugins = JSON.parse((await wprm('--json', 'plugin', 'list')).stdout) as {
      plugin: PluginRecord
      latest_live: PluginVersionRecord
    }[]
    expect(plugins.map((p) => [p.plugin.slug, p.latest_live.version]).sort()).toEqual(slugs.map((s) => [s, '1.0.0']).sort())

    // Versions of one plugin must go up: the order the lock lets them in decides which are accepted.
    const runs = await Promise.all(['1.0.1', '1.0.2', '1.0.3'].map((v) => wprm('version', 'add', 'alpha', v, '--changelog', `v${v}`)))
    for (const run of runs.filter((r) => r.code !== 0)) expect(run.stderr).toMatch(/not higher than/)
    const accepted = runs.filter((r) => r.code === 0).length
    expect(accepted).toBeGreaterThanOrEqual(1)
    const details = JSON.parse((await wprm('--json', 'list', 'alpha')).stdout) as { versions: PluginVersionRecord[] }
    expect(details.versions).toHaveLength(1 + accepted)
  })

  it('suggests the next version, bumps the source, and prunes only what it may', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    await wprm('plugin', 'add', source)
    expect((await wprm('next', 'hello-wprm', 'minor')).stdout.trim()).toBe('1.0.0')
    await wprm('version', 'add', 'hello-wprm', '1.4.2', '--changelog', 'x', '--status', 'update_ready')
    expect((await wprm('next', 'hello-wprm', 'patch')).stdout.trim()).toBe('1.4.3')
    const bump = await wprm('bump', 'hello-wprm', '1.4.3')
    expect(bump.stdout).toContain('Wrote 1.4.3 into hello-wprm.php, readme.txt')
    expect(await readFile(path.join(source, 'hello-wprm.php'), 'utf8')).toContain("define('HELLO_WPRM_VERSION', '1.4.3');")
    const prune = await wprm('prune', 'hello-wprm', '--keep', '1')
    expect(prune.code).toBe(2)
    expect(prune.stderr).toContain('at least 3')
    expect((await wprm('prune', 'hello-wprm')).stdout).toContain('Nothing to prune')
  })

  it('installs the PHP updater into the source, prints the line to add, and warns on builds until it is registered', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    await wprm('plugin', 'add', source)
    const first = await wprm('version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x', '--status', 'released')
    expect(first.stdout).toContain('does not carry the WP Release Manager updater')
    const install = await wprm('updater', 'install', 'hello-wprm')
    expect(install.code, install.stderr).toBe(0)
    const line = install.stdout
      .split('\n')
      .find((l) => l.includes('::register('))!
      .trim()
    expect(line).toMatch(
      /^require_once __DIR__ \. '\/wprm-updater\.php'; WPRM_Updater_\w+::register\( __FILE__, 'https:\/\/.*\/hello-wprm\/info\.json' \);$/
    )
    expect(install.stdout).toMatch(/^ +\* Update URI: https:\/\/.*\/hello-wprm\/info\.json$/m)
    expect(await readFile(path.join(source, 'wprm-updater.php'), 'utf8')).toBe(
      await readFile(new URL('../../resources/wordpress/wprm-updater.php', import.meta.url), 'utf8')
    )
    const unregistered = await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'x', '--status', 'released')
    expect(unregistered.stdout).toContain('never registers it')
    const main = path.join(source, 'hello-wprm.php')
    await writeFile(main, `${await readFile(main, 'utf8')}${line}\n`)
    expect((await wprm('updater', 'install', 'hello-wprm')).stdout).toContain('already registers it')
    const registered = await wprm('version', 'add', 'hello-wprm', '1.2.0', '--changelog', 'x', '--status', 'released')
    expect(registered.code).toBe(0)
    expect(registered.stdout).not.toContain('updater')
  })
})
