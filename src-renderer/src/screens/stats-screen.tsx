import { useEffect, useState } from 'react'
import type { ServerProfile, StatsReport } from '../../../src-preload/api'
import { ACTIVE_WINDOW_DAYS, compareLoose } from '../../../src-shared/stats'
import { BarList, LineChart, StackedAreaChart } from '../components/charts'
import { CohortTable } from './cohort-table'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { PluginSwitcher } from '../components/plugin-switcher'
import { usePlugin } from '../components/use-plugin'
import { formatCompact } from '../lib/format'
import { useApp } from '../store/app-store'
import { NoPluginYet } from './releases-screen'
import { targetPlace } from '../../../src-shared/server-targets'

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`
/** The adoption chart shows this many versions; the rest are summed as "older". */
const MAX_LAYERS = 7

/** The stacked adoption series: versions lowest first, the oldest beyond MAX_LAYERS summed. */
function adoptionSeries(report: StatsReport): { key: string; values: number[] }[] {
  const versions = [...new Set(report.days.flatMap((d) => Object.keys(d.active.versions)))].sort(compareLoose)
  const shown = versions.slice(-MAX_LAYERS)
  const older = versions.slice(0, Math.max(0, versions.length - MAX_LAYERS))
  const series = shown.map((v) => ({ key: v, values: report.days.map((d) => d.active.versions[v] ?? 0) }))
  if (older.length === 0) return series
  return [{ key: 'older', values: report.days.map((d) => older.reduce((n, v) => n + (d.active.versions[v] ?? 0), 0)) }, ...series]
}

/** Asks for the access log when the plugin's server names none. */
function AccessLogForm({ server }: { readonly server: ServerProfile }) {
  const [path, setPath] = useState('')
  const op = useApp((s) => s.accessLogOp)
  const setAccessLog = useApp((s) => s.setAccessLog)
  return (
    <section className="card" aria-label="Access log">
      <h2 className="card__title">Where does {targetPlace(server)} log its requests?</h2>
      <p className="card__help">
        Sites report their version with each update check, and the web server that serves {server.public_url} writes it to its access log
        (nginx or Apache, combined format). Name that log; it is read{' '}
        {server.kind === 'sftp' ? `over SFTP as ${server.user}` : 'from this machine'}, and only counts are kept.
      </p>
      <form
        className="row row--end"
        onSubmit={(e) => {
          e.preventDefault()
          void setAccessLog(server.name, path.trim())
        }}
      >
        <label className="field field--grow">
          <span className="field__label">Access log path</span>
          <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/var/log/nginx/access.log" spellCheck={false} />
        </label>
        <button type="submit" className="button button--primary" disabled={op.busy || path.trim() === ''}>
          Save access log
        </button>
      </form>
      <ErrorNotice error={op.error} title="The access log was not saved" />
    </section>
  )
}

function Figure({
  label,
  value,
  note,
  tone
}: {
  readonly label: string
  readonly value: string
  readonly note: string
  readonly tone?: 'bad'
}) {
  return (
    <div className={`figure${tone === 'bad' ? ' figure--bad' : ''}`} role="group" aria-label={label}>
      <span className="figure__label">{label}</span>
      <span className="figure__value">{value}</span>
      <span className="figure__note">{note}</span>
    </div>
  )
}

/** The report: figures, charts and tables. */
function Report({ report }: { readonly report: StatsReport }) {
  const days = report.days.map((d) => d.day)
  const revoked = report.adoption.filter((a) => a.revoked)
  const downloads = report.downloads.reduce((n, d) => n + d.downloads, 0)
  return (
    <>
      <div className="figures">
        <Figure
          label="Active sites"
          value={report.active_sites.toLocaleString('en-US')}
          note={`checked in the ${ACTIVE_WINDOW_DAYS} days to ${report.as_of}`}
        />
        <Figure
          label="Still on a revoked version"
          value={report.revoked_sites.toLocaleString('en-US')}
          note={revoked.length === 0 ? 'no active site runs a withdrawn version' : `on ${revoked.map((a) => a.key).join(', ')}`}
          tone={report.revoked_sites > 0 ? 'bad' : undefined}
        />
        <Figure
          label="Downloads"
          value={downloads.toLocaleString('en-US')}
          note={report.days.length === 1 ? 'on the one day with data' : `in the last ${report.days.length} days`}
        />
        <Figure
          label="Checks without a report"
          value={report.unreported.toLocaleString('en-US')}
          note={`of ${report.checks.toLocaleString('en-US')} (older updaters, reports turned off)`}
        />
      </div>
      {/* While a rollout runs, how its cohort is doing is what decides widening or halting: it comes first. */}
      <CohortTable report={report} />
      <div className="grid-2">
        <section className="card" aria-label="Active installs over time">
          <h2 className="card__title">Active installs</h2>
          <LineChart
            label={`Active sites per day, ${report.active_sites} on ${report.as_of}`}
            days={days}
            values={report.days.map((d) => d.active.sites)}
          />
        </section>
        <section className="card" aria-label="Version adoption">
          <h2 className="card__title">Version adoption</h2>
          <StackedAreaChart label="Active sites per day by the version they run" days={days} series={adoptionSeries(report)} />
        </section>
      </div>
      <div className="grid-2">
        <section className="card" aria-label="Versions in use">
          <h2 className="card__title">Versions in use</h2>
          <BarList
            label="Active sites by version"
            format={(n) => n.toLocaleString('en-US')}
            rows={report.adoption.map((a) => ({
              key: a.key,
              value: a.sites,
              note: `${percent(a.share)}${a.revoked ? ', revoked' : a.status === null ? ', not released here' : ''}`,
              tone: a.revoked ? ('bad' as const) : undefined
            }))}
          />
        </section>
        <section className="card" aria-label="Downloads per release">
          <h2 className="card__title">Downloads per release</h2>
          {report.downloads.length === 0 ? (
            <p className="muted">No download in these days.</p>
          ) : (
            <BarList
              label="Downloads by version"
              format={(n) => n.toLocaleString('en-US')}
              rows={report.downloads.map((d) => ({ key: d.version, value: d.downloads }))}
            />
          )}
        </section>
      </div>
      <div className="grid-2">
        <section className="card" aria-label="WordPress versions">
          <h2 className="card__title">WordPress</h2>
          <BarList
            label="Active sites by WordPress version"
            format={percent}
            rows={report.wp.map((s) => ({ key: s.key, value: s.share }))}
          />
        </section>
        <section className="card" aria-label="PHP versions">
          <h2 className="card__title">PHP</h2>
          <BarList label="Active sites by PHP version" format={percent} rows={report.php.map((s) => ({ key: s.key, value: s.share }))} />
        </section>
      </div>
      {report.rollouts.length > 0 && (
        <section className="card card--flush" aria-label="Rollouts">
          <table className="table" aria-label="Rollouts">
            <thead>
              <tr>
                <th scope="col">Release</th>
                <th scope="col">Released</th>
                <th scope="col">Half the sites</th>
                <th scope="col">90 % of the sites</th>
                <th scope="col">Now</th>
              </tr>
            </thead>
            <tbody>
              {report.rollouts.map((r) => (
                <tr key={r.version}>
                  <td className="mono">
                    {r.version}
                    {r.force_update && <span className="badge badge--action"> forced</span>}
                  </td>
                  <td className="small">{formatCompact(r.released_at)}</td>
                  <td>{r.days_to_50 === null ? <span className="muted">not yet</span> : `${r.days_to_50} d`}</td>
                  <td>{r.days_to_90 === null ? <span className="muted">not yet</span> : `${r.days_to_90} d`}</td>
                  <td>{percent(r.share_now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  )
}

/** Stats: who runs which version, from the update server's access log, pulled in the background. */
export function StatsScreen() {
  const { slug, details, op, ready } = usePlugin()
  const servers = useApp((s) => s.servers)
  const serversLoaded = useApp((s) => s.serversLoaded)
  const loadServers = useApp((s) => s.loadServers)
  const report = useApp((s) => (slug === null ? undefined : s.stats[slug]))
  const statsOp = useApp((s) => (slug === null ? undefined : s.statsOps[slug]))
  const pull = useApp((s) => (slug === null ? undefined : s.statsPulls[slug]))
  const days = useApp((s) => s.statsDays)
  const loadStats = useApp((s) => s.loadStats)
  const pullStats = useApp((s) => s.pullStats)
  const setStatsDays = useApp((s) => s.setStatsDays)
  const server = servers.find((s) => s.name === details?.plugin.server) ?? null
  const hasLogs = server !== null && server.access_logs.length > 0

  useEffect(() => {
    if (!serversLoaded) void loadServers()
  }, [serversLoaded, loadServers])
  useEffect(() => {
    if (slug !== null) void loadStats(slug)
  }, [slug, loadStats])
  // Each visit reads what is new in the logs, in the background: the stored report shows meanwhile.
  useEffect(() => {
    if (slug !== null && hasLogs) void pullStats(slug)
  }, [slug, hasLogs, pullStats])

  if (slug === null) return <NoPluginYet ready={ready} />
  if (details === undefined)
    return op.error !== null ? <ErrorNotice error={op.error} title="The plugin could not be read" /> : <p className="muted">Loading…</p>
  const busy = pull?.op.busy === true
  const progress = pull?.progress ?? null
  return (
    <>
      <PageHeader
        title="Stats"
        subtitle={`${details.plugin.name}: the sites that check for its updates, from the update server's access log.`}
        actions={
          <>
            <label className="field field--inline">
              <span className="field__label">Show</span>
              <select value={days} onChange={(e) => void setStatsDays(slug, Number(e.target.value))} aria-label="Days shown">
                <option value={30}>30 days</option>
                <option value={90}>90 days</option>
                <option value={365}>a year</option>
              </select>
            </label>
            {hasLogs && (
              <button type="button" className="button" disabled={busy} onClick={() => void pullStats(slug)}>
                {busy ? 'Reading logs…' : 'Pull now'}
              </button>
            )}
            <PluginSwitcher screen="stats" />
          </>
        }
      />
      {details.plugin.server === null ? (
        <EmptyState title="Not published yet">
          Choose the plugin's update server (Releases → Publishing): its access log holds the statistics.
        </EmptyState>
      ) : server === null ? (
        <p className="muted">Loading…</p>
      ) : server.kind === 's3' ? (
        <EmptyState title="CDN logs are not read yet">
          {server.name} is an S3 bucket behind a CDN: its requests are logged by the CDN (CloudFront, Cloudflare), which wprm does not read
          yet. Install statistics come from nginx or Apache logs on SFTP servers and folders on this computer.
        </EmptyState>
      ) : !hasLogs ? (
        <AccessLogForm server={server} />
      ) : null}
      {busy && (
        <div className="pull" role="status" aria-label="Reading the access logs">
          <progress
            className="pull__bar"
            aria-label="Log reading progress"
            max={progress === null || progress.total === 0 ? undefined : progress.total}
            value={progress === null || progress.total === 0 ? undefined : progress.done}
          />
          <span className="small muted">{progress === null ? 'Connecting…' : `Reading ${progress.label}`}</span>
        </div>
      )}
      <ErrorNotice error={pull?.op.error} title="The access logs could not be read" />
      <ErrorNotice error={statsOp?.error} title="The statistics could not be read" />
      {pull?.result?.servers.some((s) => s.logs.some((l) => l.gap)) === true && (
        <p className="notice notice--warn">A log was rotated away before it was read: the lines written in between are not counted.</p>
      )}
      {report !== undefined &&
        (report.as_of === null ? (
          hasLogs && !busy && <EmptyState title="No checks yet">No site has checked for updates in the logs read so far.</EmptyState>
        ) : (
          <Report report={report} />
        ))}
      {report?.pulled_at != null && <p className="muted small">Last read {formatCompact(report.pulled_at)}; days are UTC.</p>}
    </>
  )
}
