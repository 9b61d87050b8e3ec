/**
 * A signed plugin and a second workstation (or a CI runner) that has not linked its key: sites fail closed,
 * so an unsigned manifest, or one signed by a key sites do not trust, would stop every update. The
 * publish is refused under the server lock, before anything changes; with the trusted key linked it goes.
 * The ledger is signed like the manifest: a workstation takes nothing from one signed by a key it does not
 * hold, or from an unsigned one while the manifest is signed, and a fresh data folder holding the key learns
 * from the ledger that the plugin is signed.
 */
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import { KEY_PASSPHRASE_VAR } from '../../src-main/core/signing/key-source.js'
import { generateSigningKey } from '../../src-main/core/signing/keys.js'
import { signEnvelope } from '../../src-main/core/signing/sign-manifest.js'
import { splitEnvelope } from '../../src-shared/signing.js'
import type { Result, SigningKeyInfo } from '../../src-preload/api.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { PLUGIN_SLUG, UPDATER_PATH, pluginMainFile } from '../wordpress/support/releases.js'

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
beforeAll(async () => {
  process.env[KEY_PASSPHRASE_VAR] = 'a passphrase for the tests'
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-signed-team-')
})
afterAll(async () => {
  delete process.env[KEY_PASSPHRASE_VAR]
  delete process.env.WPRM_SIGNING_KEY_RELEASE
  await server?.stop()
  await temp?.cleanup()
})

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
  return result.value
}

describe('a signed plugin published from a workstation without its key', () => {
  it('is refused before anything changes, unsigned or signed by an untrusted key; with the trusted key it publishes', async () => {
    const a = createApi({ dataDir: path.join(temp.dir, 'data-a') })
    const key: SigningKeyInfo = value(await a.generateSigningKey({ name: 'release' }))
    const profile = await server.profile('prod')
    const manifestUrl = `${server.nginx.baseUrl}prod/${PLUGIN_SLUG}/info.json`
    const sourceDir = path.join(temp.dir, PLUGIN_SLUG)
    await mkdir(sourceDir, { recursive: true })
    await writeFile(
      path.join(sourceDir, `${PLUGIN_SLUG}.php`),
      pluginMainFile(manifestUrl, `, array( 'keys' => array( '${key.public_key}' ) )`)
    )
    await copyFile(UPDATER_PATH, path.join(sourceDir, 'wprm-updater.php'))
    value(await a.addServer(profile))
    value(await a.addPlugin({ sourceDir, server: 'prod' }))
    value(await a.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'release' }))
    value(await a.addVersion({ slug: PLUGIN_SLUG, version: '1.0.0', changelog: 'First.', status: 'released' }))
    const manifestPath = path.join(profile.remoteRoot, PLUGIN_SLUG, 'info.json')
    const signed = await readFile(manifestPath, 'utf8')
    expect(JSON.parse(signed)).toMatchObject({ version: '1.0.0', keys: [key.public_key] })
    // Both files carry their signature inside; no file beside them.
    const ledgerPath = path.join(profile.remoteRoot, PLUGIN_SLUG, 'ledger.json')
    const ledger = await readFile(ledgerPath, 'utf8')
    expect(splitEnvelope(ledger)?.signatures.map((s) => s.keyid)).toEqual([key.key_id])
    expect(splitEnvelope(signed)?.signatures.map((s) => s.keyid)).toEqual([key.key_id])
    expect((await readdir(path.dirname(ledgerPath))).filter((name) => name.endsWith('.sig'))).toEqual([])

    // Workstation B: a fresh data folder without the key takes nothing from the signed ledger.
    const b = createApi({ dataDir: path.join(temp.dir, 'data-b') })
    value(await b.addServer(profile))
    expect(await b.importPlugin({ server: 'prod', slug: PLUGIN_SLUG, sourceDir })).toMatchObject({
      ok: false,
      error: { kind: 'signing-key', message: expect.stringContaining(`signed by key ${key.key_id}, which this workstation does not hold`) }
    })
    expect(value(await b.listPlugins())).toEqual([])
    // With the key imported (as CI gets it: the key file in a variable, its passphrase in another), the import
    // learns from the ledger that the plugin is signed, and links the key.
    process.env.WPRM_SIGNING_KEY_RELEASE = await readFile(key.file!, 'utf8')
    value(await b.importSigningKey({ name: 'release' }))
    expect(value(await b.importPlugin({ server: 'prod', slug: PLUGIN_SLUG, sourceDir }))).toMatchObject({ signing_key: 'release' })
    value(await b.setPlugin({ slug: PLUGIN_SLUG, signingKey: null }))
    const unsigned = await b.addVersion({ slug: PLUGIN_SLUG, version: '1.1.0', changelog: 'From B.', status: 'released' })
    expect(unsigned).toMatchObject({
      ok: false,
      error: { kind: 'signing-key', message: expect.stringContaining(`sites trust key ${key.key_id}`) }
    })
    expect(await readFile(manifestPath, 'utf8')).toBe(signed)

    const other = value(await b.generateSigningKey({ name: 'other' }))
    value(await b.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'other' }))
    // The source registers both keys (the build checks that), but sites trust only the first.
    const bothKeys = `, array( 'keys' => array( '${key.public_key}', '${other.public_key}' ) )`
    await writeFile(path.join(sourceDir, `${PLUGIN_SLUG}.php`), pluginMainFile(manifestUrl, bothKeys))
    const untrusted = await b.addVersion({ slug: PLUGIN_SLUG, version: '1.1.0', changelog: 'From B.', status: 'released' })
    expect(untrusted).toMatchObject({
      ok: false,
      error: { kind: 'signing-key', message: expect.stringContaining(`(${other.key_id}) is not one of them`) }
    })
    expect(await readFile(manifestPath, 'utf8')).toBe(signed)

    // The trusted key: the publish goes.
    value(await b.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'release' }))
    value(await b.addVersion({ slug: PLUGIN_SLUG, version: '1.1.0', changelog: 'From B.', status: 'released' }))
    expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toMatchObject({ version: '1.1.0', keys: [key.public_key] })

    // Whoever has the server changes the ledger: unsigned, or signed by a stranger. A takes nothing from it.
    const genuine = await readFile(ledgerPath, 'utf8')
    const message = splitEnvelope(genuine)!.message
    const forged = message.replace('"changelog": "From B."', '"changelog": "Forged."')
    expect(forged).not.toBe(message)
    try {
      await writeFile(ledgerPath, forged)
      expect(await a.pull({ slugs: [PLUGIN_SLUG] })).toMatchObject({
        ok: false,
        error: { kind: 'signing-key', message: expect.stringContaining('ledger.json of hello-wprm on 127.0.0.1 is not signed') }
      })
      const stranger = generateSigningKey()
      await writeFile(ledgerPath, signEnvelope(forged, [stranger]))
      expect(await a.pull({ slugs: [PLUGIN_SLUG] })).toMatchObject({
        ok: false,
        error: { kind: 'signing-key', message: expect.stringContaining(`signed by an unknown key (${stranger.keyId})`) }
      })
      // Both files replaced by unsigned copies: the manifest names no keys any more, but A signs the plugin.
      const genuineManifest = await readFile(manifestPath, 'utf8')
      const unsignedManifest = splitEnvelope(genuineManifest)!.message.replace(/,\s*"keys":\s*\[[^\]]*\]/, '')
      expect(unsignedManifest).not.toContain('"keys"')
      await writeFile(ledgerPath, forged)
      await writeFile(manifestPath, unsignedManifest)
      try {
        expect(await a.pull({ slugs: [PLUGIN_SLUG] })).toMatchObject({
          ok: false,
          error: {
            kind: 'signing-key',
            message: expect.stringContaining('is not signed, though this workstation signs the plugin'),
            hint: expect.stringContaining('--no-signing-key')
          }
        })
      } finally {
        await writeFile(manifestPath, genuineManifest)
      }
      // Nothing was taken in: A still knows 1.0.0 only.
      expect(value(await a.getPlugin({ slug: PLUGIN_SLUG })).versions.map((v) => v.version)).toEqual(['1.0.0'])
    } finally {
      await writeFile(ledgerPath, genuine)
    }
    value(await a.pull({ slugs: [PLUGIN_SLUG] }))
    expect(
      value(await a.getPlugin({ slug: PLUGIN_SLUG }))
        .versions.map((v) => v.version)
        .sort()
    ).toEqual(['1.0.0', '1.1.0'])
  }, 60_000)
})
