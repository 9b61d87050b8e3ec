import { readFile, stat } from 'node:fs/promises'
import zlib from 'node:zlib'
import type { PluginRecord, PluginVersionRecord, SourceStatus } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { SOURCE_ENCODING, readSourceInfo } from '../source/plugin-source.js'
import { carriesVersion, versionedText } from '../source/versioned-text.js'
import { collectSourceEntries } from '../build/source-files.js'
import { compareVersions, latestLive } from '../../../src-shared/versions.js'
import { readCentralDirectory } from '../build/zip-inspect.js'

/** The newest version that has a ZIP: what "changed since the last build" compares with. */
function lastBuilt(versions: readonly PluginVersionRecord[]): PluginVersionRecord | null {
  return [...versions].filter((v) => v.file_path !== null).sort((a, b) => compareVersions(b.version, a.version))[0] ?? null
}

/**
 * Files added, changed or removed in the source since a ZIP was built, judged as the build would see
 * them: ignore rules applied, and the main file and readme with that version written in.
 */
async function changedSince(plugin: PluginRecord, built: PluginVersionRecord): Promise<string[]> {
  const zipEntries = await readCentralDirectory(built.file_path!)
  const prefix = `${plugin.slug}/`
  const inZip = new Map(
    [...zipEntries]
      .filter(([name]) => name.startsWith(prefix) && !name.endsWith('/'))
      .map(([name, entry]) => [name.slice(prefix.length), entry])
  )
  const changed: string[] = []
  for (const entry of await collectSourceEntries(plugin.source_dir)) {
    if (entry.kind !== 'file') continue
    const recorded = inZip.get(entry.relPath)
    inZip.delete(entry.relPath)
    if (recorded === undefined) {
      changed.push(entry.relPath)
      continue
    }
    let bytes = await readFile(entry.absPath)
    if (carriesVersion(plugin, entry.relPath)) {
      try {
        bytes = Buffer.from(versionedText(plugin, entry.relPath, bytes.toString(SOURCE_ENCODING), built.version), SOURCE_ENCODING)
      } catch {
        // The build would refuse this file (no Version header, constant gone): it is not what the ZIP holds.
        changed.push(entry.relPath)
        continue
      }
    }
    if (bytes.length !== recorded.size || zlib.crc32(bytes) >>> 0 !== recorded.crc32 >>> 0) changed.push(entry.relPath)
  }
  return [...changed, ...inZip.keys()].sort()
}

/** The source folder's state: versions, warnings, and what changed since the last build. */
export async function computeSourceStatus(
  plugin: PluginRecord,
  versions: readonly PluginVersionRecord[],
  now: Date
): Promise<SourceStatus> {
  const base = { slug: plugin.slug, checked_at: now.toISOString() }
  const folder = await stat(plugin.source_dir).catch(() => null)
  if (folder === null || !folder.isDirectory()) {
    return {
      ...base,
      state: 'missing',
      source: null,
      last_built: null,
      changed_files: [],
      warnings: [`The source folder ${plugin.source_dir} is gone (moved or removed). Watching resumes when it is back.`]
    }
  }
  let source
  try {
    source = await readSourceInfo(plugin.source_dir, plugin.main_file, plugin.version_constant)
  } catch (error) {
    if (!(error instanceof WprmError)) throw error
    return { ...base, state: 'invalid', source: null, last_built: null, changed_files: [], warnings: [`${error.message} ${error.hint}`] }
  }
  const warnings: string[] = []
  if (plugin.version_constant !== null && source.constant_version !== null && source.constant_version !== source.header_version) {
    warnings.push(`The header says ${source.header_version} but ${plugin.version_constant} says ${source.constant_version}.`)
  }
  if (plugin.version_constant !== null && source.constant_version === null)
    warnings.push(`${plugin.version_constant} is not defined in ${plugin.main_file}.`)
  const live = latestLive(versions)
  if (
    live !== null &&
    source.header_version !== null &&
    /^\d+\.\d+\.\d+$/.test(source.header_version) &&
    compareVersions(source.header_version, live.version) < 0
  ) {
    warnings.push(
      `The source says ${source.header_version}, lower than the latest release ${live.version}: write the next version into the source.`
    )
  }
  const built = lastBuilt(versions)
  let changed: string[] = []
  if (built !== null) {
    try {
      changed = await changedSince(plugin, built)
    } catch (error) {
      if (!(error instanceof WprmError)) throw error
      warnings.push(error.message)
    }
  }
  return { ...base, state: 'ok', source, last_built: built?.version ?? null, changed_files: changed, warnings }
}
