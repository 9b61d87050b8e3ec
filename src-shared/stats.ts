/**
 * Install statistics: what is stored per plugin and day, and the rules that turn it into a report (what
 * counts as active, adoption, rollout times). Pure TypeScript: the core builds the report with these
 * rules, and the CLI and the Stats screen show the same report, so they always agree.
 */
// A single function, not the whole package: the renderer bundles these rules too.
import semverValid from 'semver/functions/valid.js'
import type { RolloutStep, StagedRollout, VersionStatus } from './model.js'
import { inRolloutShare, nextStep, scheduledPercent, siteBucket } from './rollout.js'
import { compareVersions, isLive } from './versions.js'

/** A site is active on a day when it checked for updates on that day or the 6 days before it. */
export const ACTIVE_WINDOW_DAYS = 7

/** Counts by key (a version, a WordPress or PHP major.minor, a locale). */
export type Tally = Readonly<Record<string, number>>

/** The sites active on a day (its 7-day window), each counted once, at the version it last reported. */
export interface ActiveSnapshot {
  readonly sites: number
  readonly versions: Tally
  readonly wp: Tally
  readonly php: Tally
  readonly locales: Tally
  readonly multisite: number
}

/** One plugin's aggregates for one UTC day. No IP address, URL or raw line is ever kept. */
export interface StatsDay {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string
  /** Manifest requests answered (200 or 304). */
  readonly checks: number
  /** Of those, requests without a usable install report (older updaters, reports turned off, other clients). */
  readonly unreported: number
  /** Distinct sites that checked this day, each at the last version it reported this day. */
  readonly sites: number
  readonly versions: Tally
  readonly wp: Tally
  readonly php: Tally
  readonly locales: Tally
  readonly multisite: number
  /** ZIP downloads answered 200, by version (`latest` for the -latest.zip link). */
  readonly downloads: Tally
  /** The 7-day window ending this day. */
  readonly active: ActiveSnapshot
}

/** When a version was first and last reported by a site. */
export interface VersionSeen {
  readonly version: string
  readonly first_seen: string
  readonly last_seen: string
}

/** What a release looks like to the report: its status, whether it was forced, when it went out. */
export interface ReleaseFacts {
  readonly version: string
  readonly status: VersionStatus
  readonly force_update: boolean
  readonly released_at: string | null
  readonly revoked_at: string | null
  /** Its staged rollout (null: it reaches every site). */
  readonly rollout: StagedRollout | null
}

/** A share of active sites. */
export interface Share {
  readonly key: string
  readonly sites: number
  /** 0…1 of the active sites. */
  readonly share: number
}

/** How long a release took to reach half and nine tenths of the active sites (them or a higher version). */
export interface Rollout {
  readonly version: string
  readonly force_update: boolean
  readonly released_at: string
  /** Whole days from the release day to the first day the share was reached; null: not (yet) reached. */
  readonly days_to_50: number | null
  readonly days_to_90: number | null
  /** Its share (with higher versions) on the last day. */
  readonly share_now: number
}

/**
 * How a staged rollout is doing among the active sites: who is in its cohort now (their bucket is below the
 * percent), how many of them already run it, and how many outside run it anyway (installed by hand, or
 * taken at an earlier, higher percent). A halted rollout keeps the cohort it was halted at.
 */
export interface CohortStats {
  readonly version: string
  /** The schedule's percent at the report's time (the one it was halted at, when halted). */
  readonly percent: number
  readonly halted: boolean
  readonly halted_at: string | null
  /** The next step of the schedule after the report's time (none while halted). */
  readonly next_step: RolloutStep | null
  /** Active sites whose bucket is in the cohort at `percent`. */
  readonly in_cohort: number
  /** Of them, on the version or a higher one. */
  readonly in_cohort_updated: number
  /** Active sites outside the cohort. */
  readonly outside: number
  /** Of them, on the version or a higher one: 0 unless installed by hand or at an earlier percent. */
  readonly outside_updated: number
}

/** A site the statistics keep (only while it is active): its key (the first hex digits of its `site` hash), the day it last checked, what it ran. */
export interface StoredSite {
  readonly id: string
  /** Days since 1970-01-01, UTC. */
  readonly day: number
  readonly version: string
}

/** The install statistics of one plugin, as `wprm stats` and the Stats screen show them. */
export interface StatsReport {
  readonly slug: string
  /** The last day with data (UTC), or null before the first pull that found any. */
  readonly as_of: string | null
  readonly pulled_at: string | null
  /** The days asked for (the last N), oldest first, with no day missing between the first and the last. */
  readonly days: readonly StatsDay[]
  readonly active_sites: number
  /** Active sites by the version they run, highest version first. */
  readonly adoption: readonly (Share & { readonly status: string | null; readonly revoked: boolean })[]
  /** Active sites still on a version that a rollback withdrew. */
  readonly revoked_sites: number
  readonly rollouts: readonly Rollout[]
  /** The time the cohorts' percentages are taken at: the last pull, or the end of `as_of` when that is earlier; null without data. */
  readonly cohorts_at: string | null
  /** Each live version with a staged rollout (running, halted or at 100 %), highest first. */
  readonly cohorts: readonly CohortStats[]
  readonly wp: readonly Share[]
  readonly php: readonly Share[]
  readonly locales: readonly Share[]
  readonly multisite_sites: number
  /** Downloads in the days asked for, by version, highest first. */
  readonly downloads: readonly { readonly version: string; readonly downloads: number }[]
  readonly versions_seen: readonly VersionSeen[]
  /** Checks in the days asked for, and how many of them carried no report. */
  readonly checks: number
  readonly unreported: number
  /** Every line read from the server's logs so far (all plugins), or null before the first pull. */
  readonly lines: LineCounts | null
}

/** Lines read from a server's access logs, by what they were. */
export interface LineCounts {
  read: number
  /** Not in the combined format (or with an impossible time): counted, never fatal. */
  malformed: number
  /** Fine, but not a check or download of a plugin here (another path or virtual host, a 404, a probe). */
  other: number
}

/** What one pull did with one access log. */
export interface StatsLogOutcome {
  readonly path: string
  /** `appended`: the same file, grown; `rotated`: a new file (rotated copies read first); `new`: the first pull. */
  readonly state: 'unchanged' | 'appended' | 'rotated' | 'new' | 'missing'
  /** The files read, oldest first. */
  readonly files: readonly string[]
  readonly bytes: number
  /** The file of the last position was not found among the rotated copies: lines in between were missed. */
  readonly gap: boolean
  /** Requests made, over SFTP or to the disk (a stat, a listing, a read of first bytes; a file's read counts once). */
  readonly requests: number
}

/** What a pull did on one server. */
export interface StatsServerPull {
  readonly server: string
  /** The plugins whose statistics it updated (those published to this server). */
  readonly plugins: readonly string[]
  readonly logs: readonly StatsLogOutcome[]
  /** The lines this pull read. */
  readonly lines: LineCounts
  /** Where its logs were read: over SFTP, or from this machine's disk (a `local` server). */
  readonly read_from: 'sftp' | 'disk'
}

/** What `wprm stats pull` did. */
export interface StatsPullResult {
  readonly pulled_at: string
  readonly servers: readonly StatsServerPull[]
}

/** What the stored data gives the report. */
export interface StatsInput {
  readonly slug: string
  /** Every stored day, in any order. */
  readonly days: readonly StatsDay[]
  readonly versionsSeen: readonly VersionSeen[]
  /** The sites kept for the active window, each at what it last reported. */
  readonly sites: readonly StoredSite[]
  readonly releases: readonly ReleaseFacts[]
  readonly pulledAt: string | null
  readonly lines: LineCounts | null
  /** How many days to show (the last N, counted back from the last day with data). */
  readonly windowDays: number
}

const DAY_MS = 86_400_000

/** `YYYY-MM-DD` of a day number (days since 1970-01-01, UTC). */
export function dayKey(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10)
}

/** The day number of `YYYY-MM-DD` or of an ISO timestamp (UTC). */
export function dayNumber(isoOrDay: string): number {
  return Math.floor(Date.parse(isoOrDay.length === 10 ? `${isoOrDay}T00:00:00Z` : isoOrDay) / DAY_MS)
}

/** True when a site last seen on `lastSeenDay` is active on `day`. */
export function isActiveOn(lastSeenDay: number, day: number): boolean {
  return lastSeenDay <= day && lastSeenDay > day - ACTIVE_WINDOW_DAYS
}

const EMPTY_SNAPSHOT: ActiveSnapshot = { sites: 0, versions: {}, wp: {}, php: {}, locales: {}, multisite: 0 }

/** A day with nothing in it (a day between two days with data). */
export function emptyDay(day: string): StatsDay {
  return {
    day,
    checks: 0,
    unreported: 0,
    sites: 0,
    versions: {},
    wp: {},
    php: {},
    locales: {},
    multisite: 0,
    downloads: {},
    active: EMPTY_SNAPSHOT
  }
}

/** Shares of a tally, largest first (ties by key, so the order is stable). */
export function sharesOf(tally: Tally, total: number, order: 'count' | 'version' = 'count'): Share[] {
  const entries = Object.entries(tally).filter(([, n]) => n > 0)
  entries.sort(order === 'version' ? ([a], [b]) => compareLoose(b, a) : ([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
  return entries.map(([key, sites]) => ({ key, sites, share: total > 0 ? sites / total : 0 }))
}

/**
 * Versions compared part by part, numbers as numbers (6.10 after 6.9), anything else as text: sites
 * report WordPress and PHP versions as major.minor, and a report may hold any text at all.
 */
export function compareLoose(a: string, b: string): number {
  const x = a.split('.')
  const y = b.split('.')
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? ''
    const q = y[i] ?? ''
    if (p === q) continue
    const m = /^\d+$/.test(p) ? Number(p) : NaN
    const n = /^\d+$/.test(q) ? Number(q) : NaN
    if (!Number.isNaN(m) && !Number.isNaN(n)) return m - n
    if (p === '') return -1
    if (q === '') return 1
    return p < q ? -1 : 1
  }
  return 0
}

/**
 * True when a site that reported `reported` runs `version` or a higher one: semver's order when both are
 * versions by semver (a pre-release is below its release: a site on 1.4.0-beta.1 has not taken 1.4.0), else
 * compareLoose (a site may report any text, such as `1.4`).
 */
export function runsAtOrAbove(reported: string, version: string): boolean {
  return semverValid(reported) !== null && semverValid(version) !== null
    ? compareVersions(reported, version) >= 0
    : compareLoose(reported, version) >= 0
}

/** Active sites on `version` or a higher one, of a snapshot. */
export function sitesAtOrAbove(snapshot: ActiveSnapshot, version: string): number {
  let n = 0
  for (const [v, sites] of Object.entries(snapshot.versions)) if (runsAtOrAbove(v, version)) n += sites
  return n
}

/**
 * The first day (counted from the release day) on which `share` of the day's active sites ran the
 * version or a higher one; null when no day has reached it yet.
 */
export function daysToShare(days: readonly StatsDay[], version: string, releasedDay: number, share: number): number | null {
  for (const day of days) {
    const n = dayNumber(day.day)
    if (n < releasedDay || day.active.sites === 0) continue
    if (sitesAtOrAbove(day.active, version) / day.active.sites >= share) return n - releasedDay
  }
  return null
}

/**
 * The cohort breakdown of each live, not revoked version with a staged rollout that applies (a forced release
 * skips its rollout unless the rollout says `forced`), among the sites active on `asOfDay`, with the
 * rollout's percent at `at`. Versions compare as the rest of the report does (runsAtOrAbove: a higher one counts as updated).
 */
export function cohortStats(releases: readonly ReleaseFacts[], sites: readonly StoredSite[], asOfDay: number, at: Date): CohortStats[] {
  // Sites by bucket and version once; a version's "on it or higher" is decided once per distinct version.
  const buckets: number[] = []
  const versionOf: number[] = []
  const versions = new Map<string, number>()
  for (const site of sites) {
    if (!isActiveOn(site.day, asOfDay)) continue
    let index = versions.get(site.version)
    if (index === undefined) versions.set(site.version, (index = versions.size))
    buckets.push(siteBucket(site.id))
    versionOf.push(index)
  }
  const out: CohortStats[] = []
  for (const release of releases) {
    const rollout = release.rollout
    if (rollout === null || !isLive(release.status) || release.revoked_at !== null || (release.force_update && !rollout.forced)) continue
    const percent = scheduledPercent(rollout, at)
    const updated = [...versions.keys()].map((v) => runsAtOrAbove(v, release.version))
    let inCohort = 0
    let inUpdated = 0
    let outUpdated = 0
    for (let i = 0; i < buckets.length; i++) {
      const onIt = updated[versionOf[i]!]!
      if (inRolloutShare(buckets[i]!, percent)) {
        inCohort++
        if (onIt) inUpdated++
      } else if (onIt) outUpdated++
    }
    out.push({
      version: release.version,
      percent,
      halted: rollout.halted_at !== null,
      halted_at: rollout.halted_at,
      next_step: rollout.halted_at === null ? nextStep(rollout, at) : null,
      in_cohort: inCohort,
      in_cohort_updated: inUpdated,
      outside: buckets.length - inCohort,
      outside_updated: outUpdated
    })
  }
  return out.sort((a, b) => compareLoose(b.version, a.version))
}

/** When the report's cohorts are taken: the last pull, or the end of the last day with data when that is earlier. */
function cohortTime(asOf: string, pulledAt: string | null): Date {
  const endOfDay = (dayNumber(asOf) + 1) * DAY_MS - 1
  return new Date(pulledAt === null ? endOfDay : Math.min(Date.parse(pulledAt), endOfDay))
}

/** The days from the first to the last, with empty days where nothing was stored, oldest first. */
function continuous(days: readonly StatsDay[]): StatsDay[] {
  const sorted = [...days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  if (sorted.length === 0) return []
  const byDay = new Map(sorted.map((d) => [d.day, d]))
  const out: StatsDay[] = []
  for (let n = dayNumber(sorted[0]!.day); n <= dayNumber(sorted.at(-1)!.day); n++) out.push(byDay.get(dayKey(n)) ?? emptyDay(dayKey(n)))
  return out
}

/** Builds the report from the stored days and the plugin's releases. */
export function buildStatsReport(input: StatsInput): StatsReport {
  const all = continuous(input.days)
  const last = all.at(-1)
  const shown = all.slice(Math.max(0, all.length - Math.max(1, input.windowDays)))
  const now = last?.active ?? EMPTY_SNAPSHOT
  const releases = new Map(input.releases.map((r) => [r.version, r]))
  const revoked = new Set(input.releases.filter((r) => r.revoked_at !== null).map((r) => r.version))
  const adoption = sharesOf(now.versions, now.sites, 'version').map((s) => ({
    ...s,
    status: releases.get(s.key)?.status ?? null,
    revoked: revoked.has(s.key)
  }))
  const rollouts: Rollout[] = input.releases
    .filter((r): r is ReleaseFacts & { released_at: string } => r.released_at !== null && r.revoked_at === null)
    .sort((a, b) => compareLoose(b.version, a.version))
    .map((r) => ({
      version: r.version,
      force_update: r.force_update,
      released_at: r.released_at,
      days_to_50: daysToShare(all, r.version, dayNumber(r.released_at), 0.5),
      days_to_90: daysToShare(all, r.version, dayNumber(r.released_at), 0.9),
      share_now: now.sites > 0 ? sitesAtOrAbove(now, r.version) / now.sites : 0
    }))
  const at = last === undefined ? null : cohortTime(last.day, input.pulledAt)
  const downloads = new Map<string, number>()
  for (const day of shown) for (const [v, n] of Object.entries(day.downloads)) downloads.set(v, (downloads.get(v) ?? 0) + n)
  return {
    slug: input.slug,
    as_of: last?.day ?? null,
    pulled_at: input.pulledAt,
    days: shown,
    active_sites: now.sites,
    adoption,
    revoked_sites: adoption.filter((a) => a.revoked).reduce((n, a) => n + a.sites, 0),
    rollouts,
    cohorts_at: at?.toISOString() ?? null,
    cohorts: at === null ? [] : cohortStats(input.releases, input.sites, dayNumber(last!.day), at),
    wp: sharesOf(now.wp, now.sites, 'version'),
    php: sharesOf(now.php, now.sites, 'version'),
    locales: sharesOf(now.locales, now.sites),
    multisite_sites: now.multisite,
    downloads: [...downloads.entries()].sort(([a], [b]) => compareLoose(b, a)).map(([version, n]) => ({ version, downloads: n })),
    versions_seen: [...input.versionsSeen].sort((a, b) => compareLoose(b.version, a.version)),
    checks: shown.reduce((n, d) => n + d.checks, 0),
    unreported: shown.reduce((n, d) => n + d.unreported, 0),
    lines: input.lines
  }
}
