// Benchmark: our PHP updater (resources/wordpress/wprm-updater.php) against plugin-update-checker 5 (v5.7, vendored
// at test/vendor/plugin-update-checker) on one real WordPress 6.1 site (test/wordpress/support: PHP 8.2's `php -S`,
// MariaDB), both reading the same signed info.json from a real sshd + nginx (test/support/update-server.js).
//
// The site has two plugins installed and active: "Hello WPRM" (our updater, registered with the release manager's
// public key; WP Release Manager's API signs every manifest it publishes) and "PUC Hello" (PucFactory::
// buildUpdateChecker on the same info.json). A bench mu-plugin filters `active_plugins` so that one request loads
// only one of them, or neither ("none"), chosen by `?wprm_bench=` (pages) or $WPRM_BENCH (CLI): the three configs
// run side by side on the same site, database and caches. What it measures:
//   (a) admin page load, cached manifest: wall time of GET /wp-admin/plugins.php as the logged-in admin (HTTP to
//       php -S on loopback, body read; opcache on, as php -S runs it), after both updaters have checked, so each
//       works from its cache and WordPress's update data is fresh (no check runs in the page).
//   (b) fresh update check, a new manifest on the server: one `php` process makes both updaters' caches due (see
//       MAKE_DUE), then in a second one, WordPress loaded as the admin, hrtime around wp_update_plugins()
//       (wordpress.org's answer given in-process: the harness blocks the internet) followed, for PUC, by its
//       checkForUpdates(). Ours fetches info.json whole, verifies its Ed25519 signature (sodium) and records it as
//       the highest accepted, inside wp_update_plugins; PUC fetches info.json. Every sample checks that each updater
//       made one request, answered 200, and found the update (1.1.0), and that ours recorded the manifest.
//   (c) the same fresh check inside a request to the site (CHECK_MU_PLUGIN: a `php -S` worker with opcache on, as
//       an admin page or WordPress's cron request runs it), after 8 untimed rounds that warm each worker.
//   41 checks per config (WPRM_BENCH_CHECKS=N for more), 150 page loads per config.
//   Samples are taken side by side: one page (or one check) of each config, in rotating order, then the next. Added =
//   the median of the paired differences (config − none); ratio = ours added / PUC added.

import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const OUT_CLI = path.join(ROOT, 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)
const PUC_DIR = path.join(ROOT, 'test', 'vendor', 'plugin-update-checker')
const PASSPHRASE = 'bench passphrase'
const CONFIGS = ['none', 'ours', 'puc']
const OURS_FILE = 'hello-wprm/hello-wprm.php'
const PUC_FILE = 'puc-hello/puc-hello.php'

/** The site and server of the section being run, so that Ctrl-C can stop them too. */
let active = []

/** Stops the site and the update server if the section is running (run.js calls this on SIGINT); never throws. */
export async function stopUpdaterSite() {
  const running = active
  active = []
  await Promise.all(running.map((s) => s.stop().catch(() => undefined)))
}

/** True when the WordPress harness can run (the Debian packages the WordPress tests need). */
export function updaterPrerequisites() {
  const needed = ['/usr/share/wordpress/wp-load.php', '/usr/bin/php', '/usr/sbin/mariadbd', '/usr/sbin/nginx', '/usr/sbin/sshd']
  const missing = needed.filter((file) => !existsSync(file))
  return { ok: missing.length === 0, missing }
}

/**
 * The harness finds the updater and the test theme next to its sources (URLs relative to the module); compiled into
 * out/cli they are not there, so links point back at the repository's copies (build output only, made once).
 */
async function linkHarnessFiles() {
  const links = [
    [path.join(OUT_CLI, 'resources'), path.join(ROOT, 'resources')],
    [path.join(OUT_CLI, 'test', 'wordpress', 'fixtures'), path.join(ROOT, 'test', 'wordpress', 'fixtures')]
  ]
  for (const [link, target] of links) if (!existsSync(link)) await symlink(target, link, 'dir')
}

/** Loads only the plugin of the config the request names; nothing is written to the database. */
const SWITCH_MU_PLUGIN = `<?php
$wprm_bench = isset($_GET['wprm_bench']) ? (string) $_GET['wprm_bench'] : (string) getenv('WPRM_BENCH');
if ('' !== $wprm_bench) {
	add_filter('option_active_plugins', function ($plugins) use ($wprm_bench) {
		$mine = array('ours' => '${OURS_FILE}', 'puc' => '${PUC_FILE}');
		return array_values(array_filter((array) $plugins, function ($p) use ($mine, $wprm_bench) {
			return !in_array($p, $mine, true) || (isset($mine[$wprm_bench]) && $mine[$wprm_bench] === $p);
		}));
	});
}
`

/**
 * Makes both updaters' caches due, as on a site whose cache timed out after a new release went up. Ours: its next
 * check in the past, no validators (the manifest comes back whole and is verified), and the highest manifest the
 * site accepted set below the server's (so it accepts the new one and records it, as after every publish). PUC: its
 * last check long ago and no update known (its checkForUpdates fetches in any case, and records the update it finds).
 * WordPress's update data gone, so wp_update_plugins() runs. In a process of its own: the timed one then starts as a
 * real request does, each updater's options as it stores them (ours autoloaded; PUC's not, as update_site_option
 * stores them on a single site). Deleting the caches inside the timed process, as this bench first did, favoured
 * PUC: it reads its option at load time and keeps it in memory, so the deletion cost it nothing, while ours paid a
 * query to find its option gone; and PUC then found the update it already knew, so it wrote nothing after its fetch.
 */
const MAKE_DUE = (trustOption) => `
$ours = get_option('${trustOption}'); // a signed plugin's trust record, its cache beside it
if (is_array($ours)) {
	$due = array('next_check' => 0, 'etag' => '', 'last_modified' => '', 'manifest_version' => $ours['manifest_version'] - 1, 'sha256' => '');
	update_option('${trustOption}', array_merge($ours, $due));
}
$puc = get_option('external_updates-puc-hello');
if (is_object($puc)) {
	$puc->lastCheck = 0;
	unset($puc->update, $puc->updateClass, $puc->updateBaseClass); // the release is new to PUC too: it records it
	update_option('external_updates-puc-hello', $puc);
}
delete_site_transient('update_plugins');
echo json_encode(array('ours' => is_array($ours) && isset($ours['url']), 'puc' => is_object($puc)));
`

/** A fresh check in this PHP process: WordPress's check (and PUC's); prints ms, the requests made and the offers. */
const FRESH_CHECK = (trustOption) => `
add_filter('pre_http_request', function ($pre, $args, $url) {
	if (false === strpos($url, '//api.wordpress.org/plugins/update-check/')) {
		return $pre;
	}
	$body = wp_json_encode(array('plugins' => array(), 'translations' => array(), 'no_update' => array()));
	return array('headers' => array(), 'body' => $body, 'response' => array('code' => 200, 'message' => 'OK'), 'cookies' => array(), 'filename' => null);
}, 10, 3);
$fetched = array();
add_action('http_api_debug', function ($response, $context, $class, $args, $url) use (&$fetched) {
	$fetched[] = wp_remote_retrieve_response_code($response) . ' ' . strtok($url, '?');
}, 10, 5);
$t0 = hrtime(true);
wp_update_plugins();
if (isset($GLOBALS['puc_hello'])) {
	$GLOBALS['puc_hello']->checkForUpdates();
}
$ms = (hrtime(true) - $t0) / 1e6;
$data = get_site_option('_site_transient_update_plugins');
$ours = isset($data->response['${OURS_FILE}']) ? $data->response['${OURS_FILE}']->new_version : null;
$puc = isset($GLOBALS['puc_hello']) && $GLOBALS['puc_hello']->getUpdate() ? $GLOBALS['puc_hello']->getUpdate()->version : null;
$trust = get_site_option('${trustOption}', null);
echo json_encode(array('ms' => $ms, 'fetched' => $fetched, 'ours' => $ours, 'puc' => $puc, 'trust' => $trust));
`

/**
 * The same check inside a request to the site (a `php -S` worker, opcache on, as an admin page or WordPress's cron
 * request runs it), for `?wprm_bench_check=1`: once WordPress has loaded, the check runs and the request ends with its
 * JSON.
 */
const CHECK_MU_PLUGIN = (trustOption) => `<?php
if (isset($_GET['wprm_bench_check'])) {
	add_action('wp_loaded', function () {
${FRESH_CHECK(trustOption)}
		exit;
	}, PHP_INT_MAX);
}
`

/** The updater rows (see the header). */
export async function benchUpdater(ctx) {
  const quick = ctx.runs < 5
  const PAGES = 30
  const ROUNDS = quick ? 3 : 5
  const CHECKS = quick ? 15 : Number(process.env.WPRM_BENCH_CHECKS ?? 41)
  await linkHarnessFiles()
  const { startSiteAndUpdateServer } = await load('test/wordpress/support/site-and-server.js')
  const { setUpReleases, pluginMainFile, value, UPDATER_PATH, PLUGIN_SLUG } = await load('test/wordpress/support/releases.js')
  const { TRUST_OPTION } = await load('test/wordpress/support/updater-snippets.js')
  const { createApi } = await load('src-main/api.js')
  const { KEY_PASSPHRASE_VAR } = await load('src-main/core/signing/key-source.js')
  process.env[KEY_PASSPHRASE_VAR] = PASSPHRASE

  ctx.log('updater: starting WordPress, MariaDB, sshd and nginx')
  // Both or neither: one that started is stopped when the other failed.
  const { site, server } = await startSiteAndUpdateServer()
  active = [site, server]
  const workDir = await mkdtemp(path.join(tmpdir(), 'wprm-bench-updater-'))
  try {
    const php = async (code, env = {}) => {
      const saved = { ...process.env }
      Object.assign(process.env, env) // runPhp's php inherits this process's environment
      try {
        const result = await site.runPhp(code)
        if (result.exitCode !== 0) throw new Error(`updater: php failed:\n${result.stdout}\n${result.stderr}`)
        return JSON.parse(result.stdout)
      } finally {
        for (const key of Object.keys(env))
          if (saved[key] === undefined) delete process.env[key]
          else process.env[key] = saved[key]
      }
    }

    // A signed plugin, as test/wordpress/signing.test.ts makes one: the key first, its public half in register().
    const key = value(await createApi({ dataDir: path.join(workDir, 'data') }).generateSigningKey({ name: 'release' }))
    const releases = await setUpReleases(server, workDir, 'signed', async (dir, manifestUrl) => {
      await mkdir(dir, { recursive: true })
      await writeFile(
        path.join(dir, `${PLUGIN_SLUG}.php`),
        pluginMainFile(manifestUrl, `, array( 'keys' => array( '${key.public_key}' ) )`)
      )
      await cp(UPDATER_PATH, path.join(dir, 'wprm-updater.php'))
    })
    value(await releases.api.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'release' }))
    await releases.release({ version: '1.0.0', changelog: 'First release.', status: 'released' })
    await cp(releases.sourceDir, path.join(site.pluginsDir, PLUGIN_SLUG), { recursive: true })
    const pucDir = path.join(site.pluginsDir, 'puc-hello')
    await cp(PUC_DIR, path.join(pucDir, 'plugin-update-checker'), { recursive: true })
    await writeFile(
      path.join(pucDir, 'puc-hello.php'),
      `<?php\n/**\n * Plugin Name: PUC Hello\n * Version: 1.0.0\n */\nrequire __DIR__ . '/plugin-update-checker/plugin-update-checker.php';\n$GLOBALS['puc_hello'] = YahnisElsts\\PluginUpdateChecker\\v5\\PucFactory::buildUpdateChecker('${releases.manifestUrl}', __FILE__, 'puc-hello');\n`
    )
    await writeFile(path.join(site.dir, 'wp-content', 'mu-plugins', 'wprm-bench-switch.php'), SWITCH_MU_PLUGIN)
    await writeFile(path.join(site.dir, 'wp-content', 'mu-plugins', 'wprm-bench-check.php'), CHECK_MU_PLUGIN(TRUST_OPTION))
    const activated = await php(
      `echo json_encode(array(activate_plugin('${OURS_FILE}'), activate_plugin('${PUC_FILE}')));` // null each on success
    )
    if (activated.some((a) => a !== null)) throw new Error(`updater: activation failed: ${JSON.stringify(activated)}`)
    // A release to offer, signed: both updaters find 1.1.0.
    await releases.release({ version: '1.1.0', changelog: 'Signed.', status: 'released' })

    // (b) fresh checks first; the last one (both loaded) leaves both caches warm for the pages.
    ctx.log(`updater: ${CHECKS} fresh update checks per config`)
    const checks = { none: [], ours: [], puc: [] }
    const inProcess = (config) => php(FRESH_CHECK(TRUST_OPTION), { WPRM_BENCH: config === 'all' ? '' : config })
    const inPage = async (config) => {
      const response = await site.get(`/?wprm_bench_check=1${config === 'all' ? '' : `&wprm_bench=${config}`}`)
      if (response.status !== 200)
        throw new Error(`updater: the page check (${config}) answered ${response.status}: ${response.body.slice(0, 300)}`)
      return JSON.parse(response.body)
    }
    const freshCheck = async (config, makeDue = true, run = inProcess) => {
      if (makeDue) {
        const due = await php(MAKE_DUE(TRUST_OPTION), { WPRM_BENCH: '' })
        if (!due.ours || !due.puc) throw new Error(`updater: a cache to make due is missing: ${JSON.stringify(due)}`)
      }
      const out = await run(config)
      // Each check fetched info.json once (200: whole), found 1.1.0, and ours verified it with sodium and recorded it.
      const want = { all: [1, 2, '1.1.0', '1.1.0'], none: [0, 0, null, null], ours: [1, 1, '1.1.0', null], puc: [0, 1, null, '1.1.0'] }[
        config
      ]
      const accepted = out.trust?.verifier === 'sodium' && out.trust?.sha256 !== ''
      const fetchedOk = out.fetched.length === want[1] && out.fetched.every((f) => f.startsWith('200 '))
      if (!fetchedOk || out.ours !== want[2] || out.puc !== want[3] || (want[0] === 1 && !accepted))
        throw new Error(`updater: the ${config} check found ${JSON.stringify(out)}`)
      return out.ms
    }
    await freshCheck('all', false) // both caches made, for MAKE_DUE to age
    for (const config of CONFIGS) await freshCheck(config) // warm-up: opcache is off for the CLI, the disk cache is not
    for (let i = 0; i < CHECKS; i++) for (const config of rotate(CONFIGS, i)) checks[config].push(await freshCheck(config))
    ctx.log(`updater: ${CHECKS} fresh update checks per config in a page request`)
    const pageChecks = { none: [], ours: [], puc: [] }
    // Warm-up: each of php -S's workers compiles and caches the files once.
    for (let i = 0; i < 8; i++) for (const config of CONFIGS) await freshCheck(config, true, inPage)
    for (let i = 0; i < CHECKS; i++)
      for (const config of rotate(CONFIGS, i)) pageChecks[config].push(await freshCheck(config, true, inPage))

    // (a) page loads with both caches warm: one check with both loaded, then no check runs in a page.
    await freshCheck('all')
    ctx.log(`updater: ${ROUNDS * PAGES} admin page loads per config`)
    const pages = { none: [], ours: [], puc: [] }
    const page = async (config) => {
      const started = performance.now()
      const response = await site.getAsAdmin(`/wp-admin/plugins.php?wprm_bench=${config}`)
      const ms = performance.now() - started
      // The switch loads only the config's plugin (the row's class says active), and that plugin shows its update.
      const row = (slug) => new RegExp(`<tr class="(in)?active( update)?" data-slug="${slug}"`).exec(response.body)
      const expected = (slug, loaded) => {
        const found = row(slug)
        return found !== null && (found[1] === undefined) === loaded && (!loaded || found[2] !== undefined)
      }
      if (response.status !== 200 || !expected('hello-wprm', config === 'ours') || !expected('puc-hello', config === 'puc'))
        throw new Error(`updater: plugins.php (${config}) answered ${response.status} without the expected plugin rows`)
      return ms
    }
    for (const config of CONFIGS) for (let i = 0; i < 2; i++) await page(config) // warm-up: opcache fills per file set
    for (let i = 0; i < ROUNDS * PAGES; i++) for (const config of rotate(CONFIGS, i)) pages[config].push(await page(config))
    // Nothing checked during the pages (the caches held), and the switch wrote nothing: both still active.
    const after = await php(`echo json_encode(get_option('active_plugins'));`, { WPRM_BENCH: '' })
    if (!after.includes(OURS_FILE) || !after.includes(PUC_FILE)) throw new Error(`updater: active plugins changed: ${after}`)

    return [
      ...addedRows('updater: admin plugins.php load, cached manifest', pages, ctx.median),
      ...addedRows('updater: fresh update check in a php process (ours signed: Ed25519)', checks, ctx.median),
      ...addedRows('updater: fresh update check in a page request (ours signed: Ed25519)', pageChecks, ctx.median)
    ]
  } finally {
    await stopUpdaterSite()
    await rm(workDir, { recursive: true, force: true })
  }
}

/** The configs in the order for run `i`: each goes first as often as the others. */
const rotate = (list, i) => [...list.slice(i % list.length), ...list.slice(0, i % list.length)]

/**
 * The "no updater" row, the totals, and the "added" row. Samples of the three configs are taken side by side (a check
 * of each, or a page of each, in rotating order), so "added" is the median of the paired differences (config − none,
 * sample by sample): the machine's drift over the run cancels out of each pair instead of widening both medians.
 */
function addedRows(name, samples, median) {
  const m = Object.fromEntries(CONFIGS.map((c) => [c, median(samples[c])]))
  const added = (config) => median(samples[config].map((ms, i) => ms - samples.none[i]))
  const ours = added('ours')
  const puc = added('puc')
  return [
    { name: `${name}, no updater`, ours: m.none, native: null, ratio: null, unit: 'ms', oursAll: samples.none, nativeAll: null },
    {
      name: `${name}, updater total`,
      ours: m.ours,
      native: m.puc,
      ratio: m.ours / m.puc,
      unit: 'ms',
      oursAll: samples.ours,
      nativeAll: samples.puc
    },
    { name: `${name}, added`, ours, native: puc, ratio: ours / puc, unit: 'ms', oursAll: null, nativeAll: null, updaterAdded: true }
  ]
}

/** Notes under the table. */
export function updaterNotes(rows) {
  const added = rows.filter((r) => r.updaterAdded)
  if (added.length === 0) return []
  return [
    'updater  native = plugin-update-checker 5.7 on the same site and info.json; added = median of (with the updater − with none), sample by sample;',
    '         page loads: HTTP GET of wp-admin/plugins.php as the admin; checks: hrtime around wp_update_plugins() (+ PUC checkForUpdates),',
    '         in a php process or in a request to the site, after a new release (both caches due, both record it); medians of paired differences'
  ]
}

/** The goal: ours adds no more than PUC. */
export function updaterGoals(rows, verdict) {
  return rows
    .filter((r) => r.updaterAdded)
    .map(
      (r) =>
        `  ${verdict(r.ours <= r.native)} ${r.name.replace(/^updater: /, '').replace(/, added$/, '')}: ours adds ${r.ours.toFixed(2)} ms, PUC ${r.native.toFixed(2)} ms (ratio ${r.ratio.toFixed(3)})`
    )
}
