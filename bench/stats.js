// Benchmark: ingesting access logs for install statistics, against awk.
//
// What it measures:
//   - ingest of a generated 1,000,000-line access log (test/support/access-log.ts: seeded, realistic
//     combined-format lines for 20,000 sites over 60 days: 80 % manifest checks with the updater's
//     report, downloads, checks without a report, scanners' 404s, a few broken lines; about 245 MB):
//       ours:   bench/worker.js in a fresh process streams the file (1 MiB reads) through the pull's
//               own LineSplitter and StatsFold (parse, per-day distinct sites per version / WP / PHP /
//               locale, the 7-day window, downloads); wall time of the work, peak RSS.
//       native: gawk computing the per-day distinct-site counts only (GET, 200/304, the manifest path,
//               distinct (day, site) pairs): less work than ours, which is the point of the ratio.
//     Both must give the same per-day counts or the run fails.
//   - the same for a 100,000-line log (the same population), for peak memory: ours should stay flat in
//     the log's size (it holds the sites of the last 7 days, never the lines).
//   - a pull that finds nothing new, over SFTP from a private sshd: the SFTP requests it makes per log
//     (one stat is the goal), and its wall time with the connection.
//
// Logs go to $TMPDIR/wprm-bench-logs (reused between runs; generation takes ~10 s).

import { copyFileSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runNative, runWorker } from './measure.js'

const OUT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)
const LOGS_DIR = process.env.WPRM_BENCH_LOGS ?? path.join(os.tmpdir(), 'wprm-bench-logs')
const SLUG = 'hello-wprm'
const PREFIX = '/plugins/'

/** The plan of a generated log; the same population and days at every size. */
function plan(lines) {
  return {
    lines,
    sites: 20_000,
    days: 60,
    firstDay: '2026-06-01',
    prefix: PREFIX,
    slug: SLUG,
    versions: ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '2.0.0'],
    seed: 0x10a6
  }
}

/** The awk script: per-day distinct sites among the report-carrying manifest checks. */
export const AWK_SCRIPT = `$6 == "\\"GET" && ($9 == 200 || $9 == 304) && index($7, P) == 1 {
  i = index($7, "site=")
  if (i) { d = substr($4, 2, 11); k = d " " substr($7, i + 5, 64); if (!(k in seen)) { seen[k] = 1; n[d]++ } }
}
END { for (d in n) print d, n[d] }`

async function ensureLog(lines, log) {
  mkdirSync(LOGS_DIR, { recursive: true })
  const file = path.join(LOGS_DIR, `access-${lines}.log`)
  if (existsSync(file)) return file
  log(`stats: generating ${lines} log lines`)
  const { generateLog } = await load('test/support/access-log.js')
  const partial = `${file}.part`
  const out = createWriteStream(partial)
  let batch = []
  for (const line of generateLog(plan(lines))) {
    batch.push(line)
    if (batch.length === 10_000) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain')
      batch = []
    }
  }
  if (batch.length > 0) out.write(`${batch.join('\n')}\n`)
  out.end()
  await once(out, 'finish')
  renameSync(partial, file)
  return file
}

const MONTHS = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12'
}
/** awk's `10/Oct/2026 123` lines as { '2026-10-10': 123 }. */
function parseAwk(stdout) {
  const out = {}
  for (const line of stdout.trim().split('\n')) {
    const [day, n] = line.split(' ')
    const [dd, mon, yyyy] = day.split('/')
    out[`${yyyy}-${MONTHS[mon]}-${dd}`] = Number(n)
  }
  return out
}

function sameCounts(ours, native) {
  const keys = new Set([...Object.keys(ours), ...Object.keys(native)])
  for (const key of keys) if (ours[key] !== native[key]) return `${key}: ours ${ours[key]}, awk ${native[key]}`
  return null
}

/** The ingest rows, and (with sshd) the no-change pull. */
export async function benchStats(ctx) {
  const rows = []
  const dir = path.join(ctx.outDir, 'stats')
  mkdirSync(dir, { recursive: true })
  for (const lines of [100_000, 1_000_000]) {
    const file = await ensureLog(lines, ctx.log)
    const oursRun = () => runWorker({ mode: 'ingest', file, slug: SLUG, prefix: PREFIX, now: '2026-12-31T00:00:00Z' })
    const nativeRun = async () => {
      const measured = await runNative('awk', ['-v', `P=${PREFIX}${SLUG}/info.json?`, AWK_SCRIPT, file], { scratch: dir })
      return { ...measured, perDay: parseAwk(measured.stdout) }
    }
    ctx.log(`stats: ${lines} lines, warm-up`)
    const warmOurs = await oursRun()
    const warmNative = await nativeRun()
    const differ = sameCounts(warmOurs.perDay, warmNative.perDay)
    if (differ !== null) throw new Error(`stats: per-day distinct sites differ from awk's (${differ})`)
    ctx.log(`stats: ${lines} lines, ${ctx.runs} runs each`)
    const { ours, native } = await ctx.alternate(oursRun, nativeRun)
    const label = lines >= 1e6 ? `${lines / 1e6}M` : `${lines / 1e3}k`
    const extra = { stats: { lines, days: Object.keys(warmOurs.perDay).length, sites: warmOurs.sites, read: warmOurs.lines } }
    rows.push(
      ctx.row(
        `stats ingest ${label} lines (vs awk distinct sites/day)`,
        's',
        ours.map((r) => r.seconds),
        native.map((r) => r.seconds),
        extra
      ),
      ctx.row(
        `stats ingest ${label} peak memory`,
        'MB',
        ours.map((r) => (r.maxRssKiB * 1024) / 1e6),
        native.map((r) => (r.maxRssKiB * 1024) / 1e6)
      )
    )
  }
  if (ctx.withSftp) rows.push(...(await benchNoChangePull(ctx)))
  return rows
}

/** A pull of a log that did not change: how many SFTP requests, and how long with the connection. */
async function benchNoChangePull(ctx) {
  const { startUpdateServer } = await load('test/support/update-server.js')
  const { createApi } = await load('src-main/api.js')
  ctx.log('stats: no-change pull over SFTP')
  const server = await startUpdateServer()
  const dataDir = path.join(ctx.outDir, 'stats', 'data')
  try {
    const api = createApi({ dataDir })
    const value = (result) => {
      if (!result.ok) throw new Error(`stats: ${result.error.message}`)
      return result.value
    }
    const source = path.join(ctx.outDir, 'stats', SLUG)
    mkdirSync(source, { recursive: true })
    writeFileSync(path.join(source, `${SLUG}.php`), `<?php\n/**\n * Plugin Name: Hello\n * Version: 1.0.0\n */\n`)
    value(await api.addPlugin({ sourceDir: source }))
    const profile = await server.profile('plugins')
    const logPath = path.join(server.sshd.root, 'access.log')
    copyFileSync(await ensureLog(100_000, ctx.log), logPath)
    value(await api.addServer({ ...profile, accessLogs: [logPath] }))
    value(await api.setPlugin({ slug: SLUG, server: 'plugins' }))
    let start = performance.now()
    const first = value(await api.pullStats({ slug: SLUG }))
    const firstSeconds = (performance.now() - start) / 1000
    const requests = []
    const seconds = []
    for (let i = 0; i < ctx.runs; i++) {
      start = performance.now()
      const again = value(await api.pullStats({ slug: SLUG }))
      seconds.push((performance.now() - start) / 1000)
      requests.push(again.servers[0].logs.reduce((n, log) => n + log.requests, 0) / again.servers[0].logs.length)
    }
    await api.close()
    return [
      ctx.row('stats pull 100k lines over SFTP (first pull, connection included)', 's', [firstSeconds], null, {
        pullBytes: first.servers[0].logs[0].bytes
      }),
      ctx.row('stats no-change pull: SFTP requests per log (goal 1)', 'requests', requests, null),
      ctx.row('stats no-change pull, connection included', 's', seconds, null)
    ]
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Notes under the table. */
export function statsNotes(rows) {
  const lines = []
  for (const r of rows.filter((r) => r.stats)) {
    lines.push(
      `stats    ${r.name.split(' (')[0]}: ${r.stats.read.read} lines (${r.stats.read.malformed} malformed, ${r.stats.read.other} other), ${r.stats.days} days, ${r.stats.sites} sites in the last window; same per-day counts as awk`
    )
  }
  return lines
}

/** The targets of the issue, with the verdicts as measured. */
export function statsGoals(rows, verdict) {
  const lines = []
  const big = rows.find((r) => r.name.startsWith('stats ingest 1M lines'))
  if (big) lines.push(`  ${verdict(big.ratio <= 2)} ingest of 1M lines <= 2x awk's time: ratio ${big.ratio.toFixed(3)}`)
  const small = rows.find((r) => r.name === 'stats ingest 100k peak memory')
  const large = rows.find((r) => r.name === 'stats ingest 1M peak memory')
  if (small && large)
    lines.push(
      `  ${verdict(large.ours < small.ours * 1.5)} memory flat in the log's size: ${small.ours.toFixed(1)} MB at 100k lines, ${large.ours.toFixed(1)} MB at 1M`
    )
  const stat = rows.find((r) => r.name.startsWith('stats no-change pull: SFTP requests'))
  if (stat) lines.push(`  ${verdict(stat.ours === 1)} a pull that finds nothing new costs one SFTP stat per log: ${stat.ours}`)
  return lines
}
