import { createHash } from 'node:crypto'

/**
 * Realistic access-log lines in the combined format, as nginx writes them for an update server: sites'
 * manifest checks with the updater's install report, ZIP downloads, and the noise every public server
 * gets (probes, 404s, other virtual hosts' paths, the odd broken line). Seeded, so a test and the
 * benchmark can compute what the log must give independently of the code under test.
 */

/** What to generate. */
export interface LogPlan {
  readonly lines: number
  /** The size of the population of sites. */
  readonly sites: number
  readonly days: number
  /** The first day, `YYYY-MM-DD` (UTC). */
  readonly firstDay: string
  /** The public URL's path, e.g. `/prod/`. */
  readonly prefix: string
  readonly slug: string
  /** Versions in release order; each site moves up over the days. */
  readonly versions: readonly string[]
  readonly seed?: number
}

/** A small, fast, seeded PRNG (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The `site` value the updater sends: SHA-256 of the home URL, `#` and the plugin's folder. */
export function siteHash(homeUrl: string, slug: string): string {
  return createHash('sha256').update(`${homeUrl}#${slug}`).digest('hex')
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const WP = ['6.1.9', '6.3.5', '6.4.5', '6.5.5', '6.6.2', '6.7.1']
const PHP = ['7.4.33', '8.0.30', '8.1.31', '8.2.27', '8.3.15']
const LOCALES = ['en_US', 'de_DE', 'fr_FR', 'es_ES', 'pt_BR', 'ja', 'nl_NL', 'it_IT']
const NOISE = ['/wp-login.php', '/xmlrpc.php', '/.env', '/blog/wp-admin/', '/favicon.ico', '/robots.txt']

/** `[dd/Mon/yyyy:HH:MM:SS +0000]` for ms since 1970. */
export function logTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
}

/** One combined-format line. */
export function logLine(ip: string, ms: number, request: string, status: number, bytes: number, agent: string): string {
  return `${ip} - - [${logTime(ms)}] "${request}" ${status} ${bytes} "-" "${agent}"`
}

/** The lines of a plan, in time order. */
export function* generateLog(plan: LogPlan): Generator<string> {
  const random = seeded(plan.seed ?? 0x5eed)
  const start = Date.parse(`${plan.firstDay}T00:00:00Z`)
  const span = plan.days * 86_400_000
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  // Each site keeps its environment; its version rises with time from where it started.
  const sites = Array.from({ length: plan.sites }, (_, i) => ({
    home: `https://site-${i}.example`,
    hash: siteHash(`https://site-${i}.example`, plan.slug),
    ip: `198.51.${(i >> 8) & 255}.${i & 255}`,
    wp: pick(WP),
    php: pick(PHP),
    locale: pick(LOCALES),
    multisite: random() < 0.05 ? 1 : 0,
    base: Math.floor(random() * plan.versions.length),
    pace: 0.5 + random() * 2
  }))
  const manifest = `${plan.prefix}${plan.slug}/info.json`
  for (let i = 0; i < plan.lines; i++) {
    const ms = start + Math.floor((i / plan.lines) * span)
    const roll = random()
    const site = pick(sites)
    if (roll < 0.8) {
      const progress = Math.floor(((ms - start) / span) * site.pace * plan.versions.length)
      const version = plan.versions[Math.min(plan.versions.length - 1, site.base + progress)]!
      const query = `site=${site.hash}&installed=${version}&wp=${site.wp}&php=${site.php}&locale=${site.locale}&multisite=${site.multisite}&channel=stable`
      const status = random() < 0.7 ? 304 : 200
      yield logLine(
        site.ip,
        ms,
        `GET ${manifest}?${query} HTTP/1.1`,
        status,
        status === 304 ? 0 : 4213,
        `WordPress/${site.wp}; wprm-updater/1.0`
      )
    } else if (roll < 0.83) {
      const version = pick(plan.versions)
      yield logLine(
        site.ip,
        ms,
        `GET ${plan.prefix}${plan.slug}/${plan.slug}-v${version}.zip HTTP/1.1`,
        200,
        184_233,
        `WordPress/${site.wp}; ${site.home}`
      )
    } else if (roll < 0.86) {
      // An older updater, or one with the report turned off: a check without parameters.
      yield logLine(site.ip, ms, `GET ${manifest} HTTP/1.1`, 200, 4213, `WordPress/${site.wp}; ${site.home}`)
    } else if (roll < 0.999) {
      yield logLine(
        `203.0.113.${Math.floor(random() * 255)}`,
        ms,
        `GET ${pick(NOISE)} HTTP/1.1`,
        404,
        162,
        'Mozilla/5.0 (compatible; scanner)'
      )
    } else {
      yield `${site.ip} - - [${logTime(ms)}] "\\x16\\x03\\x01\\x02\\x00\\x01" 400 150 "-" "-"`
    }
  }
}
