import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import { suggestDistignore } from '../../src-main/core/build/distignore-advice.js'
import { findUnsafeFiles, judgeFindings } from '../../src-main/core/build/secret-guard.js'
import { collectSourceEntries } from '../../src-main/core/build/source-files.js'
import type { Result } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

// Built at run time so that no scanner (ours or GitHub's) mistakes this test file for a leak.
const fake = {
  aws: ['AKIA', 'Q3EGRUTWCXNZ5SHA'].join(''),
  github: ['ghp_', 'x9Yq2LmN7pRsT4vWzA1bC3dE5fG6hJ8kL0mN'].join(''),
  npm: ['npm_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join(''),
  stripe: ['sk_', 'live_', '51HqLyjWDarjtT1zdp7dcXYZ0123456789'].join(''),
  key: [
    ['-----BEGIN', 'OPENSSH PRIVATE KEY-----'].join(' '),
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    'QyNTUxOQAAACDm3e7rPZt1vHjYwQfGh2bW3Jc0ZkqYB0v0g8cGJc7LqQAAAJjQ2m3n0Npt',
    ['-----END', 'OPENSSH PRIVATE KEY-----'].join(' ')
  ].join('\n')
}

/** A plugin folder with a planted secret or piece of junk in each file the guard must catch. */
const PLANTED: Record<string, string> = {
  '.env': 'API_KEY=0f8b2c1d9e\nDB_PASSWORD=hunter2\n',
  'config/.env.production': 'API_KEY=live\n',
  '.npmrc': `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${fake.npm}\n`,
  '.yarnrc.yml': `nodeLinker: node-modules\nnpmAuthToken: "${fake.npm}"\n`,
  'auth.json': '{"http-basic":{"repo.example.com":{"username":"u","password":"p"}}}',
  'wp-config.php': "<?php define('DB_PASSWORD', 'x');",
  'debug.log': 'PHP Notice: …',
  error_log: '[01-Jan-2026] PHP Warning',
  'demo.zip': 'PK\u0003\u0004',
  'backup/site.sql': 'INSERT INTO wp_users …',
  'backup/site.sql.gz': '\u001f\u008b',
  'keys/id_rsa': 'x',
  'keys/server.key': 'x',
  'keys/client.p12': 'x',
  'certs/bundle.pem': `${fake.key}\n`,
  'includes/settings.php': `<?php\n// settings\n\n\n\n\ndefine('S3_KEY', '${fake.aws}');\n`,
  'js/deploy.js': `const token = '${fake.github}'\n`,
  'includes/pay.php': `<?php $stripe = '${fake.stripe}';`,
  'languages/.gitkeep': '',
  'includes/.git': 'gitdir: ../.git/modules/lib',
  '.hello-wprm.php.swo': 'x',
  'includes/.#class-a.php': 'x'
}

/** What must pass: public certificates, key-handling code, documented placeholders, token-free config. */
const HARMLESS: Record<string, string> = {
  'vendor/composer/ca-bundle/res/cacert.pem':
    '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTES\n-----END CERTIFICATE-----\n',
  'vendor/phpseclib/Crypt/RSA.php': `<?php $s = '${['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ')}' . "\\r\\n" . chunk_split($key);`,
  'includes/aws-docs.php': '<?php // e.g. AKIAIOSFODNN7EXAMPLE',
  'includes/class-a.php': '<?php // AIza is how Google keys start; ghp_ is a GitHub prefix',
  'images/logo.png': `\u0089PNG\r\n\u001a\n${fake.aws}`,
  'vendor/lib/phpunit.xml': '<phpunit/>'
}

describe('the secret and junk guard', () => {
  it('catches each planted secret by name or content, with the line, and nothing harmless', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), { ...PLANTED, ...HARMLESS })
    const findings = await findUnsafeFiles(await collectSourceEntries(dir))
    expect(findings.map((f) => `${f.path}${f.line === null ? '' : `:${f.line}`} ${f.kind} ${f.reason}`)).toEqual([
      '.env secret environment file (API keys, passwords)',
      '.hello-wprm.php.swo junk editor swap or backup file',
      '.npmrc:2 secret _authToken credential',
      '.yarnrc.yml:2 secret npmAuthToken credential',
      'auth.json secret Composer credentials',
      'backup/site.sql junk database dump',
      'backup/site.sql.gz junk database dump',
      'certs/bundle.pem:1 secret private key',
      'config/.env.production secret environment file (API keys, passwords)',
      'debug.log junk log file',
      'demo.zip junk archive',
      'error_log junk log file',
      'includes/.#class-a.php junk editor swap or backup file',
      'includes/.git junk version-control leftover',
      'includes/pay.php:1 secret Stripe live secret key',
      'includes/settings.php:7 secret AWS access key ID',
      'js/deploy.js:1 secret GitHub token',
      'keys/client.p12 secret private key or key store',
      'keys/id_rsa secret SSH private key',
      'keys/server.key secret private key or key store',
      'languages/.gitkeep junk version-control leftover',
      'wp-config.php secret WordPress configuration (database password, salts)'
    ])
    expect(Object.keys(PLANTED).length).toBe(findings.length)
  })

  it('passes npm and Yarn configuration without tokens', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), { '.npmrc': 'save-exact=true\n', '.yarnrc.yml': 'nodeLinker: pnp\n' })
    expect(await findUnsafeFiles(await collectSourceEntries(dir))).toEqual([])
  })

  it('raises no false alarm on the file names of real plugins (Akismet, Classic Editor, Health Check, WordPress Importer, Safe SVG)', async () => {
    const lists = JSON.parse(await readFile(new URL('../fixtures/plugins/real-file-lists.json', import.meta.url), 'utf8')) as Record<
      string,
      { files: string[]; distignore?: string }
    >
    for (const [name, { files, distignore }] of Object.entries(lists)) {
      const contents = Object.fromEntries(files.map((file) => [file, `<?php // ${file}\n`]))
      const dir = await writePluginFolder(
        path.join(temp.dir, name),
        distignore === undefined ? contents : { ...contents, '.distignore': distignore },
        name
      )
      expect({ name, findings: await findUnsafeFiles(await collectSourceEntries(dir)) }).toEqual({ name, findings: [] })
    }
  })

  it('sets findings against --allow: exact paths; one that matches nothing is reported', () => {
    const findings = [
      { path: 'demo.zip', kind: 'junk', reason: 'archive', line: null },
      { path: '.env', kind: 'secret', reason: 'environment file', line: null }
    ] as const
    expect(judgeFindings(findings, ['./demo.zip', 'nothing.log'])).toEqual({
      blocking: [findings[1]],
      allowed: ['demo.zip'],
      unusedAllows: ['nothing.log']
    })
  })

  it('suggests a .distignore for what the defaults keep: development files, a PHP-free src/, and the findings', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      'README.md': '# Hello',
      'CONTRIBUTING.md': 'x',
      'src/index.js': 'x',
      'e2e/home.spec.js': 'x',
      'playwright.config.js': 'x',
      'debug.log': 'x',
      'includes/README.md': 'kept: not at the top'
    })
    const sources = await collectSourceEntries(dir)
    expect(suggestDistignore(sources, await findUnsafeFiles(sources))).toBe(
      [
        '# .distignore: what the ZIP leaves out, in gitignore syntax (`!path` puts a default back).',
        '/CONTRIBUTING.md',
        '/README.md',
        '/e2e/',
        '/playwright.config.js',
        '/src/',
        '/debug.log',
        ''
      ].join('\n')
    )
  })
})

describe('a build with the guard', () => {
  const value = <T>(result: Result<T>): T => {
    if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
    return result.value
  }

  it('stops with every finding and both fixes, writes nothing; --allow lets the file in and records it on the version', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), {
      '.env': 'API_KEY=1',
      'demo.zip': 'PK',
      'README.md': '# Hello'
    })
    const api = createApi({ dataDir: path.join(temp.dir, 'data') })
    value(await api.addPlugin({ sourceDir: dir }))
    const refused = await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'First', status: 'released' })
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(refused.error.kind).toBe('unsafe-files')
    expect(refused.error.message).toBe(
      'The build of hello-wprm 1.0.0 stopped: 2 files that should never ship are in the source: .env (environment file (API keys, passwords)); demo.zip (archive).'
    )
    expect(refused.error.hint).toContain('these lines in .distignore: /.env /demo.zip')
    expect(refused.error.hint).toContain('--allow .env (recorded on the version)')
    expect(await readdir(path.join(temp.dir, 'data', 'dist', 'hello-wprm')).catch(() => [])).toEqual([])
    expect(value(await api.getPlugin({ slug: 'hello-wprm' })).versions).toEqual([])

    // A draft records what it may let through; the release builds with it.
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'First', allow: ['demo.zip'] }))
    const stillRefused = await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'released' })
    expect(stillRefused.ok ? null : stillRefused.error.message).toContain(': .env (environment file')
    const released = value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'released', allow: ['.env'] }))
    expect(released.versions[0]!.allowed_files).toEqual(['.env', 'demo.zip'])
    expect(released.builds[0]!.allowed_files).toEqual(['.env', 'demo.zip'])
    expect(released.builds[0]!.warnings).toEqual(
      expect.arrayContaining([
        'Allowed into the ZIP although flagged: .env, demo.zip.',
        'No .distignore: only the default list leaves files out of the ZIP (see `wprm files hello-wprm`). Suggested: /README.md.'
      ])
    )
    expect(value(await api.getVersion({ slug: 'hello-wprm', version: '1.0.0' })).allowed_files).toEqual(['.env', 'demo.zip'])
  })
})
