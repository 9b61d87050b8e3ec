import { phpString } from './php-literal.js'
import { cliRequestPreamble } from './php.js'

/** The administrator account created by wp_install(); the site is loopback-only and thrown away. */
export const TEST_ADMIN = { user: 'admin', password: 'wprm-test-password', email: 'admin@example.test' } as const

/** What the install script prints: the new admin's id and the theme that is active afterwards. */
export interface InstallOutput {
  user_id: number
  /** get_stylesheet() and get_template() after the switch: both the theme's folder name. */
  stylesheet: string
  template: string
  /** Theme errors WordPress found (e.g. 'theme_no_index'), empty when the theme is valid. */
  themeErrors: string[]
}

/**
 * PHP that runs WordPress's installer from the CLI, activates `theme`, and prints an InstallOutput as JSON.
 * WP_INSTALLING stops wp-load from redirecting to install.php when the tables do not exist yet.
 */
export function renderInstallScript(siteDir: string, url: string, theme: string): string {
  return [
    cliRequestPreamble(url),
    "define('WP_INSTALLING', true);",
    `require_once ${phpString(`${siteDir}/wp-load.php`)};`,
    "require_once ABSPATH . 'wp-admin/includes/upgrade.php';",
    // wp_install() probes pretty permalinks with a loopback request; whether php -S is up yet would decide the
    // outcome. Refusing every request during install makes plain permalinks the deterministic result.
    "add_filter('pre_http_request', function () { return new WP_Error('wprm_test_installing', 'No HTTP during install'); }, 0);",
    `$result = wp_install('WPRM test site', ${phpString(TEST_ADMIN.user)}, ${phpString(TEST_ADMIN.email)}, false, '', ${phpString(TEST_ADMIN.password)});`,
    // wp_install() chose WP_DEFAULT_THEME (twentytwentythree, which the site does not have); switch as the
    // Themes screen does, so that the front page renders through the test theme.
    `switch_theme(${phpString(theme)});`,
    'wp_clean_themes_cache();',
    '$errors = wp_get_theme()->errors();',
    "echo json_encode(array('user_id' => $result['user_id'], 'stylesheet' => get_stylesheet(), 'template' => get_template(), 'themeErrors' => is_wp_error($errors) ? $errors->get_error_codes() : array()));",
    ''
  ].join('\n')
}
