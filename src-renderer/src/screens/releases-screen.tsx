import { useEffect, useState } from 'react'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { PluginSwitcher } from '../components/plugin-switcher'
import { RunPanel } from '../components/run-panel'
import { ServerSyncNotice } from '../components/server-sync-notice'
import { StatusBadge, Tag } from '../components/status-badge'
import { usePlugin } from '../components/use-plugin'
import { latestLive } from '../../../src-shared/versions'
import { useApp } from '../store/app-store'
import { NewVersionForm } from './new-version-form'
import { PublishingPanel } from './publishing-panel'
import { RolloutPanel } from './rollout-panel'
import { SourcePanel } from './source-panel'
import { VersionsTable } from './versions-table'

/** Shown by the plugin screens while there is no plugin to show. */
export function NoPluginYet({ ready }: { readonly ready: boolean }) {
  const navigate = useApp((s) => s.navigate)
  if (!ready) return <p className="muted">Loading…</p>
  return (
    <EmptyState
      title="No plugin yet"
      action={
        <button type="button" className="button button--primary" onClick={() => navigate('plugins')}>
          Add a plugin
        </button>
      }
    >
      Add a plugin from its source folder first; its releases, checks and rollbacks are shown here.
    </EmptyState>
  )
}

/** Releases: one plugin's page — its versions, a new version, the release runs and the source. */
export function ReleasesScreen() {
  const { slug, details, op, ready } = usePlugin()
  const next = useApp((s) => (slug === null ? undefined : s.nextVersions[slug]))
  const run = useApp((s) => (slug === null ? undefined : s.runs[slug]))
  const verifyRun = useApp((s) => (slug === null ? undefined : s.verifyRuns[slug]))
  const source = useApp((s) => (slug === null ? undefined : s.sources[slug]))
  const sync = useApp((s) => (slug === null ? undefined : s.serverSync[slug]))
  const pullPlugin = useApp((s) => s.pullPlugin)
  const [formOpen, setFormOpen] = useState(false)
  const server = details?.plugin.server ?? null

  // Opening the plugin takes in what other workstations published, before anything is released here.
  useEffect(() => {
    if (slug !== null && server !== null) void pullPlugin(slug)
  }, [slug, server, pullPlugin])

  if (slug === null) return <NoPluginYet ready={ready} />
  if (details === undefined)
    return op.error !== null ? <ErrorNotice error={op.error} title="The plugin could not be read" /> : <p className="muted">Loading…</p>
  const live = latestLive(details.versions)
  return (
    <>
      <PageHeader
        title={details.plugin.name}
        subtitle={
          <span className="badges">
            <span className="mono">{slug}</span>
            <span aria-hidden="true">·</span>
            {live === null ? (
              <Tag>Nothing live</Tag>
            ) : (
              <>
                Live {live.version} <StatusBadge status={live.status} />
              </>
            )}
            <span aria-hidden="true">·</span>
            {details.plugin.server === null ? <span>No server</span> : <span>Server {details.plugin.server}</span>}
            {(source?.changed_files.length ?? 0) > 0 && <Tag tone="warn">Changed since last build</Tag>}
          </span>
        }
        actions={
          <>
            <PluginSwitcher screen="releases" />
            <button
              type="button"
              className="button button--primary"
              onClick={() => setFormOpen(true)}
              disabled={formOpen || sync?.state === 'ahead'}
            >
              New version
            </button>
          </>
        }
      />
      {server !== null && <ServerSyncNotice server={server} sync={sync} onPull={() => void pullPlugin(slug)} />}
      {run !== undefined && <RunPanel run={run} verifyRun={verifyRun} />}
      {formOpen && <NewVersionForm details={details} next={next} onClose={() => setFormOpen(false)} />}
      <VersionsTable details={details} />
      <RolloutPanel details={details} />
      <div className="grid-2">
        <SourcePanel details={details} status={source} />
        <PublishingPanel plugin={details.plugin} />
      </div>
    </>
  )
}
