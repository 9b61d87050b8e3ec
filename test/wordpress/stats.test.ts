/**
 * Install statistics end to end: a real WordPress runs our updater, which reports anonymously with its
 * manifest checks; real nginx logs them; requests for many other sites land in the same log; wprm pulls
 * the log over SFTP and its counts are the ones this test computes from the log itself.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import type { Result } from '../../src-preload/api.js'
import { siteHash } from '../support/access-log.js'
import type { UpdateServer } from '../support/update-server.js'
import { phpString } from './support/php-literal.js'
import type { PluginReleases } from './support/releases.js'
import { PLUGIN_SLUG } from './support/releases.js'
import { SNIPPET_HELPERS } from './support/updater-snippets.js'
import type { SiteScenario } from './support/scenario.js'
import { startSiteScenario } from './support/scenario.js'
import type { WordPressSite } from './support/wordpress-site.js'

let scenario: SiteScenario
let site: WordPressSite
let server: UpdateServer
let releases: PluginReleases
let workDir: string

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

beforeAll(async () => {
  scenario = await startSiteScenario({ name: 'site' })
  ;({ site, server, releases, workDir } = scenario)
})

afterAll(() => scenario?.stop())

/** The manifest requests in nginx's log, in order. */
async function manifestRequests(): Promise<string[]> {
  const log = await readFile(server.nginx.accessLogPath, 'utf8')
  return log.split('\n').filter((line) => line.includes(`/site/${PLUGIN_SLUG}/info.json`))
}

/** WordPress's update check on the site, as in the updater tests (a cold updater cache). */
async function checkForUpdates(extra = ''): Promise<void> {
  const result = await site.runPhp(`${SNIPPET_HELPERS}\n${extra}\nwprm_test_check_for_updates(); echo 'ok';`)
  expect(result.stdout, result.stderr).toBe('ok')
}

describe('install statistics from a real site', () => {
  it('the updater reports with its manifest check: a hash of the home URL, never the URL; versions, locale, multisite, channel', async () => {
    await checkForUpdates()
    const line = (await manifestRequests()).at(-1)!
    const php = (
      await site.runPhp('echo PHP_MAJOR_VERSION . "." . PHP_MINOR_VERSION . "." . PHP_RELEASE_VERSION . " " . get_bloginfo("version");')
    ).stdout
    const [phpVersion, wpVersion] = php.split(' ')
    const query = new URLSearchParams({
      site: siteHash(site.url, PLUGIN_SLUG),
      installed: '1.0.0',
      wp: wpVersion!,
      php: phpVersion!,
      locale: 'en_US',
      multisite: '0',
      channel: 'stable'
    })
    expect(line).toContain(`"GET /site/${PLUGIN_SLUG}/info.json?${query} HTTP/1.1" 200 `)
    expect(line).toMatch(new RegExp(`"WordPress/${wpVersion!.replace(/\./g, '\\.')}; wprm-updater/1\\.0"$`))
    const host = new URL(site.url).host
    expect(line.split('"').slice(1).join('"')).not.toContain(host)
  })

  it('sends no report with WPRM_UPDATER_DISABLE_STATS or the wprm_updater_send_stats filter; the check goes on', async () => {
    await checkForUpdates("define('WPRM_UPDATER_DISABLE_STATS', true);")
    expect((await manifestRequests()).at(-1)).toContain(`"GET /site/${PLUGIN_SLUG}/info.json HTTP/1.1" 200 `)
    await checkForUpdates(
      `add_filter('wprm_updater_send_stats', function ($send, $folder) { return $folder !== ${phpString(PLUGIN_SLUG)}; }, 10, 2);`
    )
    expect((await manifestRequests()).at(-1)).toContain(`"GET /site/${PLUGIN_SLUG}/info.json HTTP/1.1" 200 `)
  })

  it('wprm stats counts the real site and 60 generated ones exactly as the log says', async () => {
    for (let i = 0; i < 60; i++) {
      const query = new URLSearchParams({
        site: siteHash(`https://other-${i}.example`, PLUGIN_SLUG),
        installed: i % 3 === 0 ? '0.9.0' : '1.0.0',
        wp: ['6.1.9', '6.4.5', '6.7.1'][i % 3]!,
        php: i % 2 === 0 ? '7.4.33' : '8.3.15',
        locale: i % 4 === 0 ? 'fr_FR' : 'en_US',
        multisite: i % 10 === 0 ? '1' : '0',
        channel: 'stable'
      })
      expect((await fetch(`${releases.manifestUrl}?${query}`)).status).toBe(200)
    }
    await checkForUpdates()

    // Independently of the code under test: the log's report lines, each site at its last version.
    const lines = await manifestRequests()
    const latest = new Map<string, URLSearchParams>()
    let unreported = 0
    for (const line of lines) {
      const target = /"GET (\S+) HTTP/.exec(line)![1]!
      const query = new URL(target, 'http://x').searchParams
      if (query.get('site') === null) unreported++
      else latest.set(query.get('site')!, query)
    }
    const count = (key: string, map: (v: string) => string = (v) => v): Record<string, number> => {
      const tally: Record<string, number> = {}
      for (const q of latest.values()) tally[map(q.get(key)!)] = (tally[map(q.get(key)!)] ?? 0) + 1
      return tally
    }
    const majorMinor = (v: string): string => v.split('.').slice(0, 2).join('.')

    const api = createApi({ dataDir: path.join(workDir, 'data') })
    value(await api.setServer({ name: 'site', accessLogs: [server.nginx.accessLogPath] }))
    const pulled = value(await api.pullStats({ slug: PLUGIN_SLUG }))
    expect(pulled.servers[0]!.logs[0]).toMatchObject({ state: 'new', gap: false })
    const report = value(await api.getStats({ slug: PLUGIN_SLUG }))
    expect(latest.size).toBe(61)
    expect(report.active_sites).toBe(latest.size)
    expect(Object.fromEntries(report.adoption.map((a) => [a.key, a.sites]))).toEqual(count('installed'))
    expect(Object.fromEntries(report.wp.map((s) => [s.key, s.sites]))).toEqual(count('wp', majorMinor))
    expect(Object.fromEntries(report.php.map((s) => [s.key, s.sites]))).toEqual(count('php', majorMinor))
    expect(Object.fromEntries(report.locales.map((s) => [s.key, s.sites]))).toEqual(count('locale'))
    expect(report.multisite_sites).toBe(count('multisite')['1'])
    expect(report.unreported).toBe(unreported)
    expect(report.checks).toBe(lines.filter((l) => / (200|304) /.test(l)).length)
    expect(value(await api.pullStats({ slug: PLUGIN_SLUG })).servers[0]!.logs[0]).toMatchObject({ state: 'unchanged', requests: 1 })
    await api.close()
  })
})
