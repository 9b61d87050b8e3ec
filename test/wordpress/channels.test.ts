/**
 * Beta channels, staged rollouts and stepping stones on a real WordPress, fed by real releases (WP Release
 * Manager's API, a real sshd + nginx): what the updater offers, what WordPress's own upgrader installs, and what
 * plugin-update-checker (its real v5 source, vendored under test/vendor) reads from the same info.json.
 *
 * One story on one site, in order: a beta (opt-in through the Plugins screen's row link), a stable release,
 * a rollout to 50 % with sites in and out of it, halt and resume, a stepping stone, a forced release. Other
 * sites are this site with another site id: its home URL as the updater hashes it (the `network_home_url`
 * filter, which is `home_url` on a single site), so the bucket is the one a site at that address has.
 */
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { phpString } from './support/php-literal.js'
import type { PluginReleases } from './support/releases.js'
import { PLUGIN_FILE, PLUGIN_SLUG } from './support/releases.js'
import type { SiteScenario } from './support/scenario.js'
import { startSiteScenario } from './support/scenario.js'
import type { WordPressSite } from './support/wordpress-site.js'

const PUC = fileURLToPath(new URL('../vendor/plugin-update-checker/plugin-update-checker.php', import.meta.url))

let scenario: SiteScenario
let site: WordPressSite
let releases: PluginReleases

/** The updater's rollout bucket of a site at `home` (WPRM_Updater_Offer_1_0::bucket of its site id). */
function bucketOf(home: string): number {
  return parseInt(createHash('sha256').update(`${home}#${PLUGIN_SLUG}`).digest('hex').slice(0, 8), 16) % 10_000
}

/** The first of https://site-N.example whose bucket `fits`. */
function siteWhere(fits: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) if (fits(bucketOf(`https://site-${i}.example`))) return `https://site-${i}.example`
}

/** In a rollout at 50 % (bucket < 5,000), and out of it. */
const IN = siteWhere((b) => b < 5_000)
const OUT = siteWhere((b) => b >= 5_000)

// The site runs 1.0.0, released and installed by the scenario.
beforeAll(async () => {
  scenario = await startSiteScenario({ name: 'channels' })
  ;({ site, releases } = scenario)
})

afterAll(() => scenario?.stop())

function php<T = unknown>(code: string): Promise<T> {
  return scenario.php<T>(code)
}

/** PHP that makes the updater see the site at `home` (null: the site's own address). */
function asSite(home: string | null): string {
  // network_home_url() is home_url() on a single site, whose filter gets the path asked for.
  return home === null
    ? ''
    : `add_filter('home_url', function ($url, $path) { return ${phpString(home)} . ('' === $path ? '' : '/' . ltrim($path, '/')); }, 10, 2);`
}

interface Offer {
  /** The version offered, or null for none. */
  offered: string | null
  autoupdate: boolean
}

/** WordPress's update check from a cold updater cache, as the site at `home` sees it. */
async function offerFor(home: string | null = null): Promise<Offer> {
  const entries = await php<{ response: { new_version: string; autoupdate: boolean } | null }>(
    `${asSite(home)} echo json_encode(wprm_test_check_for_updates());`
  )
  return { offered: entries.response?.new_version ?? null, autoupdate: entries.response?.autoupdate ?? false }
}

/** Checks and installs what the site at `home` is offered, with WordPress's upgrader; returns the installed version. */
async function install(home: string | null = null): Promise<string> {
  const out = await php<{ upgrade: { result: unknown }; installed: { version: string } }>(
    `${asSite(home)} wprm_test_check_for_updates(); $u = wprm_test_upgrade(); echo json_encode(array('upgrade' => $u, 'installed' => wprm_test_installed()));`
  )
  expect(out.upgrade.result).toBe(true)
  return out.installed.version
}

/** "View details": the version and download link plugins_api gives for the plugin on this site. */
async function details(): Promise<{ version: string; download_link: string }> {
  return php(
    `require_once ABSPATH . 'wp-admin/includes/plugin-install.php';
    $info = plugins_api('plugin_information', array('slug' => ${phpString(PLUGIN_SLUG)}));
    echo json_encode(is_wp_error($info) ? $info->get_error_message() : array('version' => $info->version, 'download_link' => $info->download_link));`
  )
}

/** What plugin-update-checker v5 reads from info.json for this plugin: the version and download URL it would install. */
async function pluginUpdateChecker(): Promise<{ version: string; download_url: string }> {
  return php(
    `require_once ${phpString(PUC)};
    $checker = \\YahnisElsts\\PluginUpdateChecker\\v5\\PucFactory::buildUpdateChecker(${phpString(releases.manifestUrl)}, WP_PLUGIN_DIR . '/' . ${phpString(PLUGIN_FILE)}, ${phpString(PLUGIN_SLUG)});
    $info = $checker->requestInfo();
    echo json_encode($info === null ? null : array('version' => $info->version, 'download_url' => $info->download_url));`
  )
}

/** Follows the Plugins screen's channel link (as the admin clicks it) and returns the channel the site is on after. */
async function clickChannelLink(label: 'Get beta updates' | 'Back to stable'): Promise<string> {
  const page = await site.getAsAdmin('/wp-admin/plugins.php')
  expect(page.status).toBe(200)
  const href = new RegExp(`<a href="([^"]+)" class="wprm-updater-channel">${label}</a>`).exec(page.body)?.[1]
  expect(href, `no "${label}" link on the Plugins screen`).toBeDefined()
  const url = new URL(href!.replace(/&amp;/g, '&').replace(/&#038;/g, '&'))
  const clicked = await site.getAsAdmin(`${url.pathname}${url.search}`)
  expect(clicked.status).toBe(302)
  expect(clicked.headers.get('location')).toMatch(/\/wp-admin\/plugins\.php$/)
  return channel()
}

async function channel(): Promise<string> {
  return php(`echo json_encode(get_site_option('wprm_updater_channel_' . ${phpString(PLUGIN_SLUG)}, '(none)'));`)
}

describe('channels', () => {
  it('1. a pre-release is offered to a beta site only; stable sites and plugin-update-checker see the stable version', async () => {
    await releases.release({ version: '1.1.0-beta.1', changelog: 'Try the new grid.', status: 'released' })
    const manifest = await releases.manifest()
    expect(manifest.version).toBe('1.0.0')
    expect(manifest.versions.find((v) => v.version === '1.1.0-beta.1')?.channel).toBe('beta')
    expect(await offerFor()).toEqual({ offered: null, autoupdate: false })
    expect(await pluginUpdateChecker()).toMatchObject({ version: '1.0.0', download_url: expect.stringContaining('hello-wprm-v1.0.0.zip') })
    // The constant in wp-config.php and the filter choose the channel too (the filter last).
    expect(
      (
        await php<Offer & { response: unknown }>(
          `add_filter('wprm_updater_channel', function () { return 'beta'; }); echo json_encode(wprm_test_check_for_updates());`
        )
      ).response
    ).toMatchObject({ new_version: '1.1.0-beta.1' })
  })

  it('2. the Plugins screen link opts in, with a nonce and the update_plugins capability; the beta installs', async () => {
    // Without the nonce the request is refused, and nothing changes.
    const forged = await site.getAsAdmin(`/wp-admin/admin-post.php?action=wprm_updater_channel&plugin=${PLUGIN_SLUG}&channel=beta`)
    expect(forged.status).toBe(403)
    expect(await channel()).toBe('(none)')
    // Not logged in: WordPress never runs the handler.
    await site.get(`/wp-admin/admin-post.php?action=wprm_updater_channel&plugin=${PLUGIN_SLUG}&channel=beta`)
    expect(await channel()).toBe('(none)')
    expect(await clickChannelLink('Get beta updates')).toBe('beta')
    expect(await offerFor()).toEqual({ offered: '1.1.0-beta.1', autoupdate: false })
    // "View details" names the version the update row offers this site, not the stable one.
    expect(await details()).toMatchObject({
      version: '1.1.0-beta.1',
      download_link: expect.stringContaining('hello-wprm-v1.1.0-beta.1.zip')
    })
    expect(await install()).toBe('1.1.0-beta.1')
  })

  it('3. back to stable from a higher beta offers nothing until a stable version passes it', async () => {
    expect(await clickChannelLink('Back to stable')).toBe('stable')
    expect(await offerFor()).toEqual({ offered: null, autoupdate: false })
  })
})

describe('a staged rollout', () => {
  it('4. a site in the rollout is offered the new version; a site outside it the previous stable; plugin-update-checker the previous stable', async () => {
    await releases.release({ version: '1.1.0', changelog: 'The new grid.', status: 'released' })
    await releases.release({ version: '1.2.0', changelog: 'Faster grid.' })
    await releases.rollout({ version: '1.2.0', percent: '50' })
    await releases.changeStatus(['1.2.0'], 'released')
    const manifest = await releases.manifest()
    expect(manifest.version).toBe('1.1.0')
    expect(manifest.versions.find((v) => v.version === '1.2.0')?.rollout?.steps).toEqual([{ percent: 50, at: expect.any(String) }])
    expect(await offerFor(IN)).toEqual({ offered: '1.2.0', autoupdate: false })
    expect(await offerFor(OUT)).toEqual({ offered: '1.1.0', autoupdate: false })
    expect((await pluginUpdateChecker()).version).toBe('1.1.0')
  })

  it('5. a halt stops new offers; resume brings them back; a site that installed it keeps it through a halt', async () => {
    await releases.rollout({ halt: true })
    expect(await offerFor(IN)).toEqual({ offered: '1.1.0', autoupdate: false })
    await releases.rollout({ resume: true })
    expect(await offerFor(IN)).toEqual({ offered: '1.2.0', autoupdate: false })
    expect(await install(IN)).toBe('1.2.0')
    await releases.rollout({ halt: true })
    expect(await offerFor(IN)).toEqual({ offered: null, autoupdate: false })
    expect((await php<{ version: string }>(`echo json_encode(wprm_test_installed());`)).version).toBe('1.2.0')
    await releases.rollout({ version: '1.2.0', percent: '100' })
    expect((await releases.manifest()).version).toBe('1.2.0')
  })
})

describe('stepping stones and forced releases', () => {
  it('6. a required version is installed before the newest', async () => {
    await releases.release({ version: '1.3.0', changelog: 'Migrates the settings table.', status: 'released', required: true })
    await releases.release({ version: '1.4.0', changelog: 'Uses the new table.', status: 'released' })
    expect(await offerFor()).toEqual({ offered: '1.3.0', autoupdate: false })
    expect(await install()).toBe('1.3.0')
    expect(await offerFor()).toEqual({ offered: '1.4.0', autoupdate: false })
    expect(await install()).toBe('1.4.0')
  })

  it('7. a forced release reaches every site at once, in a rollout or not', async () => {
    await releases.release({ version: '1.4.1', changelog: 'SECURITY: fixes an XSS.', status: 'released', forceUpdate: true })
    for (const home of [null, IN, OUT]) expect(await offerFor(home)).toEqual({ offered: '1.4.1', autoupdate: true })
  })
})
