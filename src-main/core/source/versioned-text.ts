import type { PluginRecord } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { rewriteMainFile, rewriteStableTag } from './plugin-source.js'

/** What of a plugin record decides which of its files carry the version. */
export type VersionCarrier = Pick<PluginRecord, 'main_file' | 'version_constant'>

/** The files that carry the version: the main file (header and constant) and the top readme.txt (Stable tag). */
type VersionRole = 'main-file' | 'readme'

function roleOf(plugin: VersionCarrier, relPath: string): VersionRole | null {
  // The source scan gives NFC names; a record written from a decomposed name still means the same file.
  if (relPath.normalize('NFC') === plugin.main_file.normalize('NFC')) return 'main-file'
  if (relPath.toLowerCase() === 'readme.txt') return 'readme'
  return null
}

/** True when a file (path relative to the source folder, `/`-separated) carries the version. */
export function carriesVersion(plugin: VersionCarrier, relPath: string): boolean {
  return roleOf(plugin, relPath) !== null
}

/**
 * A source file's text as it ships in a version: the main file with its `Version:` header and version
 * constant set, readme.txt with its `Stable tag:` set, any other file as it is. The build writes this
 * into the ZIP, the source status compares with it, `bump` writes it into the source: one rule for all three.
 *
 * Texts are SOURCE_ENCODING strings. Throws `source-invalid` when the main file has no Version header or
 * the plugin's version constant is not defined in it.
 */
export function versionedText(plugin: VersionCarrier, relPath: string, text: string, version: string): string {
  switch (roleOf(plugin, relPath)) {
    case 'main-file': {
      const rewritten = rewriteMainFile(text, version, plugin.version_constant)
      if (plugin.version_constant !== null && !rewritten.constantFound) {
        throw new WprmError(
          'source-invalid',
          `The version constant ${plugin.version_constant} is not defined in ${plugin.main_file}.`,
          `Define it there (define('${plugin.version_constant}', '${version}');), or change the plugin's version constant.`
        )
      }
      return rewritten.text
    }
    case 'readme':
      return rewriteStableTag(text, version)
    case null:
      return text
  }
}
