import { useEffect } from 'react'
import type { FilePreview, UnsafeFile } from '../../../src-preload/api'
import { changeCounts, describeExclusion } from '../../../src-shared/file-preview'
import { formatBytes } from '../../../src-shared/format'
import { versionCodeOrNull } from '../../../src-shared/versions'
import { useApp } from '../store/app-store'
import { previewKey } from '../store/files-slice'
import { IDLE } from '../store/types'
import { ErrorNotice } from './error-notice'
import { Tag } from './status-badge'

/** How long the version must stay unchanged while typing before the source is read. */
const TYPING_PAUSE_MS = 250

const CHANGE_LABELS = { added: 'Added', changed: 'Changed' } as const

function findingText(finding: UnsafeFile): string {
  return `${finding.path}${finding.line === null ? '' : ` line ${finding.line}`} — ${finding.reason}`
}

/** The guard's findings: those that would stop the build (with a way to allow each), then those allowed. */
function Findings({
  preview,
  allow,
  onAllowChange
}: {
  readonly preview: FilePreview
  readonly allow: readonly string[]
  readonly onAllowChange?: (allow: readonly string[]) => void
}) {
  const allowed = (path: string): boolean => preview.allowed.includes(path) || allow.includes(path)
  const blocking = preview.unsafe.filter((f) => !allowed(f.path))
  const letThrough = preview.unsafe.filter((f) => allowed(f.path))
  if (preview.unsafe.length === 0) return null
  const toggle = (path: string, on: boolean): void => onAllowChange?.(on ? [...new Set([...allow, path])] : allow.filter((p) => p !== path))
  return (
    <div className={`notice ${blocking.length > 0 ? 'notice--error' : 'notice--warn'}`} role={blocking.length > 0 ? 'alert' : 'status'}>
      <p className="notice__title">
        {blocking.length > 0
          ? `The build would stop: ${blocking.length === 1 ? 'a file that should never ship is' : `${blocking.length} files that should never ship are`} in the source`
          : 'Flagged files are allowed into this version'}
      </p>
      <ul className="files__findings" aria-label="Flagged files">
        {preview.unsafe.map((finding) => (
          <li key={`${finding.path}:${finding.line ?? ''}`}>
            {onAllowChange !== undefined && !preview.allowed.includes(finding.path) ? (
              <label>
                <input type="checkbox" checked={allow.includes(finding.path)} onChange={(e) => toggle(finding.path, e.target.checked)} />{' '}
                <span className="mono">{findingText(finding)}</span> <span className="muted small">(allow in this version)</span>
              </label>
            ) : (
              <span className="mono">
                {findingText(finding)}
                {allowed(finding.path) ? ' (allowed)' : ''}
              </span>
            )}
          </li>
        ))}
      </ul>
      {blocking.length > 0 && (
        <p className="notice__hint">
          Leave them out with lines in .distignore ({blocking.map((f) => `/${f.path}`).join(' ')}), or allow one that must ship: it is
          recorded on the version.
        </p>
      )}
      {letThrough.length > 0 && blocking.length === 0 && (
        <p className="notice__hint">They go into the ZIP, and the version records that they were allowed.</p>
      )}
    </div>
  )
}

/**
 * What goes into a version's ZIP, before it ships: the files (with what changed since the last release),
 * what the guard flags, what is left out and by which rule, and a suggested .distignore. The same
 * preview as `wprm files`.
 */
export function FilePreviewPanel({
  slug,
  version,
  allow = [],
  onAllowChange
}: {
  readonly slug: string
  readonly version: string
  readonly allow?: readonly string[]
  readonly onAllowChange?: (allow: readonly string[]) => void
}) {
  const key = previewKey(slug, version)
  const preview = useApp((s) => s.filePreviews[key])
  const op = useApp((s) => s.filePreviewOps[key] ?? IDLE)
  const loadFilePreview = useApp((s) => s.loadFilePreview)
  // The source watcher's last look: a file saved in the folder lists the files again.
  const sourceSeen = useApp((s) => s.sources[slug]?.checked_at ?? null)
  const valid = versionCodeOrNull(version) !== null

  useEffect(() => {
    if (!valid) return
    const timer = setTimeout(() => void loadFilePreview(slug, version), TYPING_PAUSE_MS)
    return () => clearTimeout(timer)
  }, [slug, version, valid, sourceSeen, loadFilePreview])

  const title = `Files of ${slug} ${version}`
  if (!valid) return null
  if (preview === undefined) {
    return (
      <section className="files" aria-label={title}>
        {op.error !== null ? (
          <ErrorNotice error={op.error} title="The files could not be listed" />
        ) : (
          <p className="muted small">Listing the files…</p>
        )}
      </section>
    )
  }
  const counts = changeCounts(preview)
  const changes = preview.files.filter((f) => f.change === 'added' || f.change === 'changed')
  return (
    <section className="files" aria-label={title}>
      <p className="files__summary">
        <strong>What goes into the ZIP:</strong> {preview.files.length} files, {formatBytes(preview.total_size)}
        {preview.from === 'zip' ? ' (as built)' : ''}
        {preview.compared_with === null ? (
          <span className="muted"> · no earlier release to compare with</span>
        ) : (
          <span>
            {' '}
            · since {preview.compared_with}: {counts.added} added, {counts.changed} changed, {counts.removed} removed
          </span>
        )}
      </p>
      <Findings preview={preview} allow={allow} onAllowChange={onAllowChange} />
      {(changes.length > 0 || preview.removed.length > 0) && (
        <ul className="files__changes" aria-label={`Changes since ${preview.compared_with}`}>
          {changes.map((f) => (
            <li key={f.path}>
              <Tag tone={f.change === 'added' ? 'ok' : 'info'}>{CHANGE_LABELS[f.change as 'added' | 'changed']}</Tag>{' '}
              <span className="mono">{f.path}</span> <span className="muted small">{formatBytes(f.size)}</span>
            </li>
          ))}
          {preview.removed.map((path) => (
            <li key={path}>
              <Tag tone="bad">Removed</Tag> <span className="mono">{path}</span>
            </li>
          ))}
        </ul>
      )}
      <details className="files__more">
        <summary>All {preview.files.length} files</summary>
        <table className="table table--compact" aria-label="Files in the ZIP">
          <tbody>
            {preview.files.map((f) => (
              <tr key={f.path}>
                <td className="mono">{f.path}</td>
                <td className="num nowrap">{formatBytes(f.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {preview.excluded.length > 0 && (
        <details className="files__more">
          <summary>Left out ({preview.excluded.length})</summary>
          <table className="table table--compact" aria-label="Left out of the ZIP">
            <tbody>
              {preview.excluded.map((e) => (
                <tr key={e.path}>
                  <td className="mono">
                    {e.path}
                    {e.kind === 'directory' ? '/' : ''}
                  </td>
                  <td className="muted small">{describeExclusion(e.rule)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {!preview.has_distignore && (
        <details className="files__more">
          <summary>No .distignore: only the default list leaves files out</summary>
          {preview.suggested_distignore === null ? (
            <p className="muted small">Nothing to add to the defaults.</p>
          ) : (
            <pre className="mono small" aria-label="Suggested .distignore">
              {preview.suggested_distignore}
            </pre>
          )}
        </details>
      )}
      {preview.warnings.length > 0 && (
        <ul className="muted small" aria-label="Build warnings">
          {preview.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </section>
  )
}
