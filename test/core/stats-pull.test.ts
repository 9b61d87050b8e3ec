/**
 * Install statistics pulled over SFTP from access logs on a real sshd: exact counts through appends, a
 * half-written last line, copy-truncate and rename + gzip rotation, a lost rotated file, malformed lines
 * and another virtual host's lines; a pull that finds nothing new costs one stat; the data folder keeps
 * no address and no URL. The expected numbers are computed here, from the lines the test wrote.
 */
import { appendFile, copyFile, mkdir, readFile, readdir, rename, rm, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandle } from '../../src-main/api.js'
import { createApi } from '../../src-main/api.js'
import type { Result, StatsPullResult, StatsReport } from '../../src-preload/api.js'
import { ACTIVE_WINDOW_DAYS, dayKey } from '../../src-shared/stats.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { logLine, siteHash } from '../support/access-log.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

const SLUG = 'hello-wprm'
const DAY_MS = 86_400_000

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
let api: ApiHandle
let logDir: string
let logPath: string
let prefix: string

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

/** A site of the test population: its home URL and address are what must never be stored. */
interface Site {
  readonly home: string
  readonly ip: string
  readonly wp: string
  readonly php: string
  readonly locale: string
}
const sites: Site[] = Array.from({ length: 40 }, (_, i) => ({
  home: `https://shop-${i}.example.org`,
  ip: `192.0.2.${i + 10}`,
  wp: ['6.4.5', '6.5.2', '6.7.1'][i % 3]!,
  php: ['7.4.33', '8.2.27'][i % 2]!,
  locale: ['en_US', 'de_DE', 'fr_FR', 'ja'][i % 4]!
}))

/** Every check the test wrote that the pull must count, for the independent computation. */
const written: { day: number; site: number; version: string }[] = []
const downloads = new Map<string, number>()
let expectedMalformed = 0
let expectedOther = 0

const firstDay = Math.floor(Date.now() / DAY_MS) - 12
const at = (day: number, second: number): number => (firstDay + day) * DAY_MS + 3_600_000 + second * 1000

function check(day: number, site: number, version: string, second: number, status = 304): string {
  const s = sites[site]!
  written.push({ day: firstDay + day, site, version })
  const query = `site=${siteHash(s.home, SLUG)}&installed=${version}&wp=${s.wp}&php=${s.php}&locale=${s.locale}&multisite=${site === 0 ? 1 : 0}&channel=stable`
  // WordPress's default user agent names the home URL (older updaters send it): it must not be kept.
  return logLine(s.ip, at(day, second), `GET ${prefix}${SLUG}/info.json?${query} HTTP/1.1`, status, 0, `WordPress/${s.wp}; ${s.home}`)
}

function download(day: number, site: number, version: string, second: number): string {
  downloads.set(version, (downloads.get(version) ?? 0) + 1)
  return logLine(sites[site]!.ip, at(day, second), `GET ${prefix}${SLUG}/${SLUG}-v${version}.zip HTTP/1.1`, 200, 9000, 'WordPress/6.4.5')
}

function noise(day: number, second: number): string[] {
  expectedOther += 3
  expectedMalformed += 1
  return [
    // Another virtual host's paths in the same log, a probe, and a check that was not found.
    logLine('203.0.113.9', at(day, second), `GET /blog/${SLUG}/info.json?site=${'a'.repeat(64)}&installed=9.9.9 HTTP/1.1`, 200, 10, 'x'),
    logLine('203.0.113.9', at(day, second), 'GET /wp-login.php HTTP/1.1', 404, 10, 'x'),
    logLine('203.0.113.9', at(day, second), `GET ${prefix}${SLUG}/info.json?site=${'b'.repeat(64)}&installed=1.0.0 HTTP/1.1`, 404, 10, 'x'),
    '203.0.113.9 - - [garbage line without a time'
  ]
}

/** What the pulls must have counted, computed from the written checks with plain sets. */
function expectedDays(): Map<
  string,
  { sites: number; versions: Record<string, number>; active: number; activeVersions: Record<string, number> }
> {
  const days = [...new Set(written.map((w) => w.day))].sort((a, b) => a - b)
  const out = new Map<string, { sites: number; versions: Record<string, number>; active: number; activeVersions: Record<string, number> }>()
  for (let d = days[0]!; d <= days.at(-1)!; d++) {
    const lastOfDay = new Map<number, string>()
    for (const w of written) if (w.day === d) lastOfDay.set(w.site, w.version)
    const latest = new Map<number, string>()
    for (const w of written) if (w.day <= d && w.day > d - ACTIVE_WINDOW_DAYS) latest.set(w.site, w.version)
    const tally = (m: Map<number, string>): Record<string, number> => {
      const t: Record<string, number> = {}
      for (const v of m.values()) t[v] = (t[v] ?? 0) + 1
      return t
    }
    out.set(dayKey(d), { sites: lastOfDay.size, versions: tally(lastOfDay), active: latest.size, activeVersions: tally(latest) })
  }
  return out
}

/** What logrotate does without copytruncate: N.gz → N+1.gz, .1 → .2.gz (compressed), the log → .1. */
async function rotateByRename(): Promise<void> {
  const numbered = (await readdir(logDir))
    .map((name) => /^access\.log\.(\d+)\.gz$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a)
  for (const n of numbered) await rename(`${logPath}.${n}.gz`, `${logPath}.${n + 1}.gz`)
  await writeFile(`${logPath}.2.gz`, gzipSync(await readFile(`${logPath}.1`)))
  await rm(`${logPath}.1`)
  await rename(logPath, `${logPath}.1`)
}

async function pull(): Promise<StatsPullResult> {
  return value(await api.pullStats({ slug: SLUG }))
}

async function report(days = 60): Promise<StatsReport> {
  return value(await api.getStats({ slug: SLUG, days }))
}

async function expectExactCounts(): Promise<void> {
  const got = await report()
  const expected = expectedDays()
  for (const [day, e] of expected) {
    const d = got.days.find((x) => x.day === day)
    expect(d, day).toBeDefined()
    expect({ day, sites: d!.sites, versions: d!.versions, active: d!.active.sites, activeVersions: d!.active.versions }).toEqual({
      day,
      sites: e.sites,
      versions: e.versions,
      active: e.active,
      activeVersions: e.activeVersions
    })
  }
  expect(Object.fromEntries(got.downloads.map((d) => [d.version, d.downloads]))).toEqual(Object.fromEntries(downloads))
  expect(got.lines).toMatchObject({ malformed: expectedMalformed, other: expectedOther })
}

beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-stats-')
  logDir = path.join(temp.dir, 'logs')
  await mkdir(logDir)
  logPath = path.join(logDir, 'access.log')
  api = createApi({ dataDir: path.join(temp.dir, 'data') })
  const source = await writePluginFolder(path.join(temp.dir, SLUG))
  value(await api.addPlugin({ sourceDir: source }))
  const profile = await server.profile('stats')
  prefix = new URL(profile.publicUrl).pathname
  value(await api.addServer(profile))
  value(await api.setPlugin({ slug: SLUG, server: 'stats' }))
})

afterAll(async () => {
  await api?.close()
  await server?.stop()
  await temp?.cleanup()
})

describe('wprm stats pull over SFTP', () => {
  it('refuses a server without access logs, and a log that is not there, naming what to do', async () => {
    const none = await api.pullStats({ slug: SLUG })
    expect(none).toMatchObject({ ok: false, error: { kind: 'usage', hint: expect.stringContaining('wprm server set stats --access-log') } })
    value(await api.setServer({ name: 'stats', accessLogs: [logPath] }))
    const missing = await api.pullStats({ slug: SLUG })
    expect(missing).toMatchObject({ ok: false, error: { kind: 'remote-not-found', message: expect.stringContaining(logPath) } })
    expect(await readdir(path.join(temp.dir, 'data', 'stats'))).toEqual([])
  })

  it('counts a first log exactly; a half-written last line waits for its end', async () => {
    const lines = [
      ...Array.from({ length: 30 }, (_, i) => check(0, i, '1.0.0', i)),
      download(0, 1, '1.0.0', 40),
      ...noise(0, 41),
      ...Array.from({ length: 20 }, (_, i) => check(1, i, i < 10 ? '1.1.0' : '1.0.0', i)),
      // Site 3 updates during day 1: the day counts it once, at 1.1.0.
      check(1, 3, '1.1.0', 30),
      download(1, 3, '1.1.0', 31)
    ]
    const half = check(1, 35, '1.1.0', 50)
    await writeFile(logPath, `${lines.join('\n')}\n${half.slice(0, 60)}`)
    written.pop() // not complete yet
    const first = await pull()
    expect(first.servers[0]!.logs[0]).toMatchObject({ state: 'new', gap: false })
    expect(first.servers[0]!.lines.read).toBe(lines.length)
    await expectExactCounts()

    await appendFile(logPath, `${half.slice(60)}\n${check(2, 36, '1.1.0', 1)}\n`)
    written.push({ day: firstDay + 1, site: 35, version: '1.1.0' }, { day: firstDay + 2, site: 36, version: '1.1.0' })
    const second = await pull()
    expect(second.servers[0]!.logs[0]).toMatchObject({ state: 'appended' })
    expect(second.servers[0]!.lines.read).toBe(2)
    await expectExactCounts()
  })

  it('a pull that finds nothing new makes one SFTP request per log: a stat', async () => {
    const unchanged = await pull()
    expect(unchanged.servers[0]!.logs).toEqual([{ path: logPath, state: 'unchanged', files: [], bytes: 0, gap: false, requests: 1 }])
    expect(unchanged.servers[0]!.lines.read).toBe(0)
  })

  it('copy-truncate: the copy is read from where the pull stopped, then the emptied log', async () => {
    // Written before the copy (so only in access.log.1), then the copy, the truncate and new lines.
    await appendFile(logPath, `${check(3, 0, '1.1.0', 1)}\n${check(3, 1, '1.1.0', 2)}\n`)
    await copyFile(logPath, `${logPath}.1`)
    await truncate(logPath, 0)
    await appendFile(logPath, `${check(3, 2, '1.1.0', 10)}\n${download(3, 2, '1.1.0', 11)}\n${noise(3, 12).join('\n')}\n`)
    const result = await pull()
    expect(result.servers[0]!.logs[0]).toMatchObject({ state: 'rotated', files: [`${logPath}.1`, logPath], gap: false })
    await expectExactCounts()
  })

  it('rename + gzip: older copies are compressed, the log renamed (and written on until reopened), a new one started', async () => {
    await appendFile(logPath, `${check(4, 5, '1.1.0', 1)}\n`)
    // logrotate: .1 → .2.gz, access.log → .1; nginx writes one more line to the renamed file, then reopens.
    await rotateByRename()
    await appendFile(`${logPath}.1`, `${check(4, 6, '1.1.0', 2)}\n`)
    await writeFile(logPath, `${check(5, 7, '1.1.0', 1)}\n${check(5, 8, '1.0.0', 2)}\n`)
    const result = await pull()
    expect(result.servers[0]!.logs[0]).toMatchObject({ state: 'rotated', files: [`${logPath}.1`, logPath], gap: false })
    await expectExactCounts()

    // Twice rotated between pulls, the older copies compressed: the file of the cursor is found by its content.
    await appendFile(logPath, `${check(6, 9, '1.1.0', 1)}\n`)
    await rotateByRename()
    await appendFile(`${logPath}.1`, `${check(6, 10, '1.1.0', 2)}\n`)
    await writeFile(logPath, `${check(7, 11, '1.1.0', 1)}\n`)
    await rotateByRename()
    await writeFile(logPath, `${check(7, 12, '1.1.0', 5)}\n`)
    const twice = await pull()
    expect(twice.servers[0]!.logs[0]).toMatchObject({ state: 'rotated', files: [`${logPath}.2.gz`, `${logPath}.1`, logPath], gap: false })
    await expectExactCounts()
  })

  it('says so when the file it stopped in was rotated away before the pull (a gap), and counts what is there', async () => {
    await appendFile(logPath, `${check(8, 13, '1.1.0', 1)}\n`)
    written.pop() // rotated away unread: lost
    for (const name of await readdir(logDir)) await rm(path.join(logDir, name))
    // (Two lines: a new log of the very size of the old one, in the same second, would pass for unchanged.)
    await writeFile(logPath, `${check(8, 14, '1.1.0', 5)}\n${check(8, 15, '1.0.0', 6)}\n`)
    const result = await pull()
    expect(result.servers[0]!.logs[0]).toMatchObject({ state: 'rotated', files: [logPath], gap: true })
    await expectExactCounts()
  })

  it('keeps no IP address, home URL, user agent or raw line in the data folder', async () => {
    const dataDir = path.join(temp.dir, 'data')
    const files: string[] = []
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full)
        else files.push(full)
      }
    }
    await walk(dataDir)
    expect(files.some((f) => f.endsWith(path.join('stats', 'stats.json')))).toBe(true)
    const everything = (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n')
    for (const site of sites) {
      expect(everything).not.toContain(site.ip)
      expect(everything).not.toContain(site.home.replace('https://', ''))
      // Not even the full site hash: only a 16-digit prefix identifies a site in the 7-day window.
      expect(everything).not.toContain(siteHash(site.home, SLUG))
    }
    expect(everything).not.toContain('203.0.113.9')
    // The statistics hold no address at all (wprm.json names the update server's, 127.0.0.1).
    const stats = await readFile(path.join(dataDir, 'stats', 'stats.json'), 'latin1')
    expect(stats).not.toMatch(/\b(?:\d{1,3}\.){3}\d{1,3}\b/)
    expect(everything).not.toContain('WordPress/')
    expect(everything).not.toContain('GET ')
  })
})
