import type {
  ActivityEntry,
  BuildResult,
  ChangeStatusResult,
  FilePreview,
  PluginDetails,
  PluginRecord,
  PluginSummary,
  PluginVersionRecord,
  PublishResult,
  PullResult,
  RollbackResult,
  ServerProfile,
  VerifyCheck,
  VerifyReport
} from '../../src-preload/api.js'
import { changeCounts, describeExclusion } from '../../src-shared/file-preview.js'
import { formatBytes } from '../../src-shared/format.js'
import { targetAuth, targetSummary } from '../../src-shared/server-targets.js'
import { isLayoutFolderName } from '../../src-shared/slugs.js'
import { describeRollout } from '../../src-shared/rollout.js'
import { channelOf } from '../../src-shared/versions.js'

/** Lays rows out in aligned columns, for a terminal. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

function dash(value: string | number | null): string {
  return value === null || value === '' ? '-' : String(value)
}

/** The plugins list. */
export function formatPluginList(plugins: readonly PluginSummary[]): string {
  if (plugins.length === 0) return 'No plugins yet. Add one with: wprm plugin add <source-folder>'
  return table(
    ['SLUG', 'NAME', 'LIVE', 'VERSIONS', 'SOURCE'],
    plugins.map((p) => [p.plugin.slug, p.plugin.name, p.latest_live?.version ?? '-', String(p.version_count), p.plugin.source_dir])
  )
}

/** One plugin's settings. */
export function formatPlugin(plugin: PluginRecord): string {
  return [
    `${plugin.name} (${plugin.slug})`,
    `  source:           ${plugin.source_dir}`,
    `  main file:        ${plugin.main_file}`,
    `  version constant: ${plugin.version_constant ?? '- (not detected: only the header is rewritten)'}`,
    `  dist folder:      ${plugin.dist_dir}`,
    `  server:           ${plugin.server ?? '- (not published)'}${plugin.manifest_version > 0 ? `, manifest #${plugin.manifest_version}` : ''}`,
    `  expected strings: ${plugin.expected_strings.map((s) => JSON.stringify(s)).join(', ') || '-'}`,
    `  forbidden:        ${plugin.forbidden_strings.map((s) => JSON.stringify(s)).join(', ') || '-'}`
  ].join('\n')
}

/** A plugin with its source state and versions. */
export function formatPluginDetails(details: PluginDetails): string {
  const source = details.source
  const sourceLine =
    source === null
      ? `  source now:       unreadable (${details.source_error})`
      : `  source now:       Version ${dash(source.header_version)}, constant ${dash(source.constant_version)}, requires WP ${dash(source.requires_wp)}, PHP ${dash(source.requires_php)}`
  return [formatPlugin(details.plugin), sourceLine, '', formatVersionList(details.versions)].join('\n')
}

/** The versions table. */
export function formatVersionList(versions: readonly PluginVersionRecord[]): string {
  if (versions.length === 0) return 'No versions yet. Add one with: wprm version add <slug> <version> --changelog "…"'
  return table(
    ['VERSION', 'STATUS', 'CODE', 'SIZE', 'SHA-256', 'RELEASED', 'FORCE', 'CHANNEL', 'ROLLOUT'],
    versions.map((v) => [
      v.version,
      v.status,
      String(v.version_code),
      formatBytes(v.file_size, '-'),
      v.checksum?.slice(0, 12) ?? '-',
      v.released_at?.slice(0, 16).replace('T', ' ') ?? '-',
      v.force_update ? 'yes' : '',
      channelOf(v.version),
      `${v.rollout ? describeRollout(v, new Date()) : ''}${v.required === true ? `${v.rollout ? ', ' : ''}required` : ''}`
    ])
  )
}

/** A version's rollout in words, as of now. */
export function formatRollout(v: PluginVersionRecord): string {
  return describeRollout(v, new Date())
}

/** Every field of a version. */
export function formatVersion(v: PluginVersionRecord): string {
  const rows: [string, string][] = [
    ['version', v.version],
    ['status', v.status],
    ['version_code', String(v.version_code)],
    ['changelog', v.changelog],
    ['min_php_version', dash(v.min_php_version)],
    ['min_platform_version', dash(v.min_platform_version)],
    ['min_api_version', dash(v.min_api_version)],
    ['force_update', String(v.force_update)],
    ['channel', channelOf(v.version)],
    ['required', String(v.required === true)],
    ['rollout', formatRollout(v)],
    ['file_path', dash(v.file_path)],
    ['file_size', v.file_size === null ? '-' : `${v.file_size} (${formatBytes(v.file_size)})`],
    ['checksum', dash(v.checksum)],
    ['checksum_md5', dash(v.checksum_md5)],
    ['released_at', dash(v.released_at)],
    ['created_at', v.created_at],
    ['updated_at', v.updated_at]
  ]
  return rows.map(([key, value]) => `${key.padEnd(21)}${value}`).join('\n')
}

function formatBuild(build: BuildResult): string {
  const lines = [
    `  ${build.version}: ${build.reused ? 'kept identical' : 'built'} ${build.file_path}`,
    `    ${build.files} files, ${build.file_size} bytes (${formatBytes(build.file_size)})`,
    `    sha256 ${build.checksum}`,
    `    md5    ${build.checksum_md5}`
  ]
  return [...lines, ...build.warnings.map((w) => `    warning: ${w}`)].join('\n')
}

/** What a status change did. */
export function formatStatusChange(result: ChangeStatusResult): string {
  if (result.already === true) {
    return result.versions.map((v) => `${v.plugin} ${v.version} is already ${v.status.replace('_', ' ')}; nothing to do.`).join('\n')
  }
  const lines = result.versions.map((v) => `${v.plugin} ${v.version} is now ${v.status}`)
  return [...lines, ...result.builds.map(formatBuild), ...(result.publish ? [formatPublish(result.publish)] : [])].join('\n')
}

/** What a publish did, phase by phase. */
export function formatPublish(result: PublishResult): string {
  const phases = result.phases.map((p) => `${p.phase} ${(p.ms / 1000).toFixed(2)} s`).join(', ')
  return [
    `Published ${result.slug} to ${result.server}: manifest #${result.manifest_version}, ${result.latest} is live.`,
    `  uploaded: ${result.uploaded.join(', ') || 'nothing'}; already there: ${result.skipped.join(', ') || 'nothing'}`,
    `  manifest: ${result.manifest_url}`,
    ...result.notes.map((note) => `  note: ${note}`),
    `  took: ${phases}`
  ].join('\n')
}

/** One check as a line: ✓ or ✗, its title, and what it saw. */
export function formatCheck(check: VerifyCheck): string {
  return `${check.ok ? '✓' : '✗'} ${check.id}. ${check.title}\n     ${check.detail} (${check.ms} ms)`
}

/** The verification checklist. */
export function formatVerify(report: VerifyReport): string {
  const passed = report.checks.filter((c) => c.ok).length
  return [
    `Verification of ${report.slug} ${report.version}:`,
    ...report.checks.map(formatCheck),
    `${passed} passed, ${report.checks.length - passed} failed`,
    ...(report.notes ?? []).map((note) => `note: ${note}`)
  ].join('\n')
}

/** What a rollback did. */
export function formatRollback(result: RollbackResult): string {
  if (result.already === true) return `${result.slug} is already rolled back: ${result.live} is the newest live version; nothing to do.`
  return [
    `${result.slug} is rolled back to ${result.live}; revoked: ${result.revoked.join(', ') || 'none'}.`,
    ...(result.publish ? [formatPublish(result.publish)] : ['Not published: the plugin has no server.']),
    ...(result.verify ? [formatVerify(result.verify)] : [])
  ].join('\n')
}

/** The server profiles. */
export function formatServers(servers: readonly ServerProfile[]): string {
  if (servers.length === 0)
    return 'No servers yet. Add one with: wprm server add <name> --host H --user U --key FILE --remote-root DIR --public-url URL'
  return table(
    ['NAME', 'KIND', 'TARGET', 'AUTH', 'PUBLIC URL', 'HOST KEY'],
    servers.map((s) => [s.name, s.kind, targetSummary(s), targetAuth(s), s.public_url, s.kind === 'sftp' ? s.host_key_fingerprint : '-'])
  )
}

/** The activity log. */
export function formatActivity(entries: readonly ActivityEntry[]): string {
  if (entries.length === 0) return 'No activity yet.'
  return entries.map((e) => `${e.at.slice(0, 19).replace('T', ' ')}  ${(e.plugin || '-').padEnd(16)} ${e.summary}`).join('\n')
}

/** What a pull did, plugin by plugin. */
export function formatPull(results: readonly PullResult[]): string {
  if (results.length === 0) return 'No plugin has a server: nothing to pull.'
  return results
    .map((r) => {
      if (r.server === null) return `${r.slug}: no server, nothing to pull.`
      const changed = [
        r.added.length > 0 ? `added ${r.added.join(', ')}` : '',
        r.updated.length > 0 ? `updated ${r.updated.join(', ')}` : '',
        r.downloaded.length > 0 ? `downloaded ${r.downloaded.join(', ')} (SHA-256 checked)` : '',
        r.kept.length > 0 ? `kept ${r.kept.join(', ')} (only here)` : ''
      ].filter((part) => part !== '')
      const head =
        r.manifest_version === r.manifest_version_before
          ? `${r.slug}: up to date with ${r.server} (manifest #${r.manifest_version})`
          : `${r.slug}: took in manifest #${r.manifest_version} from ${r.server} (had #${r.manifest_version_before})`
      return changed.length === 0 ? `${head}.` : `${head}: ${changed.join('; ')}.`
    })
    .join('\n')
}

/** A plugin just added, saying where its slug came from when its folder's name could not give it. */
export function formatAddedPlugin(plugin: PluginRecord, sourceDir: string, slugGiven: boolean): string {
  const folder =
    sourceDir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .at(-1) ?? ''
  const lines = [`Added ${plugin.slug}.`]
  if (!slugGiven && isLayoutFolderName(folder)) {
    const fromFile = plugin.main_file.replace(/\.php$/i, '').toLowerCase() === plugin.slug
    lines.push(
      `The folder is named "${folder}", so the slug ${plugin.slug} comes from ${fromFile ? `the main file's name (${plugin.main_file})` : `its Text Domain header`}; give --slug to choose another.`
    )
  }
  if (plugin.server !== null)
    lines.push(`Publishes to ${plugin.server}; its state there is taken in (manifest #${plugin.manifest_version}).`)
  return [...lines, formatPlugin(plugin)].join('\n')
}

const CHANGE_MARKS = { added: '+', changed: '~', unchanged: ' ' } as const

/** `wprm files`: what the ZIP holds, what it leaves out and why, what the guard found, and the changes. */
export function formatFilePreview(preview: FilePreview): string {
  const files = preview.files
  const counts = changeCounts(preview)
  const compared =
    preview.compared_with === null
      ? ''
      : `; since ${preview.compared_with}: ${counts.added} added, ${counts.changed} changed, ${counts.removed} removed`
  const what = preview.from === 'zip' ? 'its built ZIP' : 'from the source now'
  const width = Math.max(0, ...files.map((f) => f.path.length), ...preview.excluded.map((e) => e.path.length + 1))
  const lines = [
    `${preview.slug} ${preview.version}: ${files.length} files, ${formatBytes(preview.total_size)} (${what}${compared})`,
    ...files.map((f) => `  ${f.change === null ? ' ' : CHANGE_MARKS[f.change]} ${f.path.padEnd(width)}  ${formatBytes(f.size)}`),
    ...preview.removed.map((p) => `  - ${p.padEnd(width)}  (removed)`)
  ]
  if (preview.excluded.length > 0) {
    lines.push(`Left out (${preview.excluded.length}):`)
    for (const e of preview.excluded)
      lines.push(`    ${`${e.path}${e.kind === 'directory' ? '/' : ''}`.padEnd(width)}  ${describeExclusion(e.rule)}`)
  }
  if (preview.unsafe.length > 0) {
    lines.push('Flagged by the secret and junk guard:')
    for (const f of preview.unsafe) {
      const where = `${f.path}${f.line === null ? '' : ` line ${f.line}`}`
      const verdict = preview.allowed.includes(f.path)
        ? 'allowed for this version'
        : `stops the build: add /${f.path} to .distignore, or --allow ${f.path}`
      lines.push(`  ${preview.allowed.includes(f.path) ? '✓' : '✗'} ${where} (${f.reason}): ${verdict}`)
    }
  }
  if (!preview.has_distignore) {
    lines.push(
      preview.suggested_distignore === null
        ? 'No .distignore: only the default list leaves files out.'
        : `No .distignore: only the default list leaves files out. A suggested one:\n${preview.suggested_distignore.trimEnd().replace(/^/gm, '    ')}`
    )
  }
  return [...lines, ...preview.warnings.map((w) => `warning: ${w}`)].join('\n')
}
