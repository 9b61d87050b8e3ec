import { access, mkdir, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import type { BuildResult, Job, PluginRecord, ProgressEvent } from '../../../src-shared/model.js'
import { hashFile } from './checksums.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { fillFileAtomic, symlinkAtomic } from '../fs/atomic-file.js'
import { SOURCE_ENCODING } from '../source/plugin-source.js'
import { carriesVersion, versionedText } from '../source/versioned-text.js'
import { missingDistignoreWarning } from './distignore-advice.js'
import { findUnsafeFiles, judgeFindings, unsafeFilesError } from './secret-guard.js'
import { DISTIGNORE_FILE, collectSourceEntries } from './source-files.js'
import type { SourceEntry } from './source-files.js'
import { UPDATER_FILE, unregisteredKeyProblem, updaterWarning } from '../source/updater-file.js'
import { writeZip } from './zip-writer.js'
import { latestLinkName, zipFileName } from './zip-names.js'
import type { ZipEntry, ZipWriteResult } from './zip-writer.js'

/** A build's wish list: which plugin, which version, and where progress goes. */
export interface BuildRequest {
  readonly plugin: PluginRecord
  readonly version: string
  readonly job: Job
  readonly onProgress?: (event: ProgressEvent) => void
  /** Files the secret and junk guard flags that this version may carry anyway (`--allow PATH`). */
  readonly allow?: readonly string[]
  /** A signed plugin's public key: its main file must register the updater with it, or sites could not verify. */
  readonly trustedKey?: string
}

/** The ZIP entries for the source, with the main file and readme.txt carrying the new version. */
export async function zipEntriesFor(
  plugin: PluginRecord,
  version: string,
  sources: readonly SourceEntry[],
  trustedKey?: string
): Promise<{ entries: ZipEntry[]; warnings: string[] }> {
  const warnings: string[] = []
  const mainEntry = sources.find((entry) => entry.kind === 'file' && entry.relPath === plugin.main_file.normalize('NFC'))
  if (mainEntry === undefined) {
    throw new WprmError(
      'source-invalid',
      `The main file ${plugin.main_file} is missing from ${plugin.source_dir} (or left out by .distignore).`,
      'Restore the file, or take it out of .distignore.'
    )
  }
  const mainText = versionedText(plugin, mainEntry.relPath, (await readFile(mainEntry.absPath)).toString(SOURCE_ENCODING), version)
  if (plugin.version_constant === null) warnings.push('No version constant is known for this plugin: only the Version header was set.')
  const carriesUpdater = sources.some((entry) => entry.kind === 'file' && path.posix.basename(entry.relPath) === UPDATER_FILE)
  const updaterNote = updaterWarning(plugin.slug, carriesUpdater, mainText)
  if (updaterNote !== null) warnings.push(updaterNote)
  const keyProblem = trustedKey === undefined ? null : unregisteredKeyProblem(plugin.slug, plugin.main_file, mainText, trustedKey)
  if (keyProblem !== null) throw keyProblem
  const entries: ZipEntry[] = [{ name: `${plugin.slug}/`, source: null }]
  for (const entry of sources) {
    const name = `${plugin.slug}/${entry.relPath}${entry.kind === 'directory' ? '/' : ''}`
    if (entry.kind === 'directory') {
      entries.push({ name, source: null })
    } else if (entry === mainEntry) {
      entries.push({ name, source: { kind: 'buffer', data: Buffer.from(mainText, SOURCE_ENCODING) } })
    } else if (carriesVersion(plugin, entry.relPath)) {
      const text = versionedText(plugin, entry.relPath, (await readFile(entry.absPath)).toString(SOURCE_ENCODING), version)
      entries.push({ name, source: { kind: 'buffer', data: Buffer.from(text, SOURCE_ENCODING) } })
    } else {
      entries.push({ name, source: { kind: 'file', path: entry.absPath, size: entry.size } })
    }
  }
  return { entries, warnings }
}

/**
 * Builds a version's distribution ZIP from the plugin's source, deterministically.
 *
 * The ZIP is written under a temporary name and linked into place only if no ZIP of that version
 * exists; an existing one with the same bytes is kept, one with other bytes is never overwritten.
 */
export async function buildVersionZip(request: BuildRequest): Promise<BuildResult> {
  const { plugin, version, job } = request
  const report = (phase: ProgressEvent['phase'], done: number, total: number, label: string): void =>
    request.onProgress?.({ job, phase, done, total, label })

  report('scan', 0, 0, `Scanning ${plugin.source_dir}`)
  const sources = await collectSourceEntries(plugin.source_dir, (found) => {
    if (found % 250 === 0) report('scan', found, 0, `Found ${found} files`)
  })
  const fileCount = sources.filter((entry) => entry.kind === 'file').length
  // Before anything is written: a secret found here never reaches a ZIP.
  const findings = await findUnsafeFiles(sources)
  const guard = judgeFindings(findings, request.allow ?? [])
  if (guard.blocking.length > 0) throw unsafeFilesError(plugin.slug, version, guard.blocking)
  report('scan', fileCount, fileCount, `Found ${fileCount} files`)
  const { entries, warnings } = await zipEntriesFor(plugin, version, sources, request.trustedKey)
  if (guard.allowed.length > 0) warnings.push(`Allowed into the ZIP although flagged: ${guard.allowed.join(', ')}.`)
  if (guard.unusedAllows.length > 0) warnings.push(`--allow named files the guard did not flag: ${guard.unusedAllows.join(', ')}.`)
  if (!(await hasDistignore(plugin.source_dir))) warnings.push(missingDistignoreWarning(plugin.slug, sources))

  await mkdir(plugin.dist_dir, { recursive: true })
  const finalPath = path.join(plugin.dist_dir, zipFileName(plugin.slug, version))
  const result = (written: ZipWriteResult, reused: boolean): BuildResult => ({
    version,
    file_path: finalPath,
    file_size: written.size,
    checksum: written.sha256,
    checksum_md5: written.md5,
    files: fileCount,
    reused,
    allowed_files: guard.allowed,
    warnings
  })
  let written: ZipWriteResult | undefined
  try {
    // Linked into place (exclusive): two builds of one version cannot overwrite each other.
    const placed = await fillFileAtomic(
      finalPath,
      async (tempPath) => {
        let lastReported = 0
        const zip = await writeZip(entries, tempPath, {
          reportPath: finalPath,
          onProgress: (done, total) => {
            // A progress event per file would flood IPC on large trees; a few hundred per build suffice.
            if (done === total || done - lastReported >= Math.max(1, Math.floor(total / 200))) {
              lastReported = done
              report('zip', done, total, `Compressing ${done}/${total}`)
            }
          }
        })
        report('hash', zip.size, zip.size, `SHA-256 ${zip.sha256.slice(0, 12)}…`)
        written = zip
        return zip
      },
      { exclusive: true }
    )
    return result(placed, false)
  } catch (error) {
    if (written === undefined || !isErrnoCode(error, 'EEXIST')) throw error
    await keepIdentical(finalPath, written.sha256)
    return result(written, true)
  }
}

/** Whether the plugin folder has its own `.distignore`. */
export async function hasDistignore(sourceDir: string): Promise<boolean> {
  return access(path.join(sourceDir, DISTIGNORE_FILE)).then(
    () => true,
    () => false
  )
}

/** A ZIP of this version is already there: kept when it has the same bytes, a conflict otherwise. */
async function keepIdentical(finalPath: string, sha256: string): Promise<void> {
  const existing = await hashFile(finalPath)
  if (existing.sha256 === sha256) return
  throw new WprmError(
    'zip-conflict',
    `${finalPath} already exists with other content (SHA-256 ${existing.sha256.slice(0, 12)}…, this build ${sha256.slice(0, 12)}…). A version's ZIP is never overwritten.`,
    'If the source changed, release it as a new version. If that file is a stray copy of a version that was never published, move it away and build again.'
  )
}

/**
 * Points `<slug>-latest.zip` at a version's ZIP, or removes it when no version is live.
 *
 * The new link is made under a temporary name and renamed over the old one, so the link is never
 * missing or half-made for anyone reading the folder.
 */
export async function pointLatestLink(distDir: string, slug: string, version: string | null): Promise<void> {
  const linkPath = path.join(distDir, latestLinkName(slug))
  if (version === null) {
    await unlink(linkPath).catch((error: unknown) => {
      if (!isErrnoCode(error, 'ENOENT')) throw error
    })
    return
  }
  await mkdir(distDir, { recursive: true })
  // A relative target keeps the link valid when the dist folder is moved or copied to a server.
  await symlinkAtomic(zipFileName(slug, version), linkPath)
}
