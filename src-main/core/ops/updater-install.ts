import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { UpdaterInstallResult } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-file.js'
import { MANIFEST_FILE, publicUrl } from '../remote/manifest.js'
import type { ReleaseContext } from './context.js'
import { requirePlugin, requireServer } from '../db/lookups.js'
import { UPDATER_FILE } from '../source/updater-file.js'
import { requireKey } from './keys.js'

/**
 * Where our PHP updater ships: `resources/wordpress/` of the checkout or of the packaged app. Found by
 * looking upwards from this module, so the CLI (out/cli/…) and the app bundle (out/main/…) both find it.
 */
export function findUpdaterSource(start: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start, i = 0; i < 8; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'resources', 'wordpress', UPDATER_FILE)
    if (existsSync(candidate)) return candidate
  }
  throw new Error(`the updater ${UPDATER_FILE} is missing from this installation's resources/wordpress folder`)
}

/** The updater's class name as its file declares it (it carries the updater's version). */
function updaterClass(php: string): string {
  const match = /final\s+class\s+(WPRM_Updater_\w+)/.exec(php)
  if (match === null) throw new Error(`${UPDATER_FILE} declares no WPRM_Updater_* class`)
  return match[1]!
}

/**
 * Copies the updater into the plugin's source and says which line registers it. The main file is not
 * edited: a release manager adds the line where it belongs.
 */
export async function installUpdater(
  ctx: ReleaseContext,
  slug: string,
  updaterSource: string = findUpdaterSource()
): Promise<UpdaterInstallResult> {
  const db = await ctx.store.read()
  const plugin = requirePlugin(db, slug)
  assertSourcePresent(plugin.source_dir)
  const php = await readFile(updaterSource, 'utf8')
  const target = path.join(plugin.source_dir, UPDATER_FILE)
  const current = await readFile(target, 'utf8').catch(() => null)
  if (current !== php) await writeFileAtomic(target, php, { mode: 0o644 })
  const manifestUrl = plugin.server === null ? null : publicUrl(requireServer(db, plugin.server), slug, MANIFEST_FILE)
  const className = updaterClass(php)
  const url = manifestUrl ?? `https://updates.example.com/plugins/${slug}/${MANIFEST_FILE}`
  // A signed plugin's line carries its public key: what sites trust until a rotation names another.
  const key = plugin.signing_key === null ? null : requireKey(db, plugin.signing_key)
  const options = key === null ? '' : `, array( 'keys' => array( '${key.public_key}' ) )`
  const line = `require_once __DIR__ . '/${UPDATER_FILE}'; ${className}::register( __FILE__, '${url}'${options} );`
  const mainText = await readFile(path.join(plugin.source_dir, plugin.main_file), 'utf8').catch(() => '')
  return {
    file: target,
    unchanged: current === php,
    line,
    update_uri_header: ` * Update URI: ${url}`,
    registered: mainText.includes(`${className}::register`) && (key === null || mainText.includes(key.public_key))
  }
}

/** Refuses to install into a plugin whose source is gone. */
function assertSourcePresent(dir: string): void {
  if (!existsSync(dir))
    throw new WprmError('source-invalid', `The source folder ${dir} does not exist.`, 'Point the plugin at its folder again.')
}
