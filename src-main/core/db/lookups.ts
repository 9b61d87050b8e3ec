import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../../src-shared/model.js'
import { compareVersions } from '../../../src-shared/versions.js'
import { WprmError } from '../errors.js'
import type { Database } from './store.js'

/** Finding records in the database, each with an error that names what there is. */

/** The plugin with that slug, or a clear error naming the ones there are. */
export function requirePlugin(db: Readonly<Database>, slug: string): PluginRecord {
  const plugin = db.plugins.find((p) => p.slug === slug)
  if (plugin !== undefined) return plugin
  const known = db.plugins.map((p) => p.slug)
  throw new WprmError(
    'not-found',
    `There is no plugin "${slug}".`,
    known.length === 0 ? 'Add one first: wprm plugin add <source-folder>.' : `Known plugins: ${known.join(', ')}.`
  )
}

/** The versions of a plugin, newest first. */
export function versionsOf(db: Readonly<Database>, slug: string): PluginVersionRecord[] {
  return db.versions.filter((v) => v.plugin === slug).sort((a, b) => compareVersions(b.version, a.version))
}

/** The version record, or a clear error. */
export function requireVersion(db: Readonly<Database>, slug: string, version: string): PluginVersionRecord {
  const record = db.versions.find((v) => v.plugin === slug && v.version === version)
  if (record !== undefined) return record
  throw new WprmError('not-found', `Plugin "${slug}" has no version ${version}.`, `List its versions with: wprm list ${slug}.`)
}

/** The server profile with that name, or a clear error naming the ones there are. */
export function requireServer(db: Readonly<Database>, name: string): ServerProfile {
  const server = db.servers.find((s) => s.name === name)
  if (server !== undefined) return server
  const known = db.servers.map((s) => s.name)
  throw new WprmError(
    'not-found',
    `There is no server "${name}".`,
    known.length === 0
      ? 'Add one with: wprm server add <name> --host … (see wprm server add --help).'
      : `Known servers: ${known.join(', ')}.`
  )
}
