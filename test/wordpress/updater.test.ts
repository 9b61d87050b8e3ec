/**
 * The PHP updater (resources/wordpress/wprm-updater.php) on a real WordPress, fed by real releases: WP Release
 * Manager's API builds each version and publishes it with its manifest to a real sshd + nginx, and the site
 * installs what the updater offers with WordPress's own upgrader.
 *
 * The numbered tests are one story on one site and build on each other (1.0.0 → 1.1.0 → refused 1.2.0 → forced
 * 1.2.1 → rolled back to 1.1.0 → 1.3.0 needing PHP 99 → server trouble); run them in order. An update check
 * starts from a cold updater cache unless the test is about the cache (see SNIPPET_HELPERS for why).
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { UpdateServer } from '../support/update-server.js'
import { phpString } from './support/php-literal.js'
import { runCommand } from './support/processes.js'
import type { PluginReleases } from './support/releases.js'
import { PLUGIN_FILE, PLUGIN_SLUG, UPDATER_PATH } from './support/releases.js'
import { CACHE_OPTION, CLAIM_OPTION } from './support/updater-snippets.js'
import type { SiteScenario } from './support/scenario.js'
import { startSiteScenario } from './support/scenario.js'
import type { WordPressSite } from './support/wordpress-site.js'

const FATAL = /PHP (Fatal|Parse) error/
const PHP74_GUARD = fileURLToPath(new URL('./support/php74-guard.php', import.meta.url))

let scenario: SiteScenario
let site: WordPressSite
let server: UpdateServer
let releases: PluginReleases
let workDir: string

beforeAll(async () => {
  const started = Date.now()
  // The site starts on 1.0.0: the source folder, which is what the 1.0.0 ZIP holds.
  scenario = await startSiteScenario({ name: 'site', site: { autoUpdates: true } })
  ;({ site, server, releases, workDir } = scenario)
  console.log(`site, update server and release 1.0.0 ready in ${Date.now() - started} ms`)
})

afterAll(() => scenario?.stop())

/** Runs PHP (with the snippet helpers) on the site and returns its JSON output; fails on a non-zero exit. */
function php<T = unknown>(code: string): Promise<T> {
  return scenario.php<T>(code)
}

interface Entries {
  response: Record<string, unknown> | null
  no_update: Record<string, unknown> | null
}

interface Upgrade {
  result: unknown
  downloadError: { code: string; message: string } | null
  messages: string[]
}

interface Installed {
  version: string
  active: boolean
}

/**
 * Runs WordPress's automatic updater as its cron does: wp-cron.php over HTTP runs the wp_maybe_auto_update event
 * (in production wp_version_check schedules it; here wordpress.org is out of reach, so the test schedules it).
 * The updater's cache is forgotten first, so that it reads the latest manifest.
 */
async function runAutomaticUpdater(): Promise<{ installed: Installed; cache: Record<string, unknown>; lock: unknown }> {
  await php(`wprm_test_forget_manifest(); wp_schedule_single_event(time() - 1, 'wp_maybe_auto_update'); echo json_encode(true);`)
  const cron = await site.get('/wp-cron.php')
  expect(cron.status).toBe(200)
  return php(
    `echo json_encode(array('installed' => wprm_test_installed(), 'cache' => wprm_test_cache(), 'lock' => get_option('auto_updater.lock')));`
  )
}

/** The updater's cache as stored on the site (see wprm_test_cache). */
async function cache(): Promise<Record<string, unknown> | null> {
  return (await php<{ cache: Record<string, unknown> | null }>(`echo json_encode(array('cache' => wprm_test_cache()));`)).cache
}

/** The version the running plugin code reports in the page footer (so: which code the site really runs). */
async function runningVersion(): Promise<string | null> {
  const home = await site.get('/')
  expect(home.status).toBe(200)
  return /<!-- hello-wprm (\S+) -->/.exec(home.body)?.[1] ?? null
}

describe('the updater file', () => {
  it('passes php -l with E_ALL and uses no PHP 8-only syntax (the guard itself catches such syntax)', async () => {
    const lint = await runCommand('php', ['-d', 'error_reporting=E_ALL', '-d', 'display_errors=1', '-l', UPDATER_PATH])
    expect(lint.stdout + lint.stderr).toContain('No syntax errors detected')
    expect(lint.exitCode).toBe(0)
    const guard = await runCommand('php', [PHP74_GUARD, UPDATER_PATH])
    expect(guard.stdout).toBe('')
    expect(guard.exitCode).toBe(0)

    const sample = path.join(workDir, 'php8-sample.php')
    await writeFile(sample, '<?php\nfunction f(int|string $x): mixed { return match ($x) { 1 => $x?->y, default => g(name: 1) }; }\n')
    const caught = await runCommand('php', [PHP74_GUARD, sample])
    expect(caught.exitCode).toBe(1)
    expect(caught.stdout.trim().split('\n')).toEqual([
      '2: union parameter type',
      '2: return type mixed',
      '2: match expression',
      '2: nullsafe operator ?->',
      '2: named argument name:'
    ])
  })

  it('lets two plugins carry it (one class, two updaters) and refuses a package with another top folder', async () => {
    const other = path.join(site.pluginsDir, 'other-wprm')
    await mkdir(other)
    await cp(UPDATER_PATH, path.join(other, 'wprm-updater.php'))
    const otherManifest = `${server.nginx.baseUrl}site/other-wprm/info.json`
    await writeFile(
      path.join(other, 'other-wprm.php'),
      `<?php\n/**\n * Plugin Name: Other WPRM\n * Version: 2.0.0\n */\nrequire_once __DIR__ . '/wprm-updater.php'; WPRM_Updater_1_0::register( __FILE__, ${phpString(otherManifest)} );\n`
    )
    try {
      const out = await php<{ activated: string; otherInfo: string; ownInfo: string; wrongFolder: string; rightFolder: string }>(`
        $activated = activate_plugin('other-wprm/other-wprm.php');
        require_once ABSPATH . 'wp-admin/includes/plugin-install.php';
        $info = function ($slug) {
          $answer = plugins_api('plugin_information', array('slug' => $slug));
          return is_wp_error($answer) ? $answer->get_error_code() . ': ' . $answer->get_error_message() : $answer->version;
        };
        $select = function ($source) {
          $selected = apply_filters('upgrader_source_selection', $source, dirname($source), null, array('plugin' => ${phpString(PLUGIN_FILE)}, 'type' => 'plugin', 'action' => 'update'));
          return is_wp_error($selected) ? $selected->get_error_message() : $selected;
        };
        $unpacked = WP_CONTENT_DIR . '/upgrade/hello-wprm-v1-abc/';
        echo json_encode(array(
          'activated' => is_wp_error($activated) ? $activated->get_error_message() : 'ok',
          'otherInfo' => $info('other-wprm'),
          'ownInfo' => $info(${phpString(PLUGIN_SLUG)}),
          'wrongFolder' => $select($unpacked . 'hello-wprm-main/'),
          'rightFolder' => $select($unpacked . 'hello-wprm/'),
        ));
      `)
      expect(out.activated).toBe('ok')
      // Each plugin has its own updater and manifest: the other one's is not on the server (404).
      expect(out.otherInfo).toBe(
        `wprm_updater_unavailable: The details of Other WPRM are not available: the update server answered HTTP 404 for ${otherManifest}.`
      )
      expect(out.ownInfo).toBe('1.0.0')
      expect(out.wrongFolder).toContain('unpacks into the folder "hello-wprm-main", but the plugin is installed in "hello-wprm"')
      expect(out.rightFolder).toMatch(/\/hello-wprm\/$/)
    } finally {
      await php(`deactivate_plugins('other-wprm/other-wprm.php'); echo json_encode(true);`)
      await rm(other, { recursive: true, force: true })
    }
  })
})

describe('the updater on a real WordPress with real releases', () => {
  it('1. offers a new release, which WordPress installs; "View details" shows the changelog', async () => {
    await releases.release({ version: '1.1.0', changelog: 'Says hello in the footer.', status: 'released' })
    const out = await php<{
      entries: Entries
      uriAnswer: Record<string, unknown>
      upgrade: Upgrade
      installed: Installed
      info: Record<string, unknown>
      cache: Record<string, unknown>
    }>(`
      // What the updater answers WordPress 5.8+'s "Update URI" check (the plugin's header names the update server).
      $uri_answer = null;
      add_filter('update_plugins_127.0.0.1', function ($update) use (&$uri_answer) { $uri_answer = $update; return $update; }, PHP_INT_MAX);
      $entries = wprm_test_check_for_updates();
      $cache = wprm_test_cache();
      $upgrade = wprm_test_upgrade();
      require_once ABSPATH . 'wp-admin/includes/plugin-install.php';
      $info = plugins_api('plugin_information', array('slug' => ${phpString(PLUGIN_SLUG)}));
      echo json_encode(array('entries' => $entries, 'uriAnswer' => $uri_answer, 'upgrade' => $upgrade, 'installed' => wprm_test_installed(), 'info' => is_wp_error($info) ? $info->get_error_message() : $info, 'cache' => $cache));
    `)
    expect(out.entries.response).toMatchObject({
      new_version: '1.1.0',
      slug: PLUGIN_SLUG,
      plugin: PLUGIN_FILE,
      package: `${path.dirname(releases.manifestUrl)}/hello-wprm-v1.1.0.zip`,
      autoupdate: false
    })
    expect(out.entries.no_update).toBeNull()
    expect(out.uriAnswer).toMatchObject({ new_version: '1.1.0', package: out.entries.response!.package })
    expect(out.upgrade).toMatchObject({ result: true, downloadError: null })
    expect(out.installed).toEqual({ version: '1.1.0', active: true })
    expect(out.info).toMatchObject({
      name: 'Hello WPRM',
      version: '1.1.0',
      requires: '6.0',
      requires_php: '7.4',
      download_link: out.entries.response!.package
    })
    expect((out.info.sections as Record<string, string>).changelog).toContain('Says hello in the footer.')
    // A released (not update_ready) manifest is kept for an hour.
    expect(out.cache).toMatchObject({ version: '1.1.0', cacheSeconds: 3600, failures: 0 })
    expect(await runningVersion()).toBe('1.1.0')
  })

  it('revalidates a due manifest with a conditional GET, and a 304 keeps the cached copy', async () => {
    await php(`wprm_test_check_for_updates(); echo json_encode(true);`)
    // In a new PHP process, as an hour later: the cache is due.
    const out = await php<{
      entries: Entries
      requests: { status: unknown; ifNoneMatch: string | null }[]
      cache: Record<string, unknown>
    }>(`
      wprm_test_make_due();
      $entries = wprm_test_run_update_check();
      echo json_encode(array('entries' => $entries, 'requests' => $GLOBALS['wprm_test_requests'], 'cache' => wprm_test_cache()));
    `)
    expect(out.requests).toHaveLength(1)
    expect(out.requests[0]).toMatchObject({ status: 304, ifNoneMatch: out.cache.etag })
    expect(out.cache.etag).toMatch(/^"/)
    expect(out.cache).toMatchObject({ version: '1.1.0', cacheSeconds: 3600, failures: 0 })
    // Up to date: listed under no_update, so that the auto-update toggle shows.
    expect(out.entries).toMatchObject({ response: null, no_update: { new_version: '1.1.0', plugin: PLUGIN_FILE } })
    // The cache is loaded with WordPress's other options on a single site: no query of its own per page or check.
    const stored = await php<{ autoload: string | null }>(
      `global $wpdb; echo json_encode(array('autoload' => $wpdb->get_var($wpdb->prepare("SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", ${phpString(CACHE_OPTION)}))));`
    )
    expect(stored.autoload).toBe('yes')
  })

  it('fetches the manifest whole when a 304 confirms a cached copy that no longer reads as a manifest', async () => {
    const out = await php<{ requests: { status: unknown; ifNoneMatch: string | null }[]; cache: Record<string, unknown> }>(`
      wprm_test_make_due();
      // The cached copy damaged in the database (it is validated only when used), its validators kept.
      $state = get_site_option(wprm_test_cache_option());
      $state['manifest']['version'] = 130;
      update_site_option(wprm_test_cache_option(), $state);
      wprm_test_run_update_check();
      echo json_encode(array('requests' => $GLOBALS['wprm_test_requests'], 'cache' => wprm_test_cache()));
    `)
    expect(out.requests).toMatchObject([
      { status: 304, ifNoneMatch: expect.stringMatching(/^"/) },
      { status: 200, ifNoneMatch: null }
    ])
    expect(out.cache).toMatchObject({ version: '1.1.0', failures: 0 })
  })

  /** Runs `code` in a PHP process of its own that, once `marker` exists, holds on for 2 s; resolves when it ends. */
  async function holdingOn<T>(marker: string, code: string): Promise<{ result: Promise<T> }> {
    const result = php<T>(code)
    for (let waited = 0; !existsSync(marker); waited += 50) {
      if (waited > 15_000) throw new Error(`the PHP process never got as far as ${marker}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return { result }
  }

  // The database's named lock, and the claim option where there is none (MariaDB made to refuse GET_LOCK here).
  const WITHOUT_NAMED_LOCKS = `add_filter('query', function ($query) { return str_replace('GET_LOCK(', 'WPRM_TEST_NO_GET_LOCK(', $query); });`
  for (const [how, prelude] of [
    ['with the named lock', ''],
    ['with the claim option (no named locks)', WITHOUT_NAMED_LOCKS]
  ] as const) {
    it(`leaves a check that started to finish, ${how}: meanwhile another request uses the cache and asks nothing`, async () => {
      const started = path.join(workDir, `slow-check-${randomBytes(4).toString('hex')}`)
      // Request A: the cache due, and the update server slow to answer (its request held 2 s).
      const slow = await holdingOn<{ requests: { status: unknown }[] }>(
        started,
        `${prelude}
        wprm_test_make_due();
        add_filter('pre_http_request', function ($pre, $args, $url) {
          if (0 === strpos($url, ${phpString(releases.manifestUrl)})) {
            touch(${phpString(started)});
            sleep(2);
          }
          return $pre;
        }, 10, 3);
        wprm_test_run_update_check();
        echo json_encode(array('requests' => $GLOBALS['wprm_test_requests']));`
      )
      // Request B, while A waits: the same due cache, A's claim on it.
      const meanwhile = await php<{ entries: Entries; requests: unknown[] }>(`${prelude}
        $entries = wprm_test_run_update_check();
        echo json_encode(array('entries' => $entries, 'requests' => $GLOBALS['wprm_test_requests']));
      `)
      expect(meanwhile.requests).toEqual([])
      expect(meanwhile.entries).toMatchObject({ response: null, no_update: { new_version: '1.1.0' } })
      expect((await slow.result).requests).toMatchObject([{ status: 304 }])
    })
  }

  it('lets go of the named lock when its check ends, while the request goes on; a claim set ahead by a clock set back holds nothing', async () => {
    const checked = path.join(workDir, `checked-${randomBytes(4).toString('hex')}`)
    // Request A checks, then goes on for 2 s (its connection open) with its cache made due again.
    const busy = await holdingOn<{ requests: unknown[] }>(
      checked,
      `wprm_test_make_due();
      wprm_test_run_update_check();
      wprm_test_make_due();
      touch(${phpString(checked)});
      sleep(2);
      echo json_encode(array('requests' => $GLOBALS['wprm_test_requests']));`
    )
    const next = await php<{ requests: unknown[] }>(`
      wprm_test_run_update_check();
      echo json_encode(array('requests' => $GLOBALS['wprm_test_requests']));
    `)
    expect(next.requests).toHaveLength(1)
    expect((await busy.result).requests).toHaveLength(1)

    const clockBack = await php<{ requests: unknown[] }>(`${WITHOUT_NAMED_LOCKS}
      wprm_test_make_due();
      update_option(${phpString(CLAIM_OPTION)}, time() + 3600, true);
      wprm_test_run_update_check();
      echo json_encode(array('requests' => $GLOBALS['wprm_test_requests']));
    `)
    expect(clockBack.requests).toHaveLength(1)
  })

  it('in a web request, leaves the named lock to the end of its connection: the next request checks', async () => {
    const before = await php<{ cache: { checkedAt: number } }>(
      `wprm_test_make_due(); echo json_encode(array('cache' => wprm_test_cache()));`
    )
    await new Promise((resolve) => setTimeout(resolve, 1100)) // a check now has a later checked_at
    // The Plugins screen reads WordPress's update data: the due cache is checked in this request (php -S, not the CLI).
    const page = await site.getAsAdmin('/wp-admin/plugins.php')
    expect(page.status).toBe(200)
    const after = await php<{ cache: { checkedAt: number }; requests: unknown[] }>(`
      $cache = wprm_test_cache();
      wprm_test_make_due();
      wprm_test_run_update_check();
      echo json_encode(array('cache' => $cache, 'requests' => $GLOBALS['wprm_test_requests']));
    `)
    expect(after.cache.checkedAt).toBeGreaterThan(before.cache.checkedAt)
    expect(after.requests).toHaveLength(1)
  })

  it('2. refuses a package whose bytes differ from the manifest: the error names the checksum, 1.1.0 keeps running', async () => {
    await releases.release({ version: '1.2.0', changelog: 'A faster hello.', status: 'released' })
    const zipOnServer = path.join(releases.remoteDir, 'hello-wprm-v1.2.0.zip')
    const released = await readFile(zipOnServer)
    await writeFile(zipOnServer, randomBytes(released.length))
    try {
      const out = await php<{ entries: Entries; upgrade: Upgrade; installed: Installed }>(`
        $entries = wprm_test_check_for_updates();
        $upgrade = wprm_test_upgrade();
        echo json_encode(array('entries' => $entries, 'upgrade' => $upgrade, 'installed' => wprm_test_installed()));
      `)
      expect(out.entries.response).toMatchObject({ new_version: '1.2.0' })
      expect(out.upgrade.downloadError).toMatchObject({ code: 'wprm_updater_checksum_mismatch' })
      expect(out.upgrade.downloadError!.message).toContain('failed the checksum check')
      // What the admin sees in the upgrader's output.
      expect(out.upgrade.messages.join('\n')).toContain('Hello WPRM 1.2.0 failed the checksum check')
      expect(out.upgrade.result).not.toBe(true)
      expect(out.installed).toEqual({ version: '1.1.0', active: true })
      expect(await readdir(site.tempDir)).toEqual([])
      expect(await readdir(path.join(site.dir, 'wp-content', 'upgrade')).catch(() => [])).toEqual([])
      expect(await runningVersion()).toBe('1.1.0')
    } finally {
      // Put the released bytes back: the publisher rightly refuses to publish over a changed ZIP.
      await writeFile(zipOnServer, released)
    }
  })

  it("3. installs a forced security release through WordPress's automatic updater, with no admin action", async () => {
    const admin = await php<{ autoUpdatesEnabledByAdmin: string[] }>(
      `echo json_encode(array('autoUpdatesEnabledByAdmin' => (array) get_site_option('auto_update_plugins', array())));`
    )
    expect(admin.autoUpdatesEnabledByAdmin).toEqual([])
    // 1.2.0 (restored, not forced) is on offer: the automatic updater leaves it to the admin.
    expect(await runAutomaticUpdater()).toMatchObject({ installed: { version: '1.1.0', active: true }, cache: { version: '1.2.0' } })

    const emergency = await releases.release({
      version: '1.2.1',
      changelog: 'SECURITY: escapes the greeting.',
      status: 'update_ready',
      forceUpdate: true
    })
    expect(emergency.publish?.latest).toBe('1.2.1')
    const after = await runAutomaticUpdater()
    expect(after.installed).toEqual({ version: '1.2.1', active: true })
    // update_ready: the manifest is re-read after 10 minutes rather than an hour.
    expect(after.cache).toMatchObject({ version: '1.2.1', cacheSeconds: 600 })
    expect(after.lock).toBe(false)
    expect(await runningVersion()).toBe('1.2.1')
  })

  it('4. after a rollback, offers the lower live version to sites on a withdrawn one, with a notice saying why', async () => {
    const rollback = await releases.rollback('1.1.0')
    expect([...rollback.revoked].sort()).toEqual(['1.2.0', '1.2.1'])
    const out = await php<{ entries: Entries; noticesBefore: string[]; upgrade: Upgrade; installed: Installed; noticesAfter: string[] }>(`
      $entries = wprm_test_check_for_updates();
      $before = wprm_test_admin_notices();
      $upgrade = wprm_test_upgrade();
      echo json_encode(array('entries' => $entries, 'noticesBefore' => $before, 'upgrade' => $upgrade, 'installed' => wprm_test_installed(), 'noticesAfter' => wprm_test_admin_notices()));
    `)
    expect(out.entries.response).toMatchObject({
      new_version: '1.1.0',
      package: `${path.dirname(releases.manifestUrl)}/hello-wprm-v1.1.0.zip`
    })
    expect(out.entries.response!.upgrade_notice).toContain('1.2.1 was withdrawn')
    expect(out.noticesBefore).toEqual([
      expect.stringContaining('Hello WPRM 1.2.1 was withdrawn by its developer. Update it to version 1.1.0')
    ])
    expect(out.upgrade).toMatchObject({ result: true, downloadError: null })
    expect(out.installed).toEqual({ version: '1.1.0', active: true })
    expect(out.noticesAfter).toEqual([])
    expect(await runningVersion()).toBe('1.1.0')
  })

  it('5. does not offer a version that needs a higher PHP than the site has; "Check again" re-reads a fresh cache', async () => {
    await releases.release({ version: '1.3.0', changelog: 'Needs the PHP of the future.', status: 'released', minPhpVersion: '99.0' })
    expect(await releases.manifest()).toMatchObject({ version: '1.3.0', requires_php: '99.0' })
    // The cache from step 4 is fresh: Dashboard > Updates uses it without asking the server...
    const updates = await site.getAsAdmin('/wp-admin/update-core.php')
    expect(updates.status).toBe(200)
    expect(await cache()).toMatchObject({ version: '1.1.0' })
    // ...until the admin clicks "Check again".
    const checkedAgain = await site.getAsAdmin('/wp-admin/update-core.php?force-check=1')
    expect(checkedAgain.status).toBe(200)
    expect(await cache()).toMatchObject({ version: '1.3.0', failures: 0 })
    expect(checkedAgain.body).toContain('Your plugins are all up to date.')

    const out = await php<{ entries: Entries }>(`echo json_encode(array('entries' => wprm_test_run_update_check()));`)
    expect(out.entries).toMatchObject({ response: null, no_update: { new_version: '1.1.0', requires_php: '99.0', package: '' } })
  })

  it('7. publishes an info.json that plugin-update-checker reads: name, version, download_url and sections with its types', async () => {
    const manifest = (await releases.manifest()) as unknown as Record<string, unknown>
    // PUC requires non-empty name and version, turns sections into an array of HTML strings, and installs download_url.
    expect(manifest.name).toEqual(expect.any(String))
    expect(manifest.name).not.toBe('')
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(manifest.slug).toBe(PLUGIN_SLUG)
    expect(manifest.download_url).toBe(`${path.dirname(releases.manifestUrl)}/hello-wprm-v${manifest.version as string}.zip`)
    const sections = manifest.sections as Record<string, unknown>
    expect(sections).toEqual({ description: expect.any(String), changelog: expect.any(String) })
    expect(sections.changelog).toContain('Needs the PHP of the future.')
    // The optional fields PUC copies into WordPress's data are strings when present (null when unknown).
    for (const field of ['homepage', 'author', 'requires', 'tested', 'requires_php', 'last_updated', 'upgrade_notice']) {
      expect([null, 'string']).toContain(manifest[field] === null ? null : typeof manifest[field])
    }
    expect(typeof manifest.autoupdate).toBe('boolean')
    const zip = await fetch(manifest.download_url as string)
    expect(zip.status).toBe(200)
    expect((await zip.arrayBuffer()).byteLength).toBe(manifest.size)
  })

  it('6. a malformed manifest and a stopped update server break nothing; a failed check is not repeated before its backoff', async () => {
    const manifestPath = path.join(releases.remoteDir, 'info.json')
    const published = await readFile(manifestPath, 'utf8')
    const broken = [
      { body: published.slice(0, published.length / 2), error: 'is not valid JSON' },
      {
        body: JSON.stringify({ ...JSON.parse(published), version: 130, download_url: ['not', 'a', 'url'] }),
        error: '"version" is not a version'
      }
    ]
    for (const { body, error } of broken) {
      await writeFile(manifestPath, body)
      const out = await php<{ entries: Entries; cache: Record<string, unknown> }>(
        `echo json_encode(array('entries' => wprm_test_check_for_updates(), 'cache' => wprm_test_cache()));`
      )
      expect(out.cache).toMatchObject({ version: null, failures: 1, cacheSeconds: 300 })
      expect(out.cache.error).toContain(error)
      expect(out.entries).toMatchObject({ response: null, no_update: { new_version: '1.1.0' } })
    }
    await writeFile(manifestPath, published)

    await server.nginx.stop()
    const first = await php<{ entries: Entries; requests: { url: string; status: unknown }[]; cache: Record<string, unknown> }>(`
      $entries = wprm_test_check_for_updates();
      echo json_encode(array('entries' => $entries, 'requests' => $GLOBALS['wprm_test_requests'], 'cache' => wprm_test_cache()));
    `)
    // The manifest URL with the anonymous install report (test/wordpress/stats.test.ts checks its fields).
    expect(first.requests).toEqual([
      { url: expect.stringMatching(/\?site=[0-9a-f]{64}&installed=1\.1\.0&/), status: 'http_request_failed', ifNoneMatch: null }
    ])
    expect(first.requests[0]!.url.startsWith(`${releases.manifestUrl}?`)).toBe(true)
    expect(first.cache).toMatchObject({ failures: 1, cacheSeconds: 300 })
    expect(first.cache.error).toContain('the update server did not answer')
    expect(first.entries).toMatchObject({ response: null, no_update: { new_version: '1.1.0' } })

    // Another request within the backoff: WordPress checks again, the updater does not ask the server.
    const again = await php<{ requests: unknown[]; cache: Record<string, unknown>; info: string }>(`
      wprm_test_run_update_check();
      require_once ABSPATH . 'wp-admin/includes/plugin-install.php';
      $info = plugins_api('plugin_information', array('slug' => ${phpString(PLUGIN_SLUG)}));
      echo json_encode(array('requests' => $GLOBALS['wprm_test_requests'], 'cache' => wprm_test_cache(), 'info' => is_wp_error($info) ? $info->get_error_message() : 'no error'));
    `)
    expect(again.requests).toEqual([])
    expect(again.cache).toEqual(first.cache)
    expect(again.info).toContain('The details of Hello WPRM are not available: the update server did not answer')

    // The site's pages: a visitor's and the admin's Plugins screen, which reads the update data in wp-admin.
    expect(await runningVersion()).toBe('1.1.0')
    const plugins = await site.getAsAdmin('/wp-admin/plugins.php')
    expect(plugins.status).toBe(200)
    expect(plugins.body).toContain('Hello WPRM')
    expect(plugins.body).toMatch(/wprm-updater-notice"><p>Updates for Hello WPRM could not be checked: the update server did not answer/)
    expect(await cache()).toEqual(first.cache)

    const log = await site.debugLog()
    expect(log).not.toMatch(FATAL)
    // Not a notice, warning or deprecation from the updater in the whole story.
    expect(log).not.toContain('wprm-updater.php')
  })
})
