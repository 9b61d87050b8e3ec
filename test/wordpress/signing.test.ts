/**
 * Signed releases on a real WordPress: the plugin registers the updater with the release manager's public key,
 * WP Release Manager's API signs every manifest it publishes to a real sshd + nginx, and each attack is made on
 * the server's files (a changed manifest, another manifest's signatures member, a field smuggled in after the
 * signature, an unknown key, another plugin's manifest, a replayed older one, an expired one, a ZIP that grows, a huge manifest, a redirect to another host).
 * Each time WordPress offers nothing, installs nothing, the installed version keeps running, and the one admin
 * notice names the cause. Then a key rotation is accepted and the old key alone refused, and a site whose PHP has
 * no usable sodium verifies through WordPress's bundled sodium_compat.
 *
 * The tests are one story on one site and build on each other; run them in order.
 */
import { copyFile, cp, mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import { readKeyFile } from '../../src-main/core/signing/key-file.js'
import { KEY_PASSPHRASE_VAR } from '../../src-main/core/signing/key-source.js'
import { generateSigningKey } from '../../src-main/core/signing/keys.js'
import type { SigningKeyPair } from '../../src-main/core/signing/keys.js'
import { signEnvelope } from '../../src-main/core/signing/sign-manifest.js'
import { envelopeText, splitEnvelope } from '../../src-shared/signing.js'
import type { SignatureEntry } from '../../src-shared/signing.js'
import type { SigningKeyInfo } from '../../src-preload/api.js'
import type { UpdateServer } from '../support/update-server.js'
import { phpString } from './support/php-literal.js'
import type { PluginReleases } from './support/releases.js'
import { PLUGIN_FILE, PLUGIN_SLUG, UPDATER_PATH, pluginMainFile, setUpReleases, value } from './support/releases.js'
import { CLAIM_OPTION, SNIPPET_HELPERS, TRUST_OPTION } from './support/updater-snippets.js'
import { startSiteAndUpdateServer } from './support/site-and-server.js'
import type { WordPressSite } from './support/wordpress-site.js'

const PASSPHRASE = 'correct horse battery staple'

let site: WordPressSite
let server: UpdateServer
let releases: PluginReleases
let workDir: string
let releaseKey: SigningKeyInfo
let nextKey: SigningKeyInfo

beforeAll(async () => {
  process.env[KEY_PASSPHRASE_VAR] = PASSPHRASE
  ;({ site, server } = await startSiteAndUpdateServer())
  workDir = await mkdtemp(path.join(tmpdir(), 'wprm-signing-test-'))
  // The keys first: the plugin's source registers the updater with the public one.
  const keys = createApi({ dataDir: path.join(workDir, 'data') })
  releaseKey = value(await keys.generateSigningKey({ name: 'release' }))
  nextKey = value(await keys.generateSigningKey({ name: 'next' }))
  const registerKeys = `, array( 'keys' => array( '${releaseKey.public_key}' ) )`
  releases = await setUpReleases(server, workDir, 'signed', async (dir, manifestUrl) => {
    await mkdir(dir, { recursive: true })
    await writeFile(path.join(dir, `${PLUGIN_SLUG}.php`), pluginMainFile(manifestUrl, registerKeys))
    await copyFile(UPDATER_PATH, path.join(dir, 'wprm-updater.php'))
  })
  value(await releases.api.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'release' }))
  await releases.release({ version: '1.0.0', changelog: 'First release.', status: 'released' })
  await cp(releases.sourceDir, path.join(site.pluginsDir, PLUGIN_SLUG), { recursive: true })
  expect(
    await php(`$a = activate_plugin(${phpString(PLUGIN_FILE)}); echo json_encode(is_wp_error($a) ? $a->get_error_message() : 'ok');`)
  ).toBe('ok')
})

afterAll(async () => {
  await Promise.all([site?.stop(), server?.stop()])
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

async function php<T = unknown>(code: string, phpArgs: readonly string[] = []): Promise<T> {
  const result = await site.runPhp(`${SNIPPET_HELPERS}\n${code}`, phpArgs)
  expect(result, result.stderr).toMatchObject({ exitCode: 0 })
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`snippet printed no JSON:\n${result.stdout}\n${result.stderr}`)
  }
}

interface Check {
  offered: string | null
  notices: string[]
  trust: { manifest_version: number; keys: string[] | null; verifier: string } | null
  installed: { version: string; active: boolean }
}

/** A cold update check as the Updates screen runs it: what is offered, the notices there, the trust option. */
const CHECK = `
  $entries = wprm_test_check_for_updates();
  set_current_screen('update-core');
  echo json_encode(array(
    'offered' => isset($entries['response']['new_version']) ? $entries['response']['new_version'] : null,
    'notices' => wprm_test_admin_notices(),
    'trust' => get_site_option(${phpString(TRUST_OPTION)}, null),
    'installed' => wprm_test_installed(),
  ));
`

const check = (phpArgs: readonly string[] = []): Promise<Check> => php<Check>(CHECK, phpArgs)

/**
 * The code the site runs, from the page footer. Right after an upgrade, PHP's opcache may serve the old file for
 * up to its revalidate interval (2 s): asked for `expected`, it looks again a few times within that.
 */
async function runningVersion(expected?: string): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const home = await site.get('/')
    const running = /<!-- hello-wprm (\S+) -->/.exec(home.body)?.[1] ?? null
    if (expected === undefined || running === expected || attempt >= 6) return running
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

const manifestPath = (): string => path.join(releases.remoteDir, 'info.json')

/** The live manifest as on the server's disk: the file, its signed message and the signatures inside it (no file beside it). */
async function liveFiles(): Promise<{ manifest: Buffer; message: string; signatures: readonly SignatureEntry[] }> {
  const manifest = await readFile(manifestPath())
  expect((await readdir(releases.remoteDir)).filter((name) => name.endsWith('.sig'))).toEqual([])
  const split = splitEnvelope(manifest.toString('utf8'))
  expect(split, 'the live manifest carries its signatures').not.toBeNull()
  return { manifest, message: split!.message, signatures: split!.signatures }
}

/** Puts a manifest on the server, as an attacker with write access would. */
async function serve(manifest: Buffer | string): Promise<void> {
  await writeFile(manifestPath(), manifest)
}

/** The message with a changed upgrade notice: other bytes, every field still well-formed. */
const changedMessage = (message: string, word: string): string => message.replace('"upgrade_notice": "', `"upgrade_notice": "${word} `)

/** Expects a refusal: nothing offered, the installed version unchanged and running, one notice naming `cause`. */
async function expectRefused(cause: string | RegExp, installed: string, phpArgs: readonly string[] = []): Promise<Check> {
  const out = await check(phpArgs)
  expect(out.offered).toBeNull()
  expect(out.notices).toHaveLength(1)
  expect(out.notices[0]).toContain('Updates for Hello WPRM were refused')
  expect(out.notices[0]).toMatch(cause)
  expect(out.installed).toEqual({ version: installed, active: true })
  expect(await runningVersion()).toBe(installed)
  return out
}

let keyRelease: SigningKeyPair
let firstSigned: { manifest: Buffer; message: string; signatures: readonly SignatureEntry[] }

describe('signed releases on a real WordPress', () => {
  it('installs a signed release (the good path); the manifest carries expires and keys, and plugin-update-checker fields stay', async () => {
    keyRelease = await readKeyFile(releaseKey.file!, PASSPHRASE, KEY_PASSPHRASE_VAR)
    await releases.release({ version: '1.1.0', changelog: 'Signed.', status: 'released' })
    const manifest = (await releases.manifest()) as unknown as Record<string, unknown>
    expect(manifest).toMatchObject({ slug: PLUGIN_SLUG, version: '1.1.0', keys: [releaseKey.public_key] })
    const days = (Date.parse(manifest.expires as string) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThan(30.1)
    firstSigned = await liveFiles()
    const verified = value(await releases.api.verify({ slug: PLUGIN_SLUG }))
    expect(verified.ok).toBe(true)
    expect(verified.checks.find((c) => c.id === 8)!.detail).toContain(`valid Ed25519 signature by key ${releaseKey.key_id}`)
    expect(verified.checks.find((c) => c.id === 9)!.detail).toMatch(/^expires .* \(in (29|30) days\)$/)
    const out = await check()
    expect(out.offered).toBe('1.1.0')
    expect(out.notices).toEqual([])
    expect(out.trust).toMatchObject({ manifest_version: manifest.manifest_version, keys: [releaseKey.public_key], verifier: 'sodium' })
    const upgrade = await php<{ result: unknown }>(`echo json_encode(wprm_test_upgrade());`)
    expect(upgrade.result).toBe(true)
    expect(await runningVersion('1.1.0')).toBe('1.1.0')
  })

  it('records a new manifest with one write: the cache sits beside the trust record, the claim in a row of its own, and a cache kept apart moves in', async () => {
    // What a check writes of the updater's options, and whether it read one of them from the database.
    const WATCHED_CHECK = (prepare: string) => `
      ${prepare}
      $record = get_site_option(${phpString(TRUST_OPTION)});
      // As after a publish: the server's manifest is newer than the one this site accepted, and the cache is due.
      $due = array('next_check' => 0, 'etag' => '', 'last_modified' => '', 'manifest_version' => $record['manifest_version'] - 1, 'sha256' => '');
      update_option(${phpString(TRUST_OPTION)}, array_merge($record, $due)); // autoloaded still, as the updater keeps it
      update_option(${phpString(CLAIM_OPTION)}, time() - 3600, true); // the last check's claim, an hour old
      delete_site_transient('update_plugins');
      // A new request from here: WordPress's options as loaded at its start, this plugin's records among them.
      wp_cache_flush();
      $queries = array();
      add_filter('query', function ($query) use (&$queries) {
        if (false !== strpos($query, 'wprm_updater_')) {
          $queries[] = strtok(trim($query), ' ') . ' ' . (preg_match("/wprm_updater_[a-z_-]+/", $query, $m) ? $m[0] : '?');
        }
        return $query;
      });
      $entries = wprm_test_run_update_check();
      echo json_encode(array(
        'offered' => isset($entries['response']['new_version']) ? $entries['response']['new_version'] : null,
        'queries' => $queries,
        'record' => get_site_option(${phpString(TRUST_OPTION)}, null),
        'apart' => get_site_option('wprm_updater_' . ${phpString(PLUGIN_SLUG)}, null),
      ));
    `
    interface Watched {
      offered: string | null
      queries: string[]
      record: { manifest_version: number; url?: string; manifest?: { version: string } } | null
      apart: unknown
    }
    const live = (await releases.manifest()) as unknown as { manifest_version: number }
    // The layout of the updater before: the cache in its own option, the trust record alone.
    const moved = await php<Watched>(
      WATCHED_CHECK(`
      $record = get_site_option(${phpString(TRUST_OPTION)});
      $trust = wprm_test_trust_only($record);
      update_option('wprm_updater_' . ${phpString(PLUGIN_SLUG)}, array_diff_key($record, $trust), true);
      update_option(${phpString(TRUST_OPTION)}, $trust, true);
    `)
    )
    expect(moved.offered).toBeNull() // 1.1.0 is installed and is the latest
    expect(moved.apart).toBeNull()
    expect(moved.record).toMatchObject({ manifest_version: live.manifest_version, manifest: { version: '1.1.0' } })
    // The claim (a number in a row of its own), the record with the new manifest, then the old option's removal
    // (delete_option looks it up first).
    const apart = `wprm_updater_${PLUGIN_SLUG}`
    expect(moved.queries).toEqual([`UPDATE ${CLAIM_OPTION}`, `UPDATE ${TRUST_OPTION}`, `SELECT ${apart}`, `DELETE ${apart}`])

    const next = await php<Watched>(WATCHED_CHECK(''))
    expect(next.record).toMatchObject({ manifest_version: live.manifest_version, url: expect.any(String) })
    // From then on a check that accepts a new manifest writes the claim and the record, and reads nothing.
    expect(next.queries).toEqual([`UPDATE ${CLAIM_OPTION}`, `UPDATE ${TRUST_OPTION}`])
  })

  it("1. refuses a changed manifest: no signature, another manifest's signatures, an invalid one, a field after the signature", async () => {
    await releases.release({ version: '1.2.0', changelog: 'Not for this site.', status: 'released' })
    const good = await liveFiles()
    const changed = changedMessage(good.message, 'Changed.')
    expect(changed).not.toBe(good.message)
    try {
      await serve(changed)
      await expectRefused('carries no signature (no "signatures" member at its end)', '1.1.0')
      // The signatures member copied from another (older, genuine) manifest.
      await serve(envelopeText(changed, firstSigned.signatures))
      await expectRefused(`by key ${releaseKey.key_id} is invalid`, '1.1.0')
      // The manifest's own signatures, on changed bytes.
      await serve(envelopeText(changed, good.signatures))
      await expectRefused(`by key ${releaseKey.key_id} is invalid`, '1.1.0')
      // A duplicate key after the signature would win in json_decode: such a file has no signature at all.
      const text = good.manifest.toString('utf8')
      await serve(`${text.slice(0, text.lastIndexOf('}'))},"version":"9.9.9"}\n`)
      await expectRefused('carries no signature', '1.1.0')
    } finally {
      await serve(good.manifest)
    }
  })

  it('1. refuses a manifest signed by a key the site does not trust', async () => {
    const good = await liveFiles()
    const stranger = generateSigningKey()
    try {
      await serve(signEnvelope(changedMessage(good.message, 'Forged.'), [stranger]))
      await expectRefused(`signed by a key this site does not trust (${stranger.keyId})`, '1.1.0')
    } finally {
      await serve(good.manifest)
    }
  })

  it('2. refuses a manifest for another slug, signed by the same key', async () => {
    const otherDir = path.join(workDir, 'other-wprm')
    await mkdir(otherDir, { recursive: true })
    await writeFile(
      path.join(otherDir, 'other-wprm.php'),
      `<?php\n/**\n * Plugin Name: Other WPRM\n * Version: 3.0.0\n */\nrequire_once __DIR__ . '/wprm-updater.php'; WPRM_Updater_1_0::register( __FILE__, 'http://127.0.0.1/other', array( 'keys' => array( '${releaseKey.public_key}' ) ) );\n`
    )
    await copyFile(UPDATER_PATH, path.join(otherDir, 'wprm-updater.php'))
    value(await releases.api.addPlugin({ sourceDir: otherDir }))
    value(await releases.api.setPlugin({ slug: 'other-wprm', server: 'signed', signingKey: 'release' }))
    value(await releases.api.addVersion({ slug: 'other-wprm', version: '3.0.0', changelog: 'Other.', status: 'released' }))
    const otherRemote = path.join(path.dirname(releases.remoteDir), 'other-wprm')
    const otherManifest = await readFile(path.join(otherRemote, 'info.json'))
    const good = await liveFiles()
    try {
      await serve(otherManifest)
      await expectRefused('its "slug" is not "hello-wprm"', '1.1.0')
    } finally {
      await serve(good.manifest)
    }
  })

  it('3. refuses an older manifest served again (rollback, replay), and the same number with other bytes', async () => {
    // The site takes the current manifest (1.2.0 on offer): the highest it has accepted from now on.
    const accepted = await check()
    expect(accepted.offered).toBe('1.2.0')
    const good = await liveFiles()
    try {
      await serve(firstSigned.manifest)
      const out = await expectRefused(/is #\d+, older than #\d+, which this site has accepted already/, '1.1.0')
      expect(out.trust!.manifest_version).toBe(accepted.trust!.manifest_version)
      // Same number, other bytes, signed with the real key (a forked or forged publish).
      await serve(signEnvelope(changedMessage(good.message, 'Twin.'), [keyRelease]))
      await expectRefused('which this site accepted with other contents', '1.1.0')
    } finally {
      await serve(good.manifest)
    }
    expect((await check()).offered).toBe('1.2.0')
  })

  it('4. refuses an expired manifest (a frozen server), naming the expiry date', async () => {
    // The release manager's last publish, 40 days ago: signed with 30 days, it expired 10 days ago.
    const past = createApi({ dataDir: path.join(workDir, 'data'), now: () => new Date(Date.now() - 40 * 86_400_000) })
    value(await past.publish({ slug: PLUGIN_SLUG }))
    const expires = ((await releases.manifest()) as unknown as { expires: string }).expires
    const date = new Date(expires).toISOString().slice(0, 16).replace('T', ' ')
    await expectRefused(`expired on ${date} UTC`, '1.1.0')
    const verified = value(await releases.api.verify({ slug: PLUGIN_SLUG }))
    expect(verified.checks.find((c) => c.id === 9)).toMatchObject({ ok: false, detail: expect.stringContaining(`--refresh`) })
    // A fresh publish (the CI schedule's `wprm publish --refresh`) unfreezes the site.
    await releases.publish()
    expect((await check()).offered).toBe('1.2.0')
  })

  it('5. cuts a download that grows past the signed size, and installs nothing', async () => {
    await releases.release({ version: '1.3.0', changelog: 'Grows.', status: 'released' })
    const zip = path.join(releases.remoteDir, 'hello-wprm-v1.3.0.zip')
    const released = await readFile(zip)
    const grown = released.length + 512 * 1024 * 1024
    await truncate(zip, grown) // 512 MiB more, sparse: endless data as far as the site can tell
    try {
      const out = await php<{ offered: string; upgrade: { result: unknown; downloadError: { message: string } | null } }>(`
        $entries = wprm_test_check_for_updates();
        echo json_encode(array('offered' => $entries['response']['new_version'], 'upgrade' => wprm_test_upgrade()));
      `)
      expect(out.offered).toBe('1.3.0')
      expect(out.upgrade.result).not.toBe(true)
      expect(out.upgrade.downloadError!.message).toContain(
        `larger than its signed size of ${released.length} bytes: the download was stopped there`
      )
      expect(await readdir(site.tempDir)).toEqual([])
      expect(await runningVersion()).toBe('1.1.0')
      // nginx logged what it sent: the transfer stopped within socket buffers of the signed size, far from the file's.
      const log = await readFile(server.nginx.accessLogPath, 'utf8')
      const line = log
        .split('\n')
        .filter((l) => l.includes('hello-wprm-v1.3.0.zip'))
        .at(-1)!
      const sent = Number(/" \d{3} (\d+) "/.exec(line)![1])
      expect(sent).toBeLessThan(released.length + 64 * 1024 * 1024)
    } finally {
      await writeFile(zip, released)
    }
  })

  it('6. refuses a manifest larger than 2 MiB, and one served after a redirect to another host', async () => {
    const good = await liveFiles()
    try {
      await serve(`${good.manifest.toString('utf8').slice(0, -2)}, "padding": "${'x'.repeat(2_200_000)}"}\n`)
      await expectRefused('is larger than 2097152 bytes', '1.1.0')
      await serve(good.manifest)
      await writeFile(`${manifestPath()}.moved`, '')
      await expectRefused(/redirected the manifest request to another host \(http:\/\/localhost:\d+\//, '1.1.0')
    } finally {
      await rm(`${manifestPath()}.moved`, { force: true })
      await serve(good.manifest)
    }
  })

  it('accepts a key rotation, then refuses a manifest signed by the old key alone; the good path still installs', async () => {
    const rotated = value(await releases.api.rotateSigningKey({ slug: PLUGIN_SLUG, to: 'next' }))
    expect(rotated).toMatchObject({ from: 'release', to: 'next' })
    expect((await liveFiles()).signatures.map((s) => s.keyid)).toEqual([releaseKey.key_id, nextKey.key_id])
    const accepted = await check()
    expect(accepted.offered).toBe('1.3.0')
    expect(accepted.trust).toMatchObject({ manifest_version: rotated.manifest_version, keys: [nextKey.public_key] })

    // Whoever holds the old key (a leaked one) signs a newer manifest with it alone.
    const good = await liveFiles()
    const text = good.message.replace(
      `"manifest_version": ${rotated.manifest_version}`,
      `"manifest_version": ${rotated.manifest_version + 5}`
    )
    try {
      await serve(signEnvelope(text, [keyRelease]))
      await expectRefused(`signed by a key this site does not trust (${releaseKey.key_id})`, '1.1.0')
    } finally {
      await serve(good.manifest)
    }
    // The plugin is signed with the new key from now on, and its source registers that key (`wprm updater install`
    // prints the line); the site installs its next release.
    const mainFile = path.join(releases.sourceDir, `${PLUGIN_SLUG}.php`)
    await writeFile(mainFile, (await readFile(mainFile, 'utf8')).replace(releaseKey.public_key, nextKey.public_key))
    await releases.release({ version: '1.4.0', changelog: 'Signed with the new key.', status: 'released' })
    expect((await check()).offered).toBe('1.4.0')
    const upgrade = await php<{ upgrade: { result: unknown; messages: string[] }; installed: unknown }>(
      `echo json_encode(array('upgrade' => wprm_test_upgrade(), 'installed' => wprm_test_installed()));`
    )
    expect(upgrade).toMatchObject({ upgrade: { result: true }, installed: { version: '1.4.0', active: true } })
    expect(await runningVersion('1.4.0')).toBe('1.4.0')
  })

  it('lets a commercial plugin add a license key and an Authorization header, and says so when the server refuses access', async () => {
    const filter = (forbid: boolean): string => `
      $GLOBALS['wprm_test_auth'] = array();
      add_filter('wprm_updater_request', function ($request, $kind, $folder) {
        $request['query']['license'] = 'KEY-123';
        $request['headers']['Authorization'] = 'Bearer KEY-123';
        // The plugin's folder on the server: nginx answers 403 for a folder (no index), as a license server would.
        if (${forbid ? 'true' : 'false'} && 'manifest' === $kind) { $request['url'] = dirname($request['url']) . '/'; }
        return $request;
      }, 10, 3);
      add_action('http_api_debug', function ($response, $context, $class, $args, $url) {
        $GLOBALS['wprm_test_auth'][] = array('url' => $url, 'authorization' => isset($args['headers']['Authorization']) ? $args['headers']['Authorization'] : null);
      }, 10, 5);
      $entries = wprm_test_check_for_updates();
      set_current_screen('update-core');
      echo json_encode(array('offered' => isset($entries['response']['new_version']) ? $entries['response']['new_version'] : null, 'notices' => wprm_test_admin_notices(), 'requests' => $GLOBALS['wprm_test_auth']));
    `
    const allowed = await php<{ offered: string | null; notices: string[]; requests: { url: string; authorization: string | null }[] }>(
      filter(false)
    )
    // Up to date (1.4.0 is installed), and nothing refused.
    expect(allowed).toMatchObject({ offered: null, notices: [] })
    // One request: the signature is inside the manifest.
    expect(allowed.requests).toHaveLength(1)
    expect(allowed.requests[0]!.url).toMatch(/\/info\.json\?.*license=KEY-123/)
    expect(allowed.requests.map((r) => r.authorization)).toEqual(['Bearer KEY-123'])
    const denied = await php<{ offered: string | null; notices: string[] }>(filter(true))
    expect(denied.offered).toBeNull()
    expect(denied.notices).toEqual([
      expect.stringMatching(/could not be checked: the update server refused access to .* \(HTTP 403\): check the license key/)
    ])
  })

  it("verifies through WordPress's sodium_compat where PHP's sodium functions are missing", async () => {
    // Debian's PHP has sodium built in (`php -n -m` lists it), so no flag unloads the extension; disabling its
    // functions is what a host without them looks like to code: function_exists() is false before WordPress loads,
    // and WordPress's compat.php then loads sodium_compat, whose same-named polyfill is user code.
    const listed = await php<string[]>(
      `echo json_encode(array_values(array_filter(get_defined_functions()['internal'], function ($f) { return 0 === strpos($f, 'sodium_'); })));`
    )
    expect(listed).toContain('sodium_crypto_sign_verify_detached')
    const noSodium = ['-d', `disable_functions=${listed.join(',')}`]
    const probe = await php<{ internal: boolean | null; compat: boolean }>(
      `$f = function_exists('sodium_crypto_sign_verify_detached') ? new ReflectionFunction('sodium_crypto_sign_verify_detached') : null;
       echo json_encode(array('internal' => $f ? $f->isInternal() : null, 'compat' => class_exists('ParagonIE_Sodium_Compat', false)));`,
      noSodium
    )
    expect(probe).toEqual({ internal: false, compat: true })
    await releases.release({ version: '1.5.0', changelog: 'Verified without sodium.', status: 'released' })
    const out = await check(noSodium)
    expect(out.offered).toBe('1.5.0')
    expect(out.trust).toMatchObject({ verifier: 'sodium_compat', keys: [nextKey.public_key] })
    // And it really verifies there: a changed manifest carrying the real signatures is refused.
    const good = await liveFiles()
    try {
      await serve(envelopeText(changedMessage(good.message, 'Changed.'), good.signatures))
      await expectRefused(`by key ${nextKey.key_id} is invalid`, '1.4.0', noSodium)
    } finally {
      await serve(good.manifest)
    }
    const log = await site.debugLog()
    expect(log).not.toMatch(/PHP (Fatal|Parse) error/)
    expect(log).not.toContain('wprm-updater.php')
  })
  it("is still read by plugin-update-checker 5 (vendored v5.7): the signed info.json's fields it uses are unchanged", async () => {
    const dir = path.join(site.pluginsDir, 'puc-hello')
    await cp(fileURLToPath(new URL('../vendor/plugin-update-checker', import.meta.url)), path.join(dir, 'plugin-update-checker'), {
      recursive: true
    })
    await writeFile(
      path.join(dir, 'puc-hello.php'),
      `<?php\n/**\n * Plugin Name: PUC Hello\n * Version: 0.1.0\n */\nrequire __DIR__ . '/plugin-update-checker/plugin-update-checker.php';\n$GLOBALS['puc_hello'] = YahnisElsts\\PluginUpdateChecker\\v5\\PucFactory::buildUpdateChecker(${phpString(releases.manifestUrl)}, __FILE__, 'puc-hello');\n`
    )
    try {
      const out = await php<{ version: string; download_url: string; sections: string[]; update: string | null }>(`
        activate_plugin('puc-hello/puc-hello.php');
        $info = $GLOBALS['puc_hello']->requestInfo();
        $GLOBALS['puc_hello']->checkForUpdates();
        $update = $GLOBALS['puc_hello']->getUpdate();
        echo json_encode(array('version' => $info->version, 'download_url' => $info->download_url, 'sections' => array_keys($info->sections), 'update' => $update ? $update->version : null));
      `)
      const manifest = await releases.manifest()
      expect(out).toEqual({
        version: manifest.version,
        download_url: manifest.download_url,
        sections: Object.keys(manifest.sections),
        update: manifest.version
      })
    } finally {
      await php(`deactivate_plugins('puc-hello/puc-hello.php'); echo json_encode(true);`)
      await rm(dir, { recursive: true, force: true })
    }
  })
})
