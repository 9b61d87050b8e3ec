import type { CohortStats, StatsReport } from '../../../src-preload/api'
import { formatCompact } from '../lib/format'

const share = (n: number, of: number): string => (of === 0 ? '' : ` (${Math.round((n / of) * 100)} %)`)

/** A rollout's state: its percent now, and the next step or since when it is halted. */
function RolloutCell({ cohort }: { readonly cohort: CohortStats }) {
  return (
    <>
      {cohort.percent} %
      {cohort.halted ? (
        <>
          {' '}
          <span className="badge badge--warn" title={`since ${cohort.halted_at}`}>
            halted since {formatCompact(cohort.halted_at)}
          </span>
        </>
      ) : (
        cohort.next_step !== null && (
          <span className="small muted">
            {' '}
            then {cohort.next_step.percent} % from {formatCompact(cohort.next_step.at)}
          </span>
        )
      )}
    </>
  )
}

/**
 * How each staged rollout is doing among the active sites, as the report's cohorts say (the rule is
 * src-shared/stats.ts's cohortStats): the sites in its cohort now, how many of them run it, and how many
 * outside run it anyway. Nothing when no live version has a rollout.
 */
export function CohortTable({ report }: { readonly report: StatsReport }) {
  if (report.cohorts.length === 0) return null
  return (
    <section className="card card--flush" aria-label="Rollout cohorts">
      <div className="card__head card__head--padded">
        <div>
          <h2 className="card__title">Staged rollouts by cohort</h2>
          <p className="card__help">
            Active sites by rollout bucket at {formatCompact(report.cohorts_at)}; a site on a higher version counts as on it. Outside the
            cohort it should be 0, unless installed by hand or at an earlier percent.
          </p>
        </div>
      </div>
      <table className="table" aria-label="Rollout cohorts">
        <thead>
          <tr>
            <th scope="col">Release</th>
            <th scope="col">Rollout</th>
            <th scope="col">In the cohort</th>
            <th scope="col">Of them on it</th>
            <th scope="col">Outside</th>
            <th scope="col">Outside on it</th>
          </tr>
        </thead>
        <tbody>
          {report.cohorts.map((c) => (
            <tr key={c.version}>
              <td className="mono">{c.version}</td>
              <td>
                <RolloutCell cohort={c} />
              </td>
              <td>{c.in_cohort.toLocaleString('en-US')}</td>
              <td>
                {c.in_cohort_updated.toLocaleString('en-US')}
                <span className="small muted">{share(c.in_cohort_updated, c.in_cohort)}</span>
              </td>
              <td>{c.outside.toLocaleString('en-US')}</td>
              <td>{c.outside_updated > 0 ? <span className="badge badge--warn">{c.outside_updated}</span> : '0'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
