import { useEffect } from 'react'
import type { ActivityEntry } from '../../../src-preload/api'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { PluginOptions } from '../components/plugin-switcher'
import { formatCompact, formatDateTime } from '../lib/format'
import { useApp } from '../store/app-store'

const ACTION_LABELS: Readonly<Record<ActivityEntry['action'], string>> = {
  'plugin.add': 'Plugin added',
  'plugin.update': 'Settings',
  'version.add': 'Version added',
  'version.status': 'Status',
  'version.build': 'Build',
  'source.bump': 'Source',
  'zip.prune': 'Prune',
  'database.restore': 'Restore',
  'server.add': 'Server added',
  'server.update': 'Server changed',
  'server.remove': 'Server removed',
  publish: 'Publish',
  rollback: 'Rollback',
  pull: 'Pull',
  'version.remove': 'Version removed',
  'version.edit': 'Version edited',
  'plugin.remove': 'Plugin removed',
  'plugin.rename': 'Slug changed',
  'key.add': 'Key added',
  'key.rotate': 'Key rotated',
  'version.rollout': 'Rollout'
}

function changesText(entry: ActivityEntry): string {
  return Object.entries(entry.changes)
    .map(([field, [before, after]]) => `${field}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
    .join('\n')
}

/** Activity: every change, newest first, filterable by plugin. */
export function ActivityScreen() {
  const entries = useApp((s) => s.activity)
  const loaded = useApp((s) => s.activityLoaded)
  const op = useApp((s) => s.activityOp)
  const filter = useApp((s) => s.activityFilter)
  const plugins = useApp((s) => s.plugins)
  const pluginsLoaded = useApp((s) => s.pluginsLoaded)
  const loadActivity = useApp((s) => s.loadActivity)
  const loadPlugins = useApp((s) => s.loadPlugins)
  const setFilter = useApp((s) => s.setActivityFilter)

  useEffect(() => {
    void loadActivity()
  }, [loadActivity])
  useEffect(() => {
    if (!pluginsLoaded) void loadPlugins()
  }, [pluginsLoaded, loadPlugins])

  const nameOf = (slug: string): string => plugins.find((p) => p.plugin.slug === slug)?.plugin.name ?? slug
  return (
    <>
      <PageHeader
        title="Activity"
        subtitle="Every change to plugins, versions and servers, newest first."
        actions={
          <label className="field field--inline">
            <span className="field__label">Show</span>
            <select value={filter} onChange={(e) => void setFilter(e.target.value)} aria-label="Filter by plugin">
              <option value="">All plugins</option>
              <PluginOptions />
            </select>
          </label>
        }
      />
      <ErrorNotice error={op.error} title="The activity log could not be read" />
      {loaded && entries.length === 0 && !op.error ? (
        <EmptyState title="Nothing happened yet">
          {filter === '' ? 'Add a plugin or a server: every change is recorded here.' : 'No change to this plugin yet.'}
        </EmptyState>
      ) : (
        entries.length > 0 && (
          <div className="card card--flush">
            <table className="table" aria-label="Activity">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Plugin</th>
                  <th scope="col">Version</th>
                  <th scope="col">What</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id}>
                    <td className="small nowrap" title={formatDateTime(e.at)}>
                      {formatCompact(e.at)}
                    </td>
                    <td className="nowrap">{e.plugin === '' ? <span className="muted">—</span> : nameOf(e.plugin)}</td>
                    <td className="mono">{e.version ?? '—'}</td>
                    <td>
                      <span className={`badge badge--action badge--${e.action.replace('.', '-')}`}>
                        {ACTION_LABELS[e.action] ?? e.action}
                      </span>
                    </td>
                    <td className="small" title={changesText(e)}>
                      {e.summary}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </>
  )
}
