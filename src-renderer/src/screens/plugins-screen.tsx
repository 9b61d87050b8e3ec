import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { PluginSummary, SourceStatus } from '../../../src-preload/api'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { StatusBadge, Tag } from '../components/status-badge'
import { formatDate, shortPath } from '../lib/format'
import { useApp } from '../store/app-store'

/** Adds a plugin from its folder: typed, or chosen with the native dialog in the desktop window. */
function AddPluginForm() {
  const [folder, setFolder] = useState('')
  const op = useApp((s) => s.addPluginOp)
  const addPlugin = useApp((s) => s.addPlugin)
  const canPick = useApp((s) => s.canPickFiles)
  const pickFolder = useApp((s) => s.pickFolder)

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const added = await addPlugin(folder)
    // The new row appears in the list above; the user opens it from there.
    if (added !== null) setFolder('')
  }
  const browse = async (): Promise<void> => {
    const chosen = await pickFolder("Choose the plugin's source folder")
    if (chosen !== null) setFolder(chosen)
  }
  return (
    <form className="card add-plugin" onSubmit={submit} aria-label="Add a plugin">
      <h2 className="card__title">Add a plugin</h2>
      <p className="card__help">
        Choose the folder that holds the plugin's main PHP file. Its header gives the name, slug and version constant.
      </p>
      <div className="row row--end">
        <label className="field field--grow">
          <span className="field__label">Source folder</span>
          <input
            type="text"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="/home/me/src/my-plugin"
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        {canPick && (
          <button type="button" className="button" onClick={() => void browse()}>
            Browse…
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={op.busy}>
          {op.busy ? 'Adding…' : 'Add plugin'}
        </button>
      </div>
      <ErrorNotice error={op.error} title="The plugin was not added" />
    </form>
  )
}

/** The source column: its version, and whether it changed since the last build. */
function SourceCell({ source }: { readonly source: SourceStatus | undefined }) {
  if (source === undefined) return <span className="muted">…</span>
  if (source.state === 'missing') return <Tag tone="bad">Folder missing</Tag>
  if (source.state === 'invalid') return <Tag tone="bad">Unreadable header</Tag>
  return (
    <span className="badges">
      <span className="mono">{source.source?.header_version ?? '—'}</span>
      {source.changed_files.length > 0 && (
        <Tag tone="warn" title={source.changed_files.join('\n')}>
          Changed since last build
        </Tag>
      )}
      {source.warnings.length > 0 && (
        <Tag tone="bad" title={source.warnings.join('\n')}>
          {source.warnings.length === 1 ? '1 warning' : `${source.warnings.length} warnings`}
        </Tag>
      )}
    </span>
  )
}

function PluginRow({
  summary,
  source,
  onOpen
}: {
  readonly summary: PluginSummary
  readonly source: SourceStatus | undefined
  readonly onOpen: () => void
}) {
  const { plugin, latest_live: live } = summary
  return (
    <tr>
      <td className="nowrap">
        <button type="button" className="link-button" onClick={onOpen} aria-label={`Open ${plugin.name}`}>
          {plugin.name}
        </button>
        <div className="muted mono small">{plugin.slug}</div>
      </td>
      <td className="path" title={plugin.source_dir}>
        {shortPath(plugin.source_dir, 2)}
      </td>
      <td>
        <SourceCell source={source} />
      </td>
      <td className="mono">{live?.version ?? '—'}</td>
      <td>
        {live === null ? <Tag>{summary.version_count === 0 ? 'No versions' : 'Not released'}</Tag> : <StatusBadge status={live.status} />}
      </td>
      <td>{plugin.server ?? <span className="muted">none</span>}</td>
      <td className="muted small nowrap" title={plugin.published_at ?? undefined}>
        {formatDate(plugin.published_at)}
      </td>
    </tr>
  )
}

/** Plugins: every plugin with its source, live version and status; add one from its folder. */
export function PluginsScreen() {
  const plugins = useApp((s) => s.plugins)
  const loaded = useApp((s) => s.pluginsLoaded)
  const op = useApp((s) => s.pluginsOp)
  const sources = useApp((s) => s.sources)
  const loadPlugins = useApp((s) => s.loadPlugins)
  const navigate = useApp((s) => s.navigate)

  useEffect(() => {
    void loadPlugins()
  }, [loadPlugins])

  const open = (slug: string): void => navigate('releases', slug)
  return (
    <>
      <PageHeader title="Plugins" subtitle="Each plugin, its source folder and what sites are offered now." />
      <ErrorNotice error={op.error} title="The plugins could not be read" />
      {loaded && plugins.length === 0 && !op.error ? (
        <EmptyState title="No plugins yet">
          Add your first plugin below: choose its source folder. Then create a version and release it; set an update server on the plugin's
          page to publish it to sites.
        </EmptyState>
      ) : (
        plugins.length > 0 && (
          <div className="card card--flush">
            <table className="table" aria-label="Plugins">
              <thead>
                <tr>
                  <th scope="col">Plugin</th>
                  <th scope="col">Source folder</th>
                  <th scope="col">Source version</th>
                  <th scope="col">Live version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Server</th>
                  <th scope="col">Published</th>
                </tr>
              </thead>
              <tbody>
                {plugins.map((p) => (
                  <PluginRow key={p.plugin.slug} summary={p} source={sources[p.plugin.slug]} onOpen={() => open(p.plugin.slug)} />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      <AddPluginForm />
    </>
  )
}
