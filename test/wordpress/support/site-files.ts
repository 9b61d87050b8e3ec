import { cp, mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { requireInstalledFile } from '../../support/require-tool.js'
import { runChecked } from './processes.js'

/** Where Debian's wordpress package installs the WordPress tree. */
export const DEBIAN_WORDPRESS_DIR = '/usr/share/wordpress'

/** The stylesheet (folder name) of the test site's own theme, the only theme the site has. */
export const TEST_THEME = 'wprm-test-theme'

/** The theme's source: a test fixture with style.css and an index.php that runs wp_head() and wp_footer(). */
export const TEST_THEME_DIR = fileURLToPath(new URL(`../fixtures/${TEST_THEME}`, import.meta.url))

/** Throws the one-line "not installed" error when Debian's wordpress package is missing. */
export function requireWordPressTree(): void {
  requireInstalledFile(join(DEBIAN_WORDPRESS_DIR, 'wp-load.php'), 'WordPress', 'wordpress')
}

/**
 * Copies Debian's WordPress into `siteDir` as real files.
 * -L because the Debian tree symlinks into /usr/share/php, /usr/share/javascript and /etc; a real copy lets the
 * upgrader write plugin folders without any chance of touching the system's files. wp-content/languages (a third of the size) is
 * skipped: the site is English and the copy is on every start's critical path.
 *
 * Debian's themes are skipped too and the test theme is the only one: the wordpress package only *recommends*
 * its theme, so `apt-get install --no-install-recommends` (as .ci/run does) leaves wp-content/themes empty, and a
 * site without a theme renders an empty front page. With its own theme the site is the same either way.
 */
export async function copyWordPressTree(siteDir: string): Promise<void> {
  await mkdir(join(siteDir, 'wp-content'), { recursive: true })
  const top = (await readdir(DEBIAN_WORDPRESS_DIR)).filter((name) => name !== 'wp-content')
  const content = (await readdir(join(DEBIAN_WORDPRESS_DIR, 'wp-content'))).filter((name) => name !== 'languages' && name !== 'themes')
  await Promise.all([
    runChecked('cp', ['-rL', ...top.map((name) => join(DEBIAN_WORDPRESS_DIR, name)), siteDir]),
    ...(content.length === 0
      ? []
      : [runChecked('cp', ['-rL', ...content.map((name) => join(DEBIAN_WORDPRESS_DIR, 'wp-content', name)), join(siteDir, 'wp-content')])]),
    cp(TEST_THEME_DIR, join(siteDir, 'wp-content', 'themes', TEST_THEME), { recursive: true })
  ])
  await mkdir(join(siteDir, 'wp-content', 'mu-plugins'), { recursive: true })
  await mkdir(join(siteDir, 'wp-content', 'uploads'), { recursive: true })
}
