import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { phpString } from './support/php-literal.js'
import { TEST_THEME } from './support/site-files.js'
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

  it('has a theme of its own, active and the only one, so the front page runs wp_head and wp_footer whatever Debian installed', async () => {
    expect(site.theme).toBe(TEST_THEME)
    const out = JSON.parse(
      await php(
        `echo json_encode(array('stylesheet' => get_stylesheet(), 'template' => get_template(), 'themes' => array_keys(wp_get_themes()), 'root' => get_theme_root()));`
      )
    ) as { stylesheet: string; template: string; themes: string[]; root: string }
    // Debian's recommended theme (twentytwentythree) is never copied: the site is the same with or without it.
    expect(out).toEqual({ stylesheet: TEST_THEME, template: TEST_THEME, themes: [TEST_THEME], root: `${site.dir}/wp-content/themes` })

    // Something hooked to wp_footer, as the updater tests' plugin does, shows up in the page.
    await php(`
      wp_mkdir_p(WPMU_PLUGIN_DIR);
      file_put_contents(WPMU_PLUGIN_DIR . '/footer-mark.php', "<?php add_action('wp_footer', function () { echo '<!-- footer-mark -->'; });");
    `)
    const home = await site.get('/')
    await php(`unlink(WPMU_PLUGIN_DIR . '/footer-mark.php');`)
    expect(home.status).toBe(200)
    expect(home.body).toContain('<!-- wprm-test-theme -->')
    // wp_head prints the generator tag by default; wp_footer printed the mark, after the theme's own markup.
    expect(home.body).toMatch(/<meta name="generator" content="WordPress [\d.]+"/)
    expect(home.body.indexOf('<!-- footer-mark -->')).toBeGreaterThan(home.body.indexOf('<!-- wprm-test-theme -->'))
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
