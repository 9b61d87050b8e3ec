import type { CohortStats, Share, StatsPullResult, StatsReport } from '../../src-preload/api.js'
import { ACTIVE_WINDOW_DAYS } from '../../src-shared/stats.js'
import { table } from './format.js'

const percent = (share: number): string => `${(share * 100).toFixed(1)} %`

/** What a pull read, server by server and log by log. */
export function formatStatsPull(result: StatsPullResult): string {
  if (result.servers.length === 0)
    return 'No server names an access log. Add one: wprm server set <name> --access-log /var/log/nginx/access.log'
  const lines: string[] = []
  for (const pull of result.servers) {
    const { read, malformed, other } = pull.lines
    lines.push(
      `${pull.server}: ${read} new lines (${read - malformed - other} for ${pull.plugins.join(', ') || 'no plugin'}, ${other} other, ${malformed} malformed)`
    )
    for (const log of pull.logs) {
      const files = log.files.length === 0 ? '' : `: read ${log.files.join(', ')}`
      const unit = pull.read_from === 'sftp' ? 'SFTP request' : 'file operation'
      lines.push(`  ${log.path}: ${log.state}${files} (${log.requests} ${unit}${log.requests === 1 ? '' : 's'})`)
      if (log.gap)
        lines.push('    warning: the file read last time is gone (rotated out before this pull); lines written in between were missed.')
    }
  }
  return lines.join('\n')
}

function shares(title: string, list: readonly Share[]): string[] {
  if (list.length === 0) return []
  return ['', title, ...list.map((s) => `  ${s.key.padEnd(10)} ${String(s.sites).padStart(7)}  ${percent(s.share).padStart(7)}`)]
}

/** A rollout's state in a cell: `10 %`, `10 %, 50 % at …`, `25 % (halted since …)`. */
function rolloutCell(c: CohortStats): string {
  if (c.halted) return `${c.percent} % (halted since ${c.halted_at})`
  return c.next_step === null ? `${c.percent} %` : `${c.percent} %, ${c.next_step.percent} % at ${c.next_step.at}`
}

/** The cohort table: who is in each staged rollout now, and who runs it. */
function cohortLines(report: StatsReport): string[] {
  if (report.cohorts.length === 0) return []
  const of = (n: number, total: number): string => (total === 0 ? String(n) : `${n} (${percent(n / total)})`)
  return [
    '',
    `Staged rollouts at ${report.cohorts_at} (active sites by rollout bucket; "on it" counts higher versions too)`,
    table(
      ['VERSION', 'ROLLOUT', 'IN COHORT', 'ON IT', 'OUTSIDE', 'OUTSIDE ON IT'],
      report.cohorts.map((c) => [
        c.version,
        rolloutCell(c),
        String(c.in_cohort),
        of(c.in_cohort_updated, c.in_cohort),
        String(c.outside),
        String(c.outside_updated)
      ])
    )
  ]
}

/** A plugin's install statistics, as `wprm stats <slug>` prints them. */
export function formatStatsReport(report: StatsReport): string {
  if (report.as_of === null)
    return `No statistics for ${report.slug} yet. Pull them from the update server's access log: wprm stats pull ${report.slug}`
  const out = [
    `${report.slug}: ${report.active_sites} active sites (checked in the ${ACTIVE_WINDOW_DAYS} days up to ${report.as_of}, UTC); pulled ${report.pulled_at ?? '-'}`,
    `  ${report.checks} checks in the last ${report.days.length} days, ${report.unreported} without a report`
  ]
  if (report.revoked_sites > 0) out.push(`  ${report.revoked_sites} active sites still run a withdrawn (revoked) version`)
  out.push(
    '',
    'Version adoption (active sites)',
    table(
      ['VERSION', 'SITES', 'SHARE', 'STATUS'],
      report.adoption.map((a) => [a.key, String(a.sites), percent(a.share), `${a.status ?? 'unknown here'}${a.revoked ? ', revoked' : ''}`])
    )
  )
  if (report.rollouts.length > 0) {
    const days = (n: number | null): string => (n === null ? 'not yet' : `${n} d`)
    out.push(
      '',
      'Rollouts (share of active sites on the version or higher)',
      table(
        ['VERSION', 'RELEASED', 'FORCED', '50 %', '90 %', 'NOW'],
        report.rollouts.map((r) => [
          r.version,
          r.released_at.slice(0, 10),
          r.force_update ? 'yes' : '',
          days(r.days_to_50),
          days(r.days_to_90),
          percent(r.share_now)
        ])
      )
    )
  }
  out.push(...cohortLines(report))
  out.push(...shares('WordPress', report.wp), ...shares('PHP', report.php), ...shares('Locales', report.locales))
  if (report.downloads.length > 0) {
    out.push('', `Downloads (last ${report.days.length} days)`, ...report.downloads.map((d) => `  ${d.version.padEnd(10)} ${d.downloads}`))
  }
  return out.join('\n')
}
