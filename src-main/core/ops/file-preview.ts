import type { FilePreview, PluginVersionRecord } from '../../../src-shared/model.js'
import { compareVersions, parseVersion } from '../../../src-shared/versions.js'
import type { PreviousZip } from '../build/file-preview.js'
import { previewBuiltZip, previewSource } from '../build/file-preview.js'
import { requirePlugin, versionsOf } from '../db/lookups.js'
import { WprmError } from '../errors.js'
import { readSourceInfo } from '../source/plugin-source.js'
import type { ReleaseContext } from './context.js'

/** The newest version below `version` that was released and still has its ZIP recorded: the last release. */
function lastReleaseBefore(versions: readonly PluginVersionRecord[], version: string): PreviousZip | null {
  const previous = versions
    .filter((v) => v.status !== 'draft' && v.file_path !== null && compareVersions(v.version, version) < 0)
    .sort((a, b) => compareVersions(b.version, a.version))[0]
  return previous === undefined ? null : { version: previous.version, filePath: previous.file_path! }
}

/**
 * What a version's ZIP would hold (`wprm files <slug> [<version>]`): a built version lists its ZIP, any
 * other is previewed from the source as a build would take it now. Without a version, the one the
 * source's header names. Nothing is written.
 */
export async function previewFiles(ctx: ReleaseContext, slug: string, version?: string): Promise<FilePreview> {
  const db = await ctx.store.read()
  const plugin = requirePlugin(db, slug)
  const versions = versionsOf(db, slug)
  let target = version
  if (target === undefined) {
    const source = await readSourceInfo(plugin.source_dir, plugin.main_file, plugin.version_constant)
    if (source.header_version === null) {
      throw new WprmError(
        'source-invalid',
        `${plugin.main_file} has no "Version:" header.`,
        `Name a version: wprm files ${slug} <version>.`
      )
    }
    target = source.header_version
  } else {
    parseVersion(target)
  }
  const record = versions.find((v) => v.version === target)
  const previous = lastReleaseBefore(versions, target)
  if (record?.file_path !== null && record?.file_path !== undefined) {
    return previewBuiltZip(plugin, target, record.file_path, record.allowed_files, previous)
  }
  return previewSource(plugin, target, record?.allowed_files ?? [], previous)
}
