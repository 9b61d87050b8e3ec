/**
 * A real WordPress updated from an S3 bucket: WP Release Manager's API publishes to a real Ceph RADOS Gateway
 * (an `s3` server profile), and the site reads info.json, the ZIPs and the signatures anonymously from the
 * gateway's own URL (a public-read bucket policy, as a CDN's origin or a public bucket would serve them). Our
 * updater installs a release, revalidates with a 304, plugin-update-checker 5.7 reads the same info.json, and a
 * signed release installs with its signature verified, while a manifest changed in the bucket is refused, and a
 * rollback in the bucket takes the site back.
 *
 * The tests are one story on one site and build on each other (1.0.0 → 1.1.0 → signed 1.2.0 → verified 1.3.0 → rolled back to 1.2.0);
 * run them in order. The harness's mu-plugin lets WordPress's safe HTTP API reach any port on 127.0.0.1, so the
 * gateway's port needs nothing of its own.
 */
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { environmentSecrets } from '../../src-main/core/remote/secrets.js'
import { KEY_PASSPHRASE_VAR } from '../../src-main/core/signing/key-source.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import { s3KeyEnv, s3Place, s3Profile, storeProfile } from '../support/s3-profile.js'
import { phpString } from './support/php-literal.js'
import type { PluginReleases } from './support/releases.js'
import { PLUGIN_FILE, PLUGIN_SLUG, UPDATER_PATH, pluginMainFile, registerReleases, value } from './support/releases.js'
import { SNIPPET_HELPERS, TRUST_OPTION } from './support/updater-snippets.js'
import type { WordPressSite } from './support/wordpress-site.js'
import { startWordPress } from './support/wordpress-site.js'

const PUC = fileURLToPath(new URL('../vendor/plugin-update-checker/plugin-update-checker.php', import.meta.url))
const PROFILE = 'cdn'

let site: WordPressSite
let rgw: ObjectStoreServer
let releases: Omit<PluginReleases, 'remoteDir'>
let workDir: string
/** The plugin's folder at the bucket's public URL (where the manifest's download_url points). */
let base: string

beforeAll(async () => {
  process.env[KEY_PASSPHRASE_VAR] = 'correct horse battery staple'
  const started = Date.now()
  const [wordpress, store] = await Promise.allSettled([startWordPress(), startObjectStore({ bucket: 'updates' })])
  if (wordpress.status === 'rejected' || store.status === 'rejected') {
    if (wordpress.status === 'fulfilled') await wordpress.value.stop()
    if (store.status === 'fulfilled') await store.value.stop()
    throw wordpress.status === 'rejected' ? wordpress.reason : (store as PromiseRejectedResult).reason
  }
  site = wordpress.value
  rgw = store.value
  await rgw.allowPublicRead()
  workDir = await mkdtemp(path.join(tmpdir(), 'wprm-s3-site-'))
  base = `${s3Place(rgw, PROFILE).publicUrl}${PLUGIN_SLUG}/`
  releases = await registerReleases({
    workDir,
    name: PROFILE,
    manifestUrl: `${base}info.json`,
    apiOptions: { secrets: environmentSecrets(s3KeyEnv(rgw)) },
    addServer: (_api, dataDir) => storeProfile(dataDir, s3Profile(rgw, PROFILE))
  })
  await releases.release({ version: '1.0.0', changelog: 'First release.', status: 'released' })
  await cp(releases.sourceDir, path.join(site.pluginsDir, PLUGIN_SLUG), { recursive: true })
  expect(
    await php(`$a = activate_plugin(${phpString(PLUGIN_FILE)}); echo json_encode(is_wp_error($a) ? $a->get_error_message() : 'ok');`)
  ).toBe('ok')
  console.log(`site, RGW and release 1.0.0 ready in ${Date.now() - started} ms`)
})

afterAll(async () => {
  await Promise.all([site?.stop(), rgw?.stop()])
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

async function php<T = unknown>(code: string): Promise<T> {
  const result = await site.runPhp(`${SNIPPET_HELPERS}\n${code}`)
  expect(result, result.stderr).toMatchObject({ exitCode: 0 })
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`snippet printed no JSON:\n${result.stdout}\n${result.stderr}`)
  }
}

interface Check {
  offered: { new_version: string; package: string } | null
  requests: { url: string; status: unknown; ifNoneMatch: string | null }[]
  notices: string[]
  trust: { manifest_version: number; keys: string[] | null; verifier: string } | null
}

/** A cold update check as the Updates screen runs it: the offer, the requests made, the notices, the trust option. */
function check(): Promise<Check> {
  return php<Check>(`
    $entries = wprm_test_check_for_updates();
    set_current_screen('update-core');
    echo json_encode(array(
      'offered' => $entries['response'],
      'requests' => $GLOBALS['wprm_test_requests'],
      'notices' => wprm_test_admin_notices(),
      'trust' => get_site_option(${phpString(TRUST_OPTION)}, null),
    ));
  `)
}

/** Installs the offered update with WordPress's upgrader (the package fetched from the bucket); the installed version. */
async function upgrade(): Promise<string> {
  const out = await php<{ upgrade: { result: unknown; downloadError: unknown }; installed: { version: string; active: boolean } }>(
    `$u = wprm_test_upgrade(); echo json_encode(array('upgrade' => $u, 'installed' => wprm_test_installed()));`
  )
  expect(out.upgrade).toMatchObject({ result: true, downloadError: null })
  expect(out.installed.active).toBe(true)
  return out.installed.version
}

/** The code the site runs, from the page footer (PHP's opcache may serve the old file for up to 2 s). */
async function runningVersion(expected: string): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const running = /<!-- hello-wprm (\S+) -->/.exec((await site.get('/')).body)?.[1] ?? null
    if (running === expected || attempt >= 6) return running
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

const key = (name: string): string => `${s3Place(rgw, PROFILE).keyPrefix}${PLUGIN_SLUG}/${name}`

describe('a WordPress site updated from an S3 bucket (Ceph RGW, read anonymously)', () => {
  it('installs a release whose manifest and ZIP it fetched from the bucket without credentials', async () => {
    await releases.release({ version: '1.1.0', changelog: 'Served from the bucket.', status: 'released' })
    const out = await check()
    expect(out.offered).toMatchObject({ new_version: '1.1.0', package: `${base}hello-wprm-v1.1.0.zip` })
    // One manifest request, to the gateway, answered 200 to a site that holds no key.
    expect(out.requests).toEqual([expect.objectContaining({ status: 200, ifNoneMatch: null })])
    expect(out.requests[0]!.url.startsWith(`${base}info.json?`)).toBe(true)
    expect(out.notices).toEqual([])
    expect(await upgrade()).toBe('1.1.0')
    expect(await runningVersion('1.1.0')).toBe('1.1.0')
  })

  it("revalidates a due manifest against the gateway's ETag: a 304 keeps the cached copy", async () => {
    await php(`wprm_test_check_for_updates(); echo json_encode(true);`)
    const out = await php<{ requests: Check['requests']; etag: string; entries: { no_update: { new_version: string } | null } }>(`
      wprm_test_make_due();
      $entries = wprm_test_run_update_check();
      echo json_encode(array('entries' => $entries, 'requests' => $GLOBALS['wprm_test_requests'], 'etag' => wprm_test_cache()['etag']));
    `)
    expect(out.etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(out.requests).toEqual([expect.objectContaining({ status: 304, ifNoneMatch: out.etag })])
    expect(out.entries.no_update).toMatchObject({ new_version: '1.1.0' })
  })

  it('is read by plugin-update-checker 5.7 from the bucket: the version and download_url it would install', async () => {
    const dir = path.join(site.pluginsDir, 'puc-hello')
    await cp(fileURLToPath(new URL('../vendor/plugin-update-checker', import.meta.url)), path.join(dir, 'plugin-update-checker'), {
      recursive: true
    })
    await writeFile(
      path.join(dir, 'puc-hello.php'),
      `<?php\n/**\n * Plugin Name: PUC Hello\n * Version: 0.1.0\n */\nrequire __DIR__ . '/plugin-update-checker/plugin-update-checker.php';\n$GLOBALS['puc_hello'] = YahnisElsts\\PluginUpdateChecker\\v5\\PucFactory::buildUpdateChecker(${phpString(releases.manifestUrl)}, __FILE__, 'puc-hello');\n`
    )
    try {
      const out = await php<{ info: { version: string; download_url: string; sections: string[] } | null; update: string | null }>(`
        require_once ${phpString(PUC)};
        activate_plugin('puc-hello/puc-hello.php');
        $info = $GLOBALS['puc_hello']->requestInfo();
        $GLOBALS['puc_hello']->checkForUpdates();
        $update = $GLOBALS['puc_hello']->getUpdate();
        echo json_encode(array('info' => $info === null ? null : array('version' => $info->version, 'download_url' => $info->download_url, 'sections' => array_keys($info->sections)), 'update' => $update ? $update->version : null));
      `)
      const manifest = await releases.manifest()
      expect(out).toEqual({
        info: { version: '1.1.0', download_url: `${base}hello-wprm-v1.1.0.zip`, sections: Object.keys(manifest.sections) },
        update: '1.1.0'
      })
      const zip = await fetch(out.info!.download_url)
      expect(zip.status).toBe(200)
      expect((await zip.arrayBuffer()).byteLength).toBe(manifest.size)
    } finally {
      await php(`deactivate_plugins('puc-hello/puc-hello.php'); echo json_encode(true);`)
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('signed releases: the plugin moves to a signing key, a release is verified against the signature inside info.json in the bucket, a rollback is taken', async () => {
    const key1 = value(await releases.api.generateSigningKey({ name: 'release' }))
    // 1.2.0 carries the updater registered with the key; it is the first signed release.
    await mkdir(releases.sourceDir, { recursive: true })
    await writeFile(
      path.join(releases.sourceDir, `${PLUGIN_SLUG}.php`),
      pluginMainFile(releases.manifestUrl, `, array( 'keys' => array( '${key1.public_key}' ) )`)
    )
    await copyFile(UPDATER_PATH, path.join(releases.sourceDir, 'wprm-updater.php'))
    value(await releases.api.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'release' }))
    await releases.release({ version: '1.2.0', changelog: 'Signed from now on.', status: 'released' })
    expect((await check()).offered).toMatchObject({ new_version: '1.2.0' })
    expect(await upgrade()).toBe('1.2.0')

    // The site now trusts only manifests signed by that key: 1.3.0's signature comes inside info.json, one request.
    await releases.release({ version: '1.3.0', changelog: 'Verified.', status: 'released' })
    const manifest = await releases.manifest()
    const verified = await check()
    expect(verified.notices).toEqual([])
    expect(verified.offered).toMatchObject({ new_version: '1.3.0', package: `${base}hello-wprm-v1.3.0.zip` })
    expect(verified.trust).toMatchObject({ manifest_version: manifest.manifest_version, keys: [key1.public_key], verifier: 'sodium' })
    const fromBucket = verified.requests.filter((r) => r.url.startsWith(base))
    expect(fromBucket).toEqual([expect.objectContaining({ url: expect.stringMatching(/\/info\.json\?/), status: 200 })])
    expect(value(await releases.api.verify({ slug: PLUGIN_SLUG })).ok).toBe(true)

    // A manifest changed in the bucket (by someone holding a key to it, not the signing key) is refused.
    const s3 = rgw.client()
    try {
      const live = Buffer.from(
        await (await s3.send(new GetObjectCommand({ Bucket: rgw.bucket, Key: key('info.json') }))).Body!.transformToByteArray()
      )
      const changed = live.toString('utf8').replace('"upgrade_notice": "', '"upgrade_notice": "Changed. ')
      expect(changed).not.toBe(live.toString('utf8'))
      const put = (body: Buffer | string) =>
        s3.send(new PutObjectCommand({ Bucket: rgw.bucket, Key: key('info.json'), Body: body, ContentType: 'application/json' }))
      await put(changed)
      try {
        const refused = await check()
        expect(refused.offered).toBeNull()
        expect(refused.notices).toHaveLength(1)
        // The changed bytes still carry the real signatures member: it no longer holds.
        expect(refused.notices[0]).toMatch(
          /^Updates for Hello WPRM were refused: the signature of the manifest at \S+ by key [0-9a-f]{16} is invalid/
        )
      } finally {
        await put(live)
      }
      expect((await check()).offered).toMatchObject({ new_version: '1.3.0' })
    } finally {
      s3.destroy()
    }
    expect(await upgrade()).toBe('1.3.0')
    expect(await runningVersion('1.3.0')).toBe('1.3.0')

    // A rollback in the bucket (a signed manifest, one higher): the site goes back to 1.2.0, told why.
    const back = await releases.rollback('1.2.0')
    expect(back).toMatchObject({ live: '1.2.0', revoked: ['1.3.0'] })
    const offered = await check()
    expect(offered.offered).toMatchObject({ new_version: '1.2.0', package: `${base}hello-wprm-v1.2.0.zip` })
    expect(offered.notices).toEqual([
      expect.stringContaining('Hello WPRM 1.3.0 was withdrawn by its developer. Update it to version 1.2.0')
    ])
    expect(await upgrade()).toBe('1.2.0')
    expect(await runningVersion('1.2.0')).toBe('1.2.0')
    const log = await site.debugLog()
    expect(log).not.toMatch(/PHP (Fatal|Parse) error/)
    expect(log).not.toContain('wprm-updater.php')
  })
})
