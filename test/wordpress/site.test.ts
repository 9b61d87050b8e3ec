import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { phpString } from './support/php-literal.js'
import { startWordPress } from './support/wordpress-site.js'
import type { WordPressSite } from './support/wordpress-site.js'

const PLUGIN_MAIN = `<?php
/**
 * Plugin Name: Hello WPRM
 * Description: Fixture for the WordPress harness proof test.
 * Version: 1.0.0
 */
`

let site: WordPressSite

beforeAll(async () => {
  const started = Date.now()
  site = await startWordPress()
  console.log(`WordPress site up at ${site.url} in ${Date.now() - started} ms`)
})

afterAll(async () => {
  await site?.stop()
})

/** Runs PHP on the site and returns what it printed; fails the test on a non-zero exit. */
async function php(code: string): Promise<string> {
  const result = await site.runPhp(code)
  expect(result, result.stderr).toMatchObject({ exitCode: 0 })
  return result.stdout
}

describe('real WordPress site on loopback', () => {
  it('serves the home page and the login page', async () => {
    expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const home = await site.get('/')
    expect(home.status).toBe(200)
    expect(home.body).toContain('WPRM test site')
    const login = await site.get('/wp-login.php')
    expect(login.status).toBe(200)
    expect(login.body).toContain('user_login')
  })

  it('logs the admin in for wp-admin pages, and keeps WordPress temp files in a folder of the site', async () => {
    expect((await site.get('/wp-admin/')).status).toBe(302)
    const dashboard = await site.getAsAdmin('/wp-admin/')
    expect(dashboard.status).toBe(200)
    expect(dashboard.body).toContain('Dashboard')
    expect(await php('echo get_temp_dir();')).toBe(`${site.tempDir}/`)
  })

  it('installs and activates a plugin through PHP', async () => {
    const out = await php(`
      $dir = WP_PLUGIN_DIR . '/hello-wprm';
      wp_mkdir_p($dir);
      file_put_contents($dir . '/hello-wprm.php', ${phpString(PLUGIN_MAIN)});
      $activated = activate_plugin('hello-wprm/hello-wprm.php');
      wp_clean_plugins_cache();
      $plugins = get_plugins();
      echo json_encode(array(
        'activated' => !is_wp_error($activated),
        'version' => $plugins['hello-wprm/hello-wprm.php']['Version'] ?? null,
        'active' => is_plugin_active('hello-wprm/hello-wprm.php'),
        'pluginDir' => WP_PLUGIN_DIR,
      ));
    `)
    expect(JSON.parse(out)).toEqual({ activated: true, version: '1.0.0', active: true, pluginDir: site.pluginsDir })
  })

  it('has the upgrader available and checks for updates without the internet', async () => {
    const out = await php(`
      $upgrader = new Plugin_Upgrader(new Automatic_Upgrader_Skin());
      $started = microtime(true);
      wp_update_plugins();
      echo json_encode(array(
        'upgrader' => get_class($upgrader),
        'seconds' => microtime(true) - $started,
        // Set before the request goes out, so it proves the check really ran.
        'lastChecked' => get_site_transient('update_plugins')->last_checked ?? null,
      ));
    `)
    const result = JSON.parse(out) as { upgrader: string; seconds: number; lastChecked: number | null }
    expect(result.upgrader).toBe('Plugin_Upgrader')
    // Blocked at once by the mu-plugin rather than waiting on a network timeout.
    expect(result.seconds).toBeLessThan(5)
    expect(result.lastChecked).toEqual(expect.any(Number))
    const blocked = await site.blockedRequests()
    expect(blocked.some((url) => new URL(url).hostname === 'api.wordpress.org')).toBe(true)
    expect(blocked.every((url) => new URL(url).hostname !== '127.0.0.1')).toBe(true)
    expect(await site.debugLog()).not.toMatch(/PHP (Fatal|Parse) error/)
  })
})
