import { phpString } from './php-literal.js'
import { cliRequestPreamble } from './php.js'

/** The administrator account created by wp_install(); the site is loopback-only and thrown away. */
export const TEST_ADMIN = { user: 'admin', password: 'wprm-test-password', email: 'admin@example.test' } as const

/**
 * PHP that runs WordPress's installer from the CLI and prints the new admin's id.
 * WP_INSTALLING stops wp-load from redirecting to install.php when the tables do not exist yet.
 */
export function renderInstallScript(siteDir: string, url: string): string {
  return [
    cliRequestPreamble(url),
    "define('WP_INSTALLING', true);",
    `require_once ${phpString(`${siteDir}/wp-load.php`)};`,
    "require_once ABSPATH . 'wp-admin/includes/upgrade.php';",
    // wp_install() probes pretty permalinks with a loopback request; whether php -S is up yet would decide the
    // outcome. Refusing every request during install makes plain permalinks the deterministic result.
    "add_filter('pre_http_request', function () { return new WP_Error('wprm_test_installing', 'No HTTP during install'); }, 0);",
    `$result = wp_install('WPRM test site', ${phpString(TEST_ADMIN.user)}, ${phpString(TEST_ADMIN.email)}, false, '', ${phpString(TEST_ADMIN.password)});`,
    "echo json_encode(array('user_id' => $result['user_id']));",
    ''
  ].join('\n')
}
