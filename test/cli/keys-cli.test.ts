import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readKeyFile } from '../../src-main/core/signing/key-file.js'
import { KEY_PASSPHRASE_VAR } from '../../src-main/core/signing/key-source.js'
import { privateKeyBytes } from '../../src-main/core/signing/keys.js'
import type { PluginVersionRecord, SigningKeyInfo } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { runCli } from './run-cli.js'

const PASSPHRASE = 'a passphrase for the tests'

let temp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
beforeEach(async () => {
  temp = await makeTempDir('wprm-keys-cli-')
  dataDir = path.join(temp.dir, 'data')
})
afterEach(async () => temp.cleanup())

const wprm = (args: string[], env: NodeJS.ProcessEnv = { [KEY_PASSPHRASE_VAR]: PASSPHRASE }) => runCli(args, { dataDir, env })

describe('wprm key', () => {
  it('generates a key only with a passphrase, lists and exports its public half, links a plugin, and refuses a build that does not register it', async () => {
    const refused = await wprm(['--json', 'key', 'generate'], { [KEY_PASSPHRASE_VAR]: '' })
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { kind: 'signing-key' } })

    const made = await wprm(['--json', 'key', 'generate', '--name', 'release'])
    expect(made.code, made.stderr).toBe(0)
    const key = JSON.parse(made.stdout) as SigningKeyInfo
    expect(key).toMatchObject({ name: 'release', storage: 'file', key_id: expect.stringMatching(/^[0-9a-f]{16}$/) })
    expect((await wprm(['key', 'export-public', 'release'])).stdout.trim()).toBe(key.public_key)
    expect((await wprm(['key', 'list'])).stdout).toContain(`release  id ${key.key_id}  file  (no plugin)`)
    expect((await wprm(['key', 'generate', '--name', 'release'])).code).toBe(1)

    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    expect((await wprm(['plugin', 'add', source])).code).toBe(0)
    expect((await wprm(['plugin', 'set', 'hello-wprm', '--signing-key', 'nope'])).code).toBe(1)
    expect((await wprm(['plugin', 'set', 'hello-wprm', '--expires-days', '0'])).code).toBe(2)
    const linked = await wprm(['--json', 'plugin', 'set', 'hello-wprm', '--signing-key', 'release', '--expires-days', '14'])
    expect(JSON.parse(linked.stdout)).toMatchObject({ signing_key: 'release', manifest_expiry_days: 14 })
    const install = await wprm(['updater', 'install', 'hello-wprm'])
    const line = install.stdout
      .split('\n')
      .find((l) => l.includes('::register('))!
      .trim()
    expect(line).toContain(`array( 'keys' => array( '${key.public_key}' ) )`)

    // The source registers the updater, but without the key: nothing is built.
    const main = path.join(source, 'hello-wprm.php')
    const mainText = await readFile(main, 'utf8')
    await writeFile(main, `${mainText}${line.replace(/, array\( 'keys' => array\( '[^']*' \) \)/, '')}\n`)
    const unbuilt = await wprm(['--json', 'version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x', '--status', 'released'])
    expect(unbuilt.code).toBe(1)
    expect(JSON.parse(unbuilt.stdout)).toMatchObject({
      ok: false,
      error: { kind: 'source-invalid', message: expect.stringContaining('without the plugin') }
    })
    expect(await readdir(path.join(dataDir, 'dist', 'hello-wprm')).catch(() => [])).toEqual([])
    await writeFile(main, `${mainText}${line}\n`)
    const built = await wprm(['--json', 'version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x', '--status', 'released'])
    expect(built.code, built.stdout).toBe(0)

    // The private key is nowhere in clear: not in the database, the key file, any --json output, or the ZIP.
    const pair = await readKeyFile(key.file!, PASSPHRASE, KEY_PASSPHRASE_VAR)
    const der = privateKeyBytes(pair.privateKey)
    const forms = [der.toString('base64'), der.toString('hex'), der.subarray(-32).toString('base64'), der.subarray(-32).toString('hex')]
    const version = (JSON.parse(built.stdout) as { versions: PluginVersionRecord[] }).versions[0]!
    const zip = await JSZip.loadAsync(await readFile(version.file_path!))
    const zipText = (await Promise.all(Object.values(zip.files).map((f) => f.async('string')))).join('\n')
    const texts = [
      await readFile(path.join(dataDir, 'wprm.json'), 'utf8'),
      await readFile(key.file!, 'utf8'),
      made.stdout,
      linked.stdout,
      built.stdout,
      zipText
    ]
    for (const text of texts) for (const form of forms) expect(text).not.toContain(form)
    expect(texts.join('\n')).not.toContain('PRIVATE KEY')
    expect(zipText).toContain(key.public_key)
  })

  it('imports a key from the environment on a fresh data folder (CI) and refuses a wrong passphrase with one line', async () => {
    const made = JSON.parse((await wprm(['--json', 'key', 'generate', '--name', 'ci'])).stdout) as SigningKeyInfo
    const keyFile = await readFile(made.file!, 'utf8')
    const ciData = path.join(temp.dir, 'ci-data')
    const ci = (args: string[], env: NodeJS.ProcessEnv) => runCli(args, { dataDir: ciData, env })
    const wrong = await ci(['key', 'import', 'ci'], { WPRM_SIGNING_KEY_CI: keyFile, [KEY_PASSPHRASE_VAR]: 'not the passphrase' })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr.trim().split('\n')[0]).toContain('does not open the signing key ci')
    const imported = await ci(['--json', 'key', 'import', 'ci'], { WPRM_SIGNING_KEY_CI: keyFile, [KEY_PASSPHRASE_VAR]: PASSPHRASE })
    expect(imported.code, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({
      name: 'ci',
      key_id: made.key_id,
      public_key: made.public_key,
      storage: 'env',
      file: null
    })
    const missing = await ci(['key', 'import', 'other'], {})
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('WPRM_SIGNING_KEY_OTHER is not set')
  })
})
