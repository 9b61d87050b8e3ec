import { readFile } from 'node:fs/promises'
import zlib from 'node:zlib'
import type { FilePreview, PluginRecord, PreviewExclusion, PreviewFile } from '../../../src-shared/model.js'
import { suggestDistignore } from './distignore-advice.js'
import { hasDistignore, zipEntriesFor } from './packager.js'
import { findUnsafeFiles, judgeFindings } from './secret-guard.js'
import { collectSourceEntries } from './source-files.js'
import type { CentralEntry } from './zip-inspect.js'
import { readCentralDirectory } from './zip-inspect.js'

/**
 * What a version's ZIP would hold, shown before anything ships: the same walk, rules, guard and version
 * rewrite as the build (`zipEntriesFor`), with the rule that left each path out and the changes since
 * the last release's ZIP.
 */

/** The release a preview compares with: its version and its ZIP on this machine. */
export interface PreviousZip {
  readonly version: string
  readonly filePath: string
}

/** The files of a ZIP's directory under `<slug>/`, by path inside the plugin folder. */
async function zipFiles(zipPath: string, slug: string): Promise<Map<string, CentralEntry>> {
  const prefix = `${slug}/`
  return new Map(
    [...(await readCentralDirectory(zipPath))]
      .filter(([name]) => name.startsWith(prefix) && !name.endsWith('/'))
      .map(([name, entry]) => [name.slice(prefix.length), entry])
  )
}

/** The previous ZIP's files, or null when there is none to compare with (or it cannot be read). */
async function previousFiles(previous: PreviousZip | null, slug: string): Promise<Map<string, CentralEntry> | null> {
  if (previous === null) return null
  return zipFiles(previous.filePath, slug).catch(() => null)
}

function changeOf(before: Map<string, CentralEntry> | null, path: string, size: number, crc: () => number): PreviewFile['change'] {
  if (before === null) return null
  const was = before.get(path)
  if (was === undefined) return 'added'
  return was.size === size && was.crc32 >>> 0 === crc() >>> 0 ? 'unchanged' : 'changed'
}

function removedSince(before: Map<string, CentralEntry> | null, files: readonly PreviewFile[]): string[] {
  if (before === null) return []
  const now = new Set(files.map((f) => f.path))
  return [...before.keys()].filter((p) => !now.has(p)).sort()
}

/**
 * Previews a build of `version` from the plugin's source as it is now. `allow` is what the version
 * allows through the guard; `previous` the release to compare with.
 */
export async function previewSource(
  plugin: PluginRecord,
  version: string,
  allow: readonly string[],
  previous: PreviousZip | null
): Promise<FilePreview> {
  const excluded: PreviewExclusion[] = []
  const sources = await collectSourceEntries(plugin.source_dir, undefined, (e) =>
    excluded.push({ path: e.relPath, kind: e.kind, rule: e.rule })
  )
  const [unsafe, { entries, warnings }, before, ownDistignore] = await Promise.all([
    findUnsafeFiles(sources),
    zipEntriesFor(plugin, version, sources),
    previousFiles(previous, plugin.slug),
    hasDistignore(plugin.source_dir)
  ])
  const prefix = `${plugin.slug}/`
  const files: PreviewFile[] = []
  for (const entry of entries) {
    if (entry.source === null) continue
    const path = entry.name.slice(prefix.length)
    const source = entry.source
    const size = source.kind === 'buffer' ? source.data.length : source.size
    // The bytes are read only when there is a ZIP to compare with, and only for a file of the same size.
    const data = before?.get(path)?.size === size ? (source.kind === 'buffer' ? source.data : await readFile(source.path)) : null
    files.push({ path, size, change: changeOf(before, path, size, () => (data === null ? -1 : zlib.crc32(data))) })
  }
  const verdict = judgeFindings(unsafe, allow)
  return {
    slug: plugin.slug,
    version,
    from: 'source',
    files,
    total_size: files.reduce((sum, f) => sum + f.size, 0),
    excluded: excluded.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    unsafe,
    allowed: verdict.allowed,
    has_distignore: ownDistignore,
    suggested_distignore: ownDistignore ? null : suggestDistignore(sources, verdict.blocking),
    compared_with: before === null ? null : previous!.version,
    removed: removedSince(before, files),
    warnings
  }
}

/** A built version's ZIP as it is: its own file list, compared with the release before it. */
export async function previewBuiltZip(
  plugin: PluginRecord,
  version: string,
  zipPath: string,
  allowed: readonly string[],
  previous: PreviousZip | null
): Promise<FilePreview> {
  const [now, before] = await Promise.all([zipFiles(zipPath, plugin.slug), previousFiles(previous, plugin.slug)])
  const files = [...now].map(([path, entry]): PreviewFile => ({
    path,
    size: entry.size,
    change: changeOf(before, path, entry.size, () => entry.crc32)
  }))
  return {
    slug: plugin.slug,
    version,
    from: 'zip',
    files,
    total_size: files.reduce((sum, f) => sum + f.size, 0),
    excluded: [],
    unsafe: [],
    allowed,
    has_distignore: await hasDistignore(plugin.source_dir),
    suggested_distignore: null,
    compared_with: before === null ? null : previous!.version,
    removed: removedSince(before, files),
    warnings: []
  }
}
