import { useEffect, useState } from 'react'
import type { PluginDetails, SourceStatus } from '../../../src-preload/api'
import { ErrorNotice } from '../components/error-notice'
import { Tag } from '../components/status-badge'
import { formatDateTime, shortPath } from '../lib/format'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'

/**
 * The plugin's source as the watcher sees it: header version and constant, what changed since the last
 * build, the warnings, and the one-click "Write version into source".
 */
export function SourcePanel({ details, status }: { readonly details: PluginDetails; readonly status: SourceStatus | undefined }) {
  const { plugin } = details
  const slug = plugin.slug
  const bumpOp = useApp((s) => s.bumpOps[slug] ?? IDLE)
  const bumpSource = useApp((s) => s.bumpSource)
  // The version to write defaults to the newest one recorded: the source usually lags behind it.
  const newest = details.versions[0]?.version ?? ''
  const [version, setVersion] = useState(newest)
  useEffect(() => setVersion(newest), [newest])

  const info = status?.source ?? details.source
  const headerVersion = info?.header_version ?? null
  const constantVersion = info?.constant_version ?? null
  const changed = status?.changed_files ?? []
  const warnings = status?.warnings ?? []
  return (
    <section className="card" aria-labelledby={`source-${slug}`}>
      <div className="card__head">
        <h2 className="card__title" id={`source-${slug}`}>
          Source
        </h2>
        {changed.length > 0 && <Tag tone="warn">Changed since last build</Tag>}
      </div>
      <p className="path path--block mono small" title={plugin.source_dir}>
        {shortPath(plugin.source_dir, 4)}
      </p>
      {status?.state === 'missing' && (
        <p className="notice notice--warn">The source folder is missing (moved or deleted). Watching resumes when it is back.</p>
      )}
      {details.source_error !== null && status?.state !== 'missing' && <p className="notice notice--warn">{details.source_error}</p>}
      <dl className="facts">
        <dt>Header version</dt>
        <dd className="mono" aria-label="Header version">
          {headerVersion ?? '—'}
        </dd>
        <dt>Version constant</dt>
        <dd className="mono" aria-label="Version constant">
          {plugin.version_constant === null ? (
            <span className="muted">none detected</span>
          ) : (
            `${plugin.version_constant} = ${constantVersion ?? '—'}`
          )}
        </dd>
        <dt>Last built</dt>
        <dd className="mono">{status?.last_built ?? '—'}</dd>
        <dt>Checked</dt>
        <dd className="small muted">{formatDateTime(status?.checked_at)}</dd>
      </dl>
      {changed.length > 0 && (
        <details className="changed-files">
          <summary>
            {changed.length === 1 ? '1 file changed' : `${changed.length} files changed`} since {status?.last_built ?? 'the last build'}
          </summary>
          <ul className="mono small">
            {changed.map((file) => (
              <li key={file}>{file}</li>
            ))}
          </ul>
        </details>
      )}
      {warnings.length > 0 && (
        <ul className="notice notice--warn warnings" aria-label="Source warnings">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <form
        className="row row--end"
        onSubmit={(e) => {
          e.preventDefault()
          void bumpSource(slug, version.trim())
        }}
      >
        <label className="field field--narrow">
          <span className="field__label">Version to write</span>
          <input type="text" value={version} onChange={(e) => setVersion(e.target.value)} className="mono" spellCheck={false} />
        </label>
        <button type="submit" className="button" disabled={bumpOp.busy || version.trim() === ''}>
          {bumpOp.busy ? 'Writing…' : 'Write version into source'}
        </button>
      </form>
      <p className="card__help">
        Writes the header, the constant and readme.txt's Stable tag. Builds do this inside the ZIP anyway; this keeps the source in step.
      </p>
      <ErrorNotice error={bumpOp.error} title="The source was not changed" />
    </section>
  )
}
