import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { requireInstalledFile } from '../../support/require-tool.js'
import { runChecked } from './processes.js'

/** Where Debian's wordpress package installs the WordPress tree. */
export const DEBIAN_WORDPRESS_DIR = '/usr/share/wordpress'

/** Throws the one-line "not installed" error when Debian's wordpress package is missing. */
export function requireWordPressTree(): void {
  requireInstalledFile(join(DEBIAN_WORDPRESS_DIR, 'wp-load.php'), 'WordPress', 'wordpress')
}

/**
 * Copies Debian's WordPress into `siteDir` as real files.
 * -L because the Debian tree symlinks into /usr/share/php, /usr/share/javascript and /etc; a real copy lets the
 * upgrader write plugin folders without any chance of touching the system's files. wp-content/languages (a third of the size) is
 * skipped: the site is English and the copy is on every start's critical path.
 */
export async function copyWordPressTree(siteDir: string): Promise<void> {
  await mkdir(join(siteDir, 'wp-content'), { recursive: true })
  const top = (await readdir(DEBIAN_WORDPRESS_DIR)).filter((name) => name !== 'wp-content')
  const content = (await readdir(join(DEBIAN_WORDPRESS_DIR, 'wp-content'))).filter((name) => name !== 'languages')
  await Promise.all([
    runChecked('cp', ['-rL', ...top.map((name) => join(DEBIAN_WORDPRESS_DIR, name)), siteDir]),
    runChecked('cp', ['-rL', ...content.map((name) => join(DEBIAN_WORDPRESS_DIR, 'wp-content', name)), join(siteDir, 'wp-content')])
  ])
  await mkdir(join(siteDir, 'wp-content', 'mu-plugins'), { recursive: true })
  await mkdir(join(siteDir, 'wp-content', 'uploads'), { recursive: true })
}
