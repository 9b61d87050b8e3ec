// Benchmark: our ZIP builder and hasher against the native tools.
//
//   node --expose-gc bench/run.js [--json] [--quick] [--only-stats | --only-s3 | --only-updater | --publish-only]      (npm run bench builds out/cli first)
//
// What it measures, per source tree (a generated 150-file plugin, a generated 3,000-file / 90 MB
// WordPress-like tree, and a copy of /usr/share/wordpress when it is installed):
//   - ours:   one full build in a fresh Node process (bench/worker.js): buildVersionZip for the
//             generated plugins, collectSourceEntries + writeZip for WordPress core (it has no plugin
//             header). Wall time of the build, peak RSS of that process, ZIP size.
//   - native: `zip -r -X -q -6 out.zip <folder>` run from the folder's parent, wall time around the
//             spawn, peak RSS from GNU time (%M), ZIP size.
// and the hashing of the large tree's ZIP: hashFile (SHA-256 + MD5 in one read, in a fresh process)
// against `openssl dgst -sha256` followed by `md5sum` (their two wall times added);
// then publishing (bench/publish.js, on a private sshd + nginx): a 50 MiB upload against OpenSSH's
// sftp, on loopback and with 10 ms RTT added, and (bench/far.js) whole releases of a 100 KB and a 20 MB
// plugin end to end (build, publish, verify) and verify alone, at 0, 10, 50 and 100 ms RTT, against
// `sftp -b` + `curl`, with each phase's time and the sequential round trips it costs; then whole releases
// to an `s3` profile (a 20 MB ZIP's publish against `aws s3 cp` of the ZIP and the manifest; a 100 KB plugin's
// build, publish and verify against `aws s3 cp` x2 + `curl`), on loopback and at 50 ms RTT (bench/s3.js, on a
// one-node Ceph RADOS Gateway); then our PHP updater on a real WordPress against plugin-update-checker 5 (bench/updater.js: ms
// added to an admin page load with a cached manifest, and to a fresh update check, ours verifying the signature).
// Rows without a native counterpart have native and ratio null in the JSON ('-' in the
// table). --publish-only runs the publishing section alone (for working on it).
//
// How: the trees are generated once from a seeded PRNG (bench/trees.js) into $TMPDIR/wprm-bench-trees
// (or $WPRM_BENCH_TREES) and reused; each tool gets one untimed warm-up run (the page cache cannot be
// dropped here, so every run is a warm-cache run), then the tools alternate for 5 runs (3 with --quick)
// and the median is reported. Both tools must archive the same names (checked with unzip -Z1) or the
// run fails. ZIPs go to .bench-tmp/out and are deleted after every run.
//
// Output: a table on stdout (progress goes to stderr); with --json only a JSON array of
// { name, ours, native, ratio, unit } on stdout.

import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { GNU_TIME, run, runNative, runWorker, zipNames } from './measure.js'
import { benchPublish, publishGoals, publishNotes, publishPrerequisites, stopPublishServers } from './publish.js'
import { benchS3, s3Goals, s3Notes, s3Prerequisites, stopS3Store } from './s3.js'
import { benchUpdater, stopUpdaterSite, updaterGoals, updaterNotes, updaterPrerequisites } from './updater.js'
import { benchStats, statsGoals, statsNotes } from './stats.js'
import { prepareTrees } from './trees.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// The source trees live outside the repository: `eslint .` (flat config) does not read .gitignore
// and would lint their 60 MB of generated and WordPress JavaScript (seen: eslint at 1.1 GB RSS for
// minutes, and errors that would fail `npm test`). Only ZIPs, which no tool in the repo reads, go to .bench-tmp.
const TREES_DIR = process.env.WPRM_BENCH_TREES ?? path.join(os.tmpdir(), 'wprm-bench-trees')
const OUT_DIR = path.join(ROOT, '.bench-tmp', 'out')

const args = new Set(process.argv.slice(2))
const JSON_OUTPUT = args.has('--json')
const RUNS = args.has('--quick') ? 3 : 5
/** `--only-stats`: just the install-statistics rows (the trees and publishing take minutes). */
const ONLY_STATS = args.has('--only-stats')
/** `--only-s3`: just the S3 rows (bench/s3.js, on a one-node Ceph RADOS Gateway). */
const ONLY_S3 = args.has('--only-s3')
/** `--only-updater`: just the PHP updater rows (bench/updater.js, on a real WordPress, against plugin-update-checker). */
const ONLY_UPDATER = args.has('--only-updater')
/** `--publish-only`: just the publishing rows (upload, far releases, verify), for working on them. */
const PUBLISH_ONLY = args.has('--publish-only')
const MB = 1e6

/** Progress and notes go to stderr, so that stdout carries only the results. */
const log = (message) => process.stderr.write(`${message}\n`)

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** A fresh, empty output folder for one run. */
function scratch(name) {
  const dir = path.join(OUT_DIR, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Between measured runs: keep this process's heap small and idle while a child is measured. */
function settle() {
  globalThis.gc?.()
}

/** One build of ours in its own process; the ZIP stays in `dir` until the caller deletes it. */
function oursBuild(tree, dir) {
  const task = tree.plugin
    ? {
        mode: 'package',
        sourceDir: tree.root,
        slug: path.basename(tree.root),
        name: tree.plugin.name,
        mainFile: tree.plugin.mainFile,
        constant: tree.plugin.constant,
        distDir: path.join(dir, 'dist') // does not exist yet: a fresh dist folder every run
      }
    : { mode: 'folder', sourceDir: tree.root, prefix: path.basename(tree.root), outPath: path.join(dir, 'ours.zip') }
  return runWorker(task)
}

/** One `zip -r` of the same folder, from its parent so names start with the folder name as ours do. */
async function nativeBuild(tree, dir) {
  const zipPath = path.join(dir, 'native.zip')
  const measured = await runNative('zip', ['-r', '-X', '-q', '-6', zipPath, path.basename(tree.root)], {
    cwd: path.dirname(tree.root),
    scratch: dir
  })
  return { ...measured, zipPath, size: statSync(zipPath).size }
}

/** Both ZIPs must hold the same names, or the comparison would be unfair; returns the counts. */
async function compareEntries(treeName, oursZip, nativeZip) {
  const ours = await zipNames(oursZip)
  const native = await zipNames(nativeZip)
  const oursSet = new Set(ours)
  const nativeSet = new Set(native)
  // Our builder keeps only folders that hold files (source-files.ts); zip also stores empty ones.
  const emptyFolder = (name) => name.endsWith('/') && !native.some((other) => other !== name && other.startsWith(name))
  const missing = native.filter((name) => !oursSet.has(name) && !emptyFolder(name))
  const extra = ours.filter((name) => !nativeSet.has(name))
  if (missing.length || extra.length) {
    throw new Error(
      `${treeName}: the ZIPs differ (ours ${ours.length} entries, zip ${native.length}); ` +
        `only in zip: ${missing.slice(0, 5).join(', ')}; only in ours: ${extra.slice(0, 5).join(', ')}`
    )
  }
  return { ours: ours.length, native: native.length, emptyFolders: native.filter(emptyFolder).length }
}

/** Runs `measure(i)` for ours and native alternately, starting with each half the time; `runs` times each. */
async function alternate(oursRun, nativeRun, runs = RUNS) {
  const ours = []
  const native = []
  for (let i = 0; i < runs; i++) {
    // Alternating who goes first spreads the effect of whatever ran just before (cache, other jobs).
    const order =
      i % 2 === 0
        ? [
            [oursRun, ours],
            [nativeRun, native]
          ]
        : [
            [nativeRun, native],
            [oursRun, ours]
          ]
    for (const [measure, into] of order) {
      settle()
      into.push(await measure(i))
    }
  }
  return { ours, native }
}

/** A result row; `native` is null when there is no native counterpart (then ratio is null too). */
function row(name, unit, ours, native, extra = {}) {
  const nativeMedian = native === null ? null : median(native)
  const ratio = nativeMedian === null ? null : median(ours) / nativeMedian
  return { name, ours: median(ours), native: nativeMedian, ratio, unit, oursAll: ours, nativeAll: native, ...extra }
}

/** Where our time went, phase by phase (median of each), to tell the walk from the writer. */
function medianPhases(runs) {
  const keys = Object.keys(runs[0].phases)
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((r) => r.phases[key]))]))
}

async function benchTree(tree) {
  log(`${tree.name}: warm-up`)
  const warmDir = scratch(`${tree.name}-warmup`)
  const warmOurs = await oursBuild(tree, warmDir)
  const warmNative = await nativeBuild(tree, warmDir)
  const entries = await compareEntries(tree.name, warmOurs.zipPath, warmNative.zipPath)
  rmSync(warmDir, { recursive: true, force: true })

  log(`${tree.name}: ${RUNS} runs each`)
  const once = (build, who) => async (i) => {
    const dir = scratch(`${tree.name}-${who}-${i}`)
    try {
      return await build(tree, dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const { ours, native } = await alternate(once(oursBuild, 'ours'), once(nativeBuild, 'native'))
  const pick = (runs, key, scale = 1) => runs.map((r) => r[key] / scale)
  return [
    row(`${tree.name} ZIP time`, 's', pick(ours, 'seconds'), pick(native, 'seconds'), { entries, phases: medianPhases(ours) }),
    row(`${tree.name} peak memory`, 'MB', pick(ours, 'maxRssKiB', MB / 1024), pick(native, 'maxRssKiB', MB / 1024)),
    row(`${tree.name} ZIP size`, 'MB', pick(ours, 'size', MB), pick(native, 'size', MB))
  ]
}

/** `openssl dgst -sha256 FILE` then `md5sum FILE`, one after the other, as a script would. */
async function nativeHash(file, dir) {
  const sha = await runNative('openssl', ['dgst', '-sha256', file], { scratch: dir })
  const md5 = await runNative('md5sum', [file], { scratch: dir })
  return {
    seconds: sha.seconds + md5.seconds,
    maxRssKiB: Math.max(sha.maxRssKiB, md5.maxRssKiB),
    sha256: sha.stdout.trim().split('= ').pop(),
    md5: md5.stdout.trim().split(/\s+/)[0]
  }
}

async function benchHash(tree) {
  log(`hash: building the ${tree.name} ZIP to hash`)
  const dir = scratch('hash')
  try {
    const built = await oursBuild(tree, dir)
    const oursRun = () => runWorker({ mode: 'hash', file: built.zipPath })
    const nativeRun = () => nativeHash(built.zipPath, dir)
    const warmOurs = await oursRun()
    const warmNative = await nativeRun()
    // All three must agree: the writer's own digests, hashFile, and the native tools.
    for (const [key, values] of Object.entries({
      sha256: [built.sha256, warmOurs.sha256, warmNative.sha256],
      md5: [built.md5, warmOurs.md5, warmNative.md5]
    })) {
      if (new Set(values).size !== 1)
        throw new Error(`hash: ${key} digests differ: writer ${values[0]}, hashFile ${values[1]}, native ${values[2]}`)
    }
    log(`hash: ${RUNS} runs each`)
    const { ours, native } = await alternate(oursRun, nativeRun)
    const label = `hash ${tree.name} ZIP ${(built.size / MB).toFixed(0)} MB (SHA-256+MD5)`
    return [
      row(
        label,
        's',
        ours.map((r) => r.seconds),
        native.map((r) => r.seconds),
        { digests: { sha256: built.sha256, md5: built.md5 } }
      )
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Peak RSS of a worker that loads our modules and does nothing: the part of "ours" that is Node. */
async function nodeBaseline() {
  const runs = []
  for (let i = 0; i < 3; i++) runs.push(((await runWorker({ mode: 'baseline' })).maxRssKiB * 1024) / MB)
  return median(runs)
}

async function environment() {
  const zipVersion = (await run('zip', ['-v'])).stdout.split('\n').find((line) => /^This is Zip/.test(line)) ?? 'zip ?'
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? '?',
    zip: zipVersion.replace(/^This is /, '').replace(/, by Info-ZIP\.?$/, ''),
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
  }
}

function checkPrerequisites() {
  const built = path.join(ROOT, 'out', 'cli', 'src-main', 'core', 'build', 'packager.js')
  if (!existsSync(built)) throw new Error('out/cli is missing: run `npm run build:cli` first (or `npm run bench`).')
  if (!existsSync(GNU_TIME)) log(`note: ${GNU_TIME} is missing; the native tools' peak RSS is polled from /proc (VmHWM).`)
}

const fmt = (value, unit) => (unit === 's' ? value.toFixed(3) : value.toFixed(2))

function printTable(env, rows) {
  const spread = (values, unit) => (values === null ? '-' : `${fmt(Math.min(...values), unit)}–${fmt(Math.max(...values), unit)}`)
  const cell = (value, format) => (value === null ? '-' : format(value))
  const lines = [
    `WP Release Manager bench: node ${env.node}, ${env.cpus} CPUs (${env.cpuModel}), ${env.zip}; load avg at start ${env.load}`,
    `median of ${RUNS} runs after one warm-up each, warm page cache; MB = 10^6 bytes; peak memory = peak RSS of the process`,
    ''
  ]
  const header = ['name', 'ours', 'native', 'ratio', 'unit', 'ours min–max', 'native min–max']
  const body = rows.map((r) => [
    r.name,
    fmt(r.ours, r.unit),
    cell(r.native, (v) => fmt(v, r.unit)),
    cell(r.ratio, (v) => v.toFixed(3)),
    r.unit,
    spread(r.oursAll, r.unit),
    spread(r.nativeAll, r.unit)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const format = (cells) =>
    cells
      .map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  lines.push(format(header), widths.map((w) => '-'.repeat(w)).join('  '))
  for (const b of body) lines.push(format(b))
  lines.push('')
  for (const r of rows.filter((r) => r.entries)) {
    const empty = r.entries.emptyFolders > 0 ? `; zip also stores ${r.entries.emptyFolders} empty folder(s), ours none` : ''
    lines.push(`entries  ${r.name.replace(/ ZIP time$/, '')}: ours ${r.entries.ours}, zip ${r.entries.native} (same names${empty})`)
  }
  for (const r of rows.filter((r) => r.phases)) {
    const { scan, zip, place } = r.phases
    lines.push(
      `phases   ${r.name.replace(/ ZIP time$/, '')} (ours): walk ${scan.toFixed(3)} s, writeZip ${zip.toFixed(3)} s, place ${place.toFixed(3)} s`
    )
  }
  lines.push(`baseline ours' peak memory includes Node itself: ${env.baselineMB.toFixed(1)} MB for a worker that only loads the modules`)
  for (const r of rows.filter((r) => r.digests))
    lines.push(`digests  hashFile = openssl + md5sum: sha256 ${r.digests.sha256}, md5 ${r.digests.md5}`)
  lines.push(...publishNotes(rows))
  lines.push(...statsNotes(rows))
  lines.push(...s3Notes(rows))
  lines.push(...updaterNotes(rows))
  if (env.s3Skipped) lines.push(`s3       skipped: ${env.s3Skipped} missing`)
  if (env.updaterSkipped) lines.push(`updater  skipped: ${env.updaterSkipped} missing`)
  if (env.publishSkipped) lines.push(`publish  skipped: ${env.publishSkipped} missing`)
  lines.push('', ...goals(rows))
  process.stdout.write(lines.join('\n') + '\n')
}

/** The targets the numbers are held against, with the verdicts as measured (nothing adjusted). */
function goals(rows) {
  const get = (name) => rows.find((r) => r.name === name)
  const verdict = (ok) => (ok ? 'met   ' : 'MISSED')
  const lines = ['goals']
  const largeTime = get('bench-large ZIP time')
  if (largeTime) lines.push(`  ${verdict(largeTime.ratio <= 1)} ZIP time <= zip's on the large tree: ratio ${largeTime.ratio.toFixed(3)}`)
  for (const r of rows.filter((r) => r.name.endsWith(' ZIP size'))) {
    const off = (r.ratio - 1) * 100
    lines.push(
      `  ${verdict(Math.abs(off) <= 3)} size within 3% (${r.name.replace(/ ZIP size$/, '')}): ${off >= 0 ? '+' : ''}${off.toFixed(2)}%`
    )
  }
  const memory = rows.filter((r) => r.name.endsWith(' peak memory'))
  for (const r of memory)
    lines.push(`  ${verdict(r.ours < 200)} peak memory < 200 MB (${r.name.replace(/ peak memory$/, '')}): ${r.ours.toFixed(1)} MB`)
  const small = get('bench-plugin peak memory')
  const large = get('bench-large peak memory')
  if (small && large) {
    lines.push(
      `  info   memory vs tree size: ${small.ours.toFixed(1)} MB for 1.5 MB of source, ${large.ours.toFixed(1)} MB for 90 MB (bounded by the writer's window, not the tree)`
    )
  }
  const hash = rows.find((r) => r.name.startsWith('hash '))
  if (hash) lines.push(`  ${verdict(hash.ratio <= 1)} hashing no slower than openssl + md5sum: ratio ${hash.ratio.toFixed(3)}`)
  lines.push(...publishGoals(rows, verdict))
  lines.push(...statsGoals(rows, verdict))
  lines.push(...s3Goals(rows, verdict))
  lines.push(...updaterGoals(rows, verdict))
  return lines
}

function printJson(rows) {
  const round = (value, digits) => (value === null ? null : Number(value.toFixed(digits)))
  const out = rows.map((r) => ({
    name: r.name,
    ours: round(r.ours, 4),
    native: round(r.native, 4),
    ratio: round(r.ratio, 4),
    unit: r.unit
  }))
  process.stdout.write(JSON.stringify(out, null, 2) + '\n')
}

async function main() {
  checkPrerequisites()
  const env = await environment()
  rmSync(OUT_DIR, { recursive: true, force: true }) // leftovers of an interrupted run
  const ONLY_OTHER = ONLY_STATS || ONLY_S3 || ONLY_UPDATER
  // The S3 rows release two of the generated plugins, so they need the trees too (generated once, then reused).
  const trees = ONLY_STATS || ONLY_UPDATER ? [] : prepareTrees(TREES_DIR, log)
  env.baselineMB = await nodeBaseline()
  const rows = []
  try {
    const publish = publishPrerequisites()
    const s3 = s3Prerequisites()
    const updater = updaterPrerequisites()
    if (!ONLY_OTHER) {
      if (!PUBLISH_ONLY) {
        for (const tree of trees.filter((t) => !t.releaseOnly)) rows.push(...(await benchTree(tree)))
        rows.push(...(await benchHash(trees.find((t) => t.name === 'bench-large'))))
      }
      if (publish.ok) rows.push(...(await benchPublish({ runs: RUNS, log, alternate, row, median, outDir: OUT_DIR, trees })))
      else {
        env.publishSkipped = publish.missing.join(', ')
        log(`publish: skipped, ${env.publishSkipped} missing`)
      }
    }
    if (!ONLY_S3 && !ONLY_UPDATER && !PUBLISH_ONLY)
      rows.push(...(await benchStats({ runs: RUNS, log, alternate, row, outDir: OUT_DIR, withSftp: publish.ok })))
    const withS3 = !ONLY_STATS && !ONLY_UPDATER && !PUBLISH_ONLY
    if (withS3 && s3.ok) rows.push(...(await benchS3({ runs: RUNS, log, alternate, row, median, outDir: OUT_DIR, trees })))
    else if (withS3) {
      env.s3Skipped = s3.missing.join(', ')
      log(`s3: skipped, ${env.s3Skipped} missing`)
    }
    const withUpdater = !ONLY_STATS && !ONLY_S3 && !PUBLISH_ONLY
    if (withUpdater && updater.ok) rows.push(...(await benchUpdater({ runs: RUNS, log, median })))
    else if (withUpdater) {
      env.updaterSkipped = updater.missing.join(', ')
      log(`updater: skipped, ${env.updaterSkipped} missing`)
    }
  } finally {
    rmSync(OUT_DIR, { recursive: true, force: true })
  }
  if (JSON_OUTPUT) printJson(rows)
  else printTable(env, rows)
}

// Clean outputs on Ctrl-C too, and stop the publishing section's sshd and nginx and the S3 section's Ceph
// (with their temp folders); the trees are kept for the next run.
process.on('SIGINT', () => {
  rmSync(OUT_DIR, { recursive: true, force: true })
  void Promise.all([stopPublishServers(), stopS3Store(), stopUpdaterSite()]).finally(() => process.exit(130))
})

main().catch((error) => {
  log(`bench failed: ${error?.stack ?? error}`)
  process.exitCode = 1
})
