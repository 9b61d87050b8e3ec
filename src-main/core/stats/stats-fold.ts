import type { ActiveSnapshot, LineCounts, StatsDay, Tally } from '../../../src-shared/stats.js'
import { ACTIVE_WINDOW_DAYS, dayKey, dayNumber, isActiveOn } from '../../../src-shared/stats.js'
import { LogClock, parseCombinedLine } from './access-log-line.js'

/**
 * Folds access-log lines into per-plugin, per-day aggregates. What is kept of a line is a count; what
 * is kept of a site, and only while it is active (7 days), is where it stood when it last checked,
 * under the first 16 hex digits of its `site` hash, so that "distinct sites" stays exact across pulls.
 * Addresses, URLs, user agents and raw lines are never kept.
 */

/** A site in the active window: the day it last checked and what it reported then. */
export type SiteRecord = [day: number, version: string, wp: string, php: string, locale: string, multisite: 0 | 1]

/** A site record while folding: with the text of its last report, to tell a repeat at a glance (not stored). */
type LiveRecord = [...SiteRecord, tail: string | null]

/** What one check reported, as the site record keeps it. */
type Reported = [version: string, wp: string, php: string, locale: string, multisite: 0 | 1]

/** One plugin's stored statistics. */
export interface PluginStatsState {
  days: Record<string, StatsDay>
  versions: Record<string, { first_seen: string; last_seen: string }>
  sites: Record<string, SiteRecord>
  /** Reports with a `site` but an unusable value (counted, not used). */
  malformed_reports: number
}

const DAY_MS = 86_400_000
/** A tally keeps at most this many keys; more (anyone may send any text) go under "other". */
const MAX_KEYS = 200
const SITE = /^[0-9a-f]{64}$/
const VERSION = /^[0-9][0-9A-Za-z.+-]{0,31}$/
const MAJOR_MINOR = /^(\d{1,3})\.(\d{1,3})/
const LOCALE = /^[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8}){0,2}$/
/** Lines dated before this, or more than a day ahead of the clock, are malformed: they would skew the days. */
const EARLIEST_MS = Date.UTC(2000, 0, 1)

/** Counts while folding: a Map, as its keys (copies of text from lines) need no interning on each lookup. */
type MutableTally = Map<string, number>
interface DayAcc {
  checks: number
  unreported: number
  sites: number
  versions: MutableTally
  wp: MutableTally
  php: MutableTally
  locales: MutableTally
  multisite: number
  downloads: MutableTally
  active: ActiveSnapshot
}

function inc(tally: MutableTally, key: string): void {
  const current = tally.get(key)
  if (current !== undefined) tally.set(key, current + 1)
  else if (tally.size < MAX_KEYS) tally.set(key, 1)
  else tally.set('other', (tally.get('other') ?? 0) + 1)
}

function dec(tally: MutableTally, key: string): void {
  const target = tally.has(key) ? key : 'other'
  const current = tally.get(target) ?? 0
  if (current <= 1) tally.delete(target)
  else tally.set(target, current - 1)
}

const toMap = (tally: Tally): MutableTally => new Map(Object.entries(tally))
const toTally = (tally: MutableTally): Tally => Object.fromEntries(tally)

/** A query value, percent-decoded ('' when it cannot be). */
function value(raw: string): string {
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return ''
  }
}

/**
 * Normalized values by what sites sent, for the few distinct values a log holds; the copies kept hold
 * on to nothing else (a slice of a line would keep the whole chunk it was cut from alive).
 */
class ValueCache {
  private readonly values = new Map<string, string>()
  constructor(private readonly normalize: (raw: string) => string) {}

  get(raw: string): string {
    let normalized = this.values.get(raw)
    if (normalized === undefined) {
      normalized = copyOf(this.normalize(raw))
      // Anyone may send anything: past this many distinct values, new ones are not cached.
      if (this.values.size < 10_000) this.values.set(copyOf(raw), normalized)
    }
    return normalized
  }
}

function copyOf(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1')
}

function majorMinor(version: string): string {
  const match = MAJOR_MINOR.exec(version)
  return match === null ? 'other' : `${Number(match[1])}.${Number(match[2])}`
}

const installedValues = new ValueCache((raw) => (VERSION.test(value(raw)) ? value(raw) : ''))
const wpValues = new ValueCache((raw) => majorMinor(value(raw)))
const phpValues = new ValueCache((raw) => majorMinor(value(raw)))
const localeValues = new ValueCache((raw) => (LOCALE.test(value(raw)) ? value(raw) : 'other'))

/** What follows a report's `site`, parsed once per distinct text (a few thousand at most in a log). */
const tails = new Map<string, { readonly text: string; readonly record: Reported | 'malformed' }>()
const SITE_PARAM = 'site='.length + 64

/** A report: the site's hash, its id (the first 16 hex digits), what it reported, and the text after `site`. */
export interface Report {
  readonly site: string
  readonly id: string
  readonly record: Reported
  /** The query after `site=…&` when `site` came first (kept to compare the site's next check with). */
  readonly tail: string | null
}

/** The install report of a manifest request's query: null without one, 'malformed' when unusable. */
export function parseReport(query: string): Report | null | 'malformed' {
  // The updater sends `site` first: the rest of the query repeats across sites and checks.
  if (query.startsWith('site=') && (query.length === SITE_PARAM || query.charCodeAt(SITE_PARAM) === 38) /* & */) {
    const tail = query.slice(SITE_PARAM + 1)
    let parsed = tails.get(tail)
    if (parsed === undefined) {
      parsed = { text: copyOf(tail), record: parseParams(tail).record }
      if (tails.size < 10_000) tails.set(parsed.text, parsed)
    }
    if (parsed.record === 'malformed') return 'malformed'
    const site = query.slice(5, SITE_PARAM)
    return { site, id: site.slice(0, 16), record: parsed.record, tail: parsed.text }
  }
  const { site, record } = parseParams(query)
  if (site === null) return null
  if (site.length !== 64 || record === 'malformed') return 'malformed'
  return { site, id: site.slice(0, 16), record, tail: null }
}

/** The report's fields in any order; `record` is 'malformed' without a usable installed version. */
function parseParams(query: string): { site: string | null; record: Reported | 'malformed' } {
  let site: string | null = null
  let installed = ''
  let wp = ''
  let php = ''
  let locale = ''
  let multisite: 0 | 1 = 0
  let start = 0
  while (start < query.length) {
    let end = query.indexOf('&', start)
    if (end < 0) end = query.length
    // Keys told apart by their first letter, then compared in place: no slice for a key.
    switch (query.charCodeAt(start)) {
      case 115 /* s */:
        if (query.startsWith('site=', start)) site = query.slice(start + 5, end)
        break
      case 105 /* i */:
        if (query.startsWith('installed=', start)) installed = query.slice(start + 10, end)
        break
      case 119 /* w */:
        if (query.startsWith('wp=', start)) wp = query.slice(start + 3, end)
        break
      case 112 /* p */:
        if (query.startsWith('php=', start)) php = query.slice(start + 4, end)
        break
      case 108 /* l */:
        if (query.startsWith('locale=', start)) locale = query.slice(start + 7, end)
        break
      case 109 /* m */:
        if (query.startsWith('multisite=', start)) multisite = end - start === 11 && query.charCodeAt(start + 10) === 49 ? 1 : 0
        break
    }
    start = end + 1
  }
  const version = installedValues.get(installed)
  if (version === '') return { site, record: 'malformed' }
  return { site, record: [version, wpValues.get(wp), phpValues.get(php), localeValues.get(locale), multisite] }
}

const EMPTY_TALLIES = (): Pick<DayAcc, 'versions' | 'wp' | 'php' | 'locales' | 'downloads'> => ({
  versions: new Map(),
  wp: new Map(),
  php: new Map(),
  locales: new Map(),
  downloads: new Map()
})

/** One plugin's aggregates while lines are folded in. */
class PluginFold {
  readonly days = new Map<number, DayAcc>()
  readonly sites = new Map<string, LiveRecord>()
  readonly seen = new Map<string, [first: number, last: number]>()
  malformedReports: number
  /** `<prefix><slug>/info.json`: a check. */
  readonly manifestPath: string
  /** `<prefix><slug>/<slug>-`: a download, followed by `v<version>.zip` or `latest.zip`. */
  readonly zipPrefix: string

  constructor(state: PluginStatsState | undefined, prefix: string, slug: string) {
    this.manifestPath = `${prefix}${slug}/info.json`
    this.zipPrefix = `${prefix}${slug}/${slug}-`
    this.malformedReports = state?.malformed_reports ?? 0
    for (const day of Object.values(state?.days ?? {})) {
      this.days.set(dayNumber(day.day), {
        ...day,
        versions: toMap(day.versions),
        wp: toMap(day.wp),
        php: toMap(day.php),
        locales: toMap(day.locales),
        downloads: toMap(day.downloads)
      })
    }
    for (const [id, record] of Object.entries(state?.sites ?? {})) this.sites.set(id, [...record, null])
    for (const [version, s] of Object.entries(state?.versions ?? {}))
      this.seen.set(version, [Date.parse(s.first_seen), Date.parse(s.last_seen)])
  }

  private lastDay = NaN
  private lastAcc: DayAcc | null = null

  day(n: number): DayAcc {
    if (n === this.lastDay && this.lastAcc !== null) return this.lastAcc
    let acc = this.days.get(n)
    if (acc === undefined) {
      acc = { checks: 0, unreported: 0, sites: 0, multisite: 0, ...EMPTY_TALLIES(), active: snapshotOf([], n) }
      this.days.set(n, acc)
    }
    this.lastDay = n
    this.lastAcc = acc
    return acc
  }

  check(n: number, ms: number, query: string): void {
    const acc = this.day(n)
    acc.checks++
    // Most checks report what the site's last one did: compared in place with that text, nothing is parsed.
    let before: LiveRecord | undefined
    let reported: Reported
    let tail: string | null
    const repeat = query.length > SITE_PARAM && query.charCodeAt(SITE_PARAM) === 38 && query.startsWith('site=')
    if (repeat) before = this.sites.get(query.slice(5, 21))
    if (
      before !== undefined &&
      before[6] !== null &&
      query.length === SITE_PARAM + 1 + before[6].length &&
      query.startsWith(before[6], SITE_PARAM + 1)
    ) {
      reported = [before[1], before[2], before[3], before[4], before[5]]
      tail = before[6]
    } else {
      const report = parseReport(query)
      if (report === null || report === 'malformed') {
        acc.unreported++
        if (report === 'malformed') this.malformedReports++
        return
      }
      before = this.sites.get(report.id)
      if (before === undefined && !SITE.test(report.site)) {
        acc.unreported++
        this.malformedReports++
        return
      }
      if (before === undefined) {
        const [v, w, p, l, m] = report.record
        this.newSite(acc, n, copyOf(report.id), [v, w, p, l, m], report.tail)
        this.see(report.record[0], ms)
        return
      }
      reported = report.record
      tail = report.tail
    }
    const [version, wp, php, locale, multisite] = reported
    if (before[0] < n) {
      acc.sites++
      inc(acc.versions, version)
      inc(acc.wp, wp)
      inc(acc.php, php)
      inc(acc.locales, locale)
      acc.multisite += multisite
      setRecord(before, n, reported, tail)
    } else if (before[0] === n) {
      // Seen today already: the day counts it at what it reported last (it may have just updated).
      const tallies = [acc.versions, acc.wp, acc.php, acc.locales] as const
      for (let i = 0; i < 4; i++) {
        if (before[i + 1] !== reported[i]) {
          dec(tallies[i]!, before[i + 1] as string)
          inc(tallies[i]!, reported[i] as string)
        }
      }
      acc.multisite += multisite - before[5]
      setRecord(before, n, reported, tail)
    }
    // else: a line older than this site's last check (two logs, a late write): counted as a check only.
    this.see(version, ms)
  }

  /** A site not in the window: counted on its day. */
  private newSite(acc: DayAcc, n: number, id: string, reported: Reported, tail: string | null): void {
    const [version, wp, php, locale, multisite] = reported
    acc.sites++
    inc(acc.versions, version)
    inc(acc.wp, wp)
    inc(acc.php, php)
    inc(acc.locales, locale)
    acc.multisite += multisite
    this.sites.set(id, [n, version, wp, php, locale, multisite, tail])
  }

  /** First and last report of a version. */
  private see(version: string, ms: number): void {
    const seen = this.seen.get(version)
    if (seen === undefined) {
      if (this.seen.size < MAX_KEYS) this.seen.set(version, [ms, ms])
    } else {
      if (ms < seen[0]) seen[0] = ms
      if (ms > seen[1]) seen[1] = ms
    }
  }

  download(n: number, version: string): void {
    inc(this.day(n).downloads, version)
  }

  /** Records the window ending on day `n`, once no later line can change it. */
  close(n: number): void {
    const snapshot = snapshotOf(this.sites.values(), n)
    if (snapshot.sites > 0 || this.days.has(n)) this.day(n).active = snapshot
  }

  /** Forgets the sites that are no longer active on day `n`. */
  prune(n: number): void {
    for (const [id, record] of this.sites) if (record[0] <= n - ACTIVE_WINDOW_DAYS) this.sites.delete(id)
  }

  state(): PluginStatsState {
    const days: Record<string, StatsDay> = {}
    for (const n of [...this.days.keys()].sort((a, b) => a - b)) {
      const acc = this.days.get(n)!
      days[dayKey(n)] = {
        day: dayKey(n),
        checks: acc.checks,
        unreported: acc.unreported,
        sites: acc.sites,
        versions: toTally(acc.versions),
        wp: toTally(acc.wp),
        php: toTally(acc.php),
        locales: toTally(acc.locales),
        multisite: acc.multisite,
        downloads: toTally(acc.downloads),
        active: acc.active
      }
    }
    const versions: PluginStatsState['versions'] = {}
    for (const [version, [first, last]] of this.seen)
      versions[version] = { first_seen: new Date(first).toISOString(), last_seen: new Date(last).toISOString() }
    const sites: Record<string, SiteRecord> = {}
    for (const [id, r] of this.sites) sites[id] = [r[0], r[1], r[2], r[3], r[4], r[5]]
    return { days, versions, sites, malformed_reports: this.malformedReports }
  }
}

/** Updates a site's record in place (a pull updates millions: no new array each time). */
function setRecord(record: LiveRecord, n: number, reported: Reported, tail: string | null): void {
  record[0] = n
  record[1] = reported[0]
  record[2] = reported[1]
  record[3] = reported[2]
  record[4] = reported[3]
  record[5] = reported[4]
  record[6] = tail
}

/** The sites active on day `n`, at the version each last reported. */
function snapshotOf(records: Iterable<SiteRecord | LiveRecord>, n: number): ActiveSnapshot {
  const versions: MutableTally = new Map()
  const wp: MutableTally = new Map()
  const php: MutableTally = new Map()
  const locales: MutableTally = new Map()
  let sites = 0
  let multisite = 0
  for (const record of records) {
    if (!isActiveOn(record[0], n)) continue
    sites++
    inc(versions, record[1])
    inc(wp, record[2])
    inc(php, record[3])
    inc(locales, record[4])
    multisite += record[5]
  }
  return { sites, versions: toTally(versions), wp: toTally(wp), php: toTally(php), locales: toTally(locales), multisite }
}

/** What a fold starts from and ends with: the newest day seen on the server, and each plugin's state. */
export interface FoldState {
  readonly newestDay: number | null
  readonly plugins: Readonly<Record<string, PluginStatsState>>
}

/**
 * Folds the lines of one server's logs, in the order they were written. Requests count for a plugin
 * when their path is `<public URL path><slug>/info.json` (a check, answered 200 or 304) or
 * `<public URL path><slug>/<slug>-v<version>.zip` (a download, answered 200).
 */
export class StatsFold {
  readonly lines: LineCounts = { read: 0, malformed: 0, other: 0 }
  private readonly plugins = new Map<string, PluginFold>()
  private readonly clock = new LogClock()
  private newestDay: number | null
  private readonly latestMs: number

  constructor(
    start: FoldState,
    slugs: readonly string[],
    private readonly pathPrefix: string,
    now: Date
  ) {
    this.newestDay = start.newestDay
    for (const slug of slugs) this.plugins.set(slug, new PluginFold(start.plugins[slug], pathPrefix, slug))
    this.latestMs = now.getTime() + DAY_MS
  }

  /** One complete line, without its newline. */
  line(text: string): void {
    this.lines.read++
    const request = parseCombinedLine(text, this.clock)
    if (request === null || request.ms < EARLIEST_MS || request.ms > this.latestMs) {
      this.lines.malformed++
      return
    }
    const n = Math.floor(request.ms / DAY_MS)
    if (this.newestDay === null) this.newestDay = n
    else if (n > this.newestDay) this.advance(n)
    const target = request.target
    if (!target.startsWith(this.pathPrefix) || request.method !== 'GET') {
      this.lines.other++
      return
    }
    // Each plugin's paths are compared in place: most lines are one plugin's checks.
    for (const plugin of this.plugins.values()) {
      if (target.startsWith(plugin.manifestPath)) {
        const end = plugin.manifestPath.length
        if (target.length === end || target.charCodeAt(end) === 63 /* ? */) {
          if (request.status === 200 || request.status === 304) {
            plugin.check(n, request.ms, target.length === end ? '' : target.slice(end + 1))
            return
          }
          break
        }
      } else if (target.startsWith(plugin.zipPrefix) && request.status === 200 && target.endsWith('.zip')) {
        const name = target.slice(plugin.zipPrefix.length, -4)
        const version = name === 'latest' ? name : name.startsWith('v') && VERSION.test(name.slice(1)) ? name.slice(1) : ''
        if (version !== '') {
          plugin.download(n, version)
          return
        }
        break
      }
    }
    this.lines.other++
  }

  /** A line of a later day: the days before it are closed (their windows are final) and old sites forgotten. */
  private advance(n: number): void {
    const from = this.newestDay!
    // After the window's length every snapshot is empty: a gap of months costs no more than a week.
    for (let day = from; day < Math.min(n, from + ACTIVE_WINDOW_DAYS); day++) for (const plugin of this.plugins.values()) plugin.close(day)
    for (const plugin of this.plugins.values()) plugin.prune(n)
    this.newestDay = n
  }

  /** The state to store: the newest day's window as it stands now, and the sites still active. */
  finish(): FoldState {
    const plugins: Record<string, PluginStatsState> = {}
    for (const [slug, plugin] of this.plugins) {
      if (this.newestDay !== null) {
        plugin.close(this.newestDay)
        plugin.prune(this.newestDay)
      }
      plugins[slug] = plugin.state()
    }
    return { newestDay: this.newestDay, plugins }
  }
}
