import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { PluginSummary, SourceStatus } from '../../../src-preload/api'
import { ConfirmPanel } from '../components/confirm-panel'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { StatusBadge, Tag } from '../components/status-badge'
import { formatDate, shortPath } from '../lib/format'
import { liveOnServer } from '../../../src-shared/undo-rules'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { ServerOptions } from '../components/server-options'

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

/** A folder field: typed, or chosen with the native dialog in the desktop window. */
function FolderField({
  label,
  browseLabel,
  value,
  onChange,
  pickTitle,
  placeholder
}: {
  readonly label: string
  readonly browseLabel: string
  readonly value: string
  readonly onChange: (value: string) => void
  readonly pickTitle: string
  readonly placeholder: string
}) {
  const canPick = useApp((s) => s.canPickFiles)
  const pickFolder = useApp((s) => s.pickFolder)
  const browse = async (): Promise<void> => {
    const chosen = await pickFolder(pickTitle)
    if (chosen !== null) onChange(chosen)
  }
  return (
    <div className="row row--end">
      <label className="field field--grow">
        <span className="field__label">{label}</span>
        <input
          type="text"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
        />
      </label>
      {canPick && (
        <button type="button" className="button" onClick={() => void browse()} aria-label={browseLabel}>
          Browse…
        </button>
      )}
    </div>
  )
}

/**
 * Imports a plugin another workstation publishes: from the server's ledger, with every version and the
 * ZIPs of the live and kept ones, so this workstation can roll back a version it never built.
 */
function ImportPluginForm() {
  const servers = useApp((s) => s.servers)
  const serversLoaded = useApp((s) => s.serversLoaded)
  const loadServers = useApp((s) => s.loadServers)
  const op = useApp((s) => s.importPluginOp)
  const importPlugin = useApp((s) => s.importPlugin)
  const navigate = useApp((s) => s.navigate)
  const [server, setServer] = useState('')
  const [slug, setSlug] = useState('')
  const [sourceDir, setSourceDir] = useState('')
  const [distDir, setDistDir] = useState('')

  useEffect(() => {
    if (!serversLoaded) void loadServers()
  }, [serversLoaded, loadServers])
  // The first known server is the default: most teams have one.
  const chosen = servers.some((s) => s.name === server) ? server : (servers[0]?.name ?? '')

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const imported = await importPlugin({ server: chosen, slug, sourceDir, distDir })
    if (imported !== null) {
      setSlug('')
      setSourceDir('')
      setDistDir('')
    }
  }
  return (
    <form className="card" onSubmit={submit} aria-label="Import from a server">
      <h2 className="card__title">Import from a server</h2>
      <p className="card__help">
        A plugin another workstation publishes: its versions and ZIPs come from the server, so you can release, roll back and verify it
        here.
      </p>
      {serversLoaded && servers.length === 0 ? (
        <p className="card__help">
          No update server yet.{' '}
          <button type="button" className="link-button" onClick={() => navigate('servers')}>
            Add a server
          </button>
        </p>
      ) : (
        <>
          <div className="grid-2">
            <label className="field">
              <span className="field__label">Server</span>
              <select value={chosen} onChange={(e) => setServer(e.target.value)}>
                <ServerOptions servers={servers} />
              </select>
            </label>
            <label className="field">
              <span className="field__label">Slug</span>
              <input
                type="text"
                value={slug}
                onChange={(e) => setSlug(e.target.value)}
                placeholder="my-plugin"
                spellCheck={false}
                autoComplete="off"
                required
              />
            </label>
          </div>
          <FolderField
            label="Source (optional)"
            browseLabel="Browse for the source"
            value={sourceDir}
            onChange={setSourceDir}
            pickTitle="Choose the plugin's source folder"
            placeholder="Empty: roll back and deprecate only, no builds"
          />
          <FolderField
            label="ZIP folder (optional)"
            browseLabel="Browse for the ZIP folder"
            value={distDir}
            onChange={setDistDir}
            pickTitle="Choose the folder for the plugin's ZIPs"
            placeholder="In the data folder unless given"
          />
          <div className="row">
            <button type="submit" className="button button--primary" disabled={op.busy || chosen === ''}>
              {op.busy ? 'Importing…' : 'Import plugin'}
            </button>
          </div>
        </>
      )}
      <ErrorNotice error={op.error} title="The plugin was not imported" />
    </form>
  )
}

/**
 * What removing a plugin from this workstation does, in words, before the user confirms it: the same
 * rule as the core's (liveOnServer), so what is said is what is done.
 */
function RemovalConfirm({ summary }: { readonly summary: PluginSummary }) {
  const { plugin } = summary
  const op = useApp((s) => s.removePluginOps[plugin.slug] ?? IDLE)
  const confirm = useApp((s) => s.confirmRemovePlugin)
  const cancel = useApp((s) => s.cancelRemovePlugin)
  const live = liveOnServer(plugin, summary.latest_live)
  return (
    <ConfirmPanel
      title={`Remove ${plugin.name} from this workstation?`}
      confirmLabel={`Remove ${plugin.name}`}
      tone="danger"
      busy={op.busy}
      onConfirm={() => void confirm()}
      onCancel={cancel}
    >
      <p>
        Its records are removed here: its versions, settings and server choice. The activity log keeps its history, and its ZIPs stay in{' '}
        <code>{plugin.dist_dir}</code>; the source folder is not touched.
      </p>
      {live !== null && plugin.server !== null ? (
        <p>
          Sites are not affected: <strong>{plugin.server}</strong> keeps offering {live.version}. To bring it back, import it from{' '}
          {plugin.server} with “Import from a server” (slug <code>{plugin.slug}</code>).
        </p>
      ) : (
        <p>No server offers it to sites. To bring it back, add it again from its source folder.</p>
      )}
    </ConfirmPanel>
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
  onOpen,
  onRemove
}: {
  readonly summary: PluginSummary
  readonly source: SourceStatus | undefined
  readonly onOpen: () => void
  readonly onRemove: () => void
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
      <td className="table__actions">
        <button type="button" className="button button--ghost button--small" onClick={onRemove} aria-label={`Remove ${plugin.name}`}>
          Remove…
        </button>
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
  const pendingRemoval = useApp((s) => s.pendingRemoval)
  const requestRemove = useApp((s) => s.requestRemovePlugin)
  // A refusal stays on screen after its confirmation closed: it is the core's answer, word for word.
  const removeError = useApp((s) => Object.values(s.removePluginOps).find((o) => o.error !== null)?.error ?? null)
  const removing = plugins.find((p) => p.plugin.slug === pendingRemoval)

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
            {removing !== undefined && (
              <div className="card__inset">
                <RemovalConfirm summary={removing} />
              </div>
            )}
            {removeError !== null && (
              <div className="card__inset">
                <ErrorNotice error={removeError} title="The plugin was not removed" />
              </div>
            )}
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
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {plugins.map((p) => (
                  <PluginRow
                    key={p.plugin.slug}
                    summary={p}
                    source={sources[p.plugin.slug]}
                    onOpen={() => open(p.plugin.slug)}
                    onRemove={() => requestRemove(p.plugin.slug)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
      <div className="grid-2">
        <AddPluginForm />
        <ImportPluginForm />
      </div>
    </>
  )
}
