// Benchmark: whole releases and the checklist against a far server, at 0 (loopback), 10, 50 and 100 ms
// of round trip (bench/publish.js starts sshd + nginx and calls this).
//
// The latency: two delay proxies (test/support/tcp-proxy.ts, startDelayProxy), one in front of sshd and
// one in front of nginx, hold every chunk half the round trip in each direction, in order; no bandwidth
// limit. Loopback rows of the releases connect directly; the verify rows always go through the proxies
// (0 ms at loopback), because the server profile they verify against is the one they released with.
//
// What it measures:
//   - a whole release of two generated plugins (bench/trees.js): "100 KB" (bench-tiny, a ZIP of about
//     0.1 MB) and "20 MB" (bench-media, a ZIP of about 20 MB), a fresh data folder and remote folder
//     per run:
//       ours:   in a fresh Node process (worker.js 'release'), through the API as the window does it
//               (createApi with the app's keepSessionsMs, so the checklist reuses the publish's
//               connection): addVersion(status 'released'), then verify. Set-up (addPlugin, addServer,
//               setPlugin) not timed. Phases: build (start to the first upload event: scan, zip, hash,
//               place), publish (the PublishResult's phases: connect, lock, reading the server, the
//               upload with its read-back, link, manifest), rest of addVersion (records, -latest link
//               here), verify (wall).
//       native: what a shell script would do for the same release: `zip -r -X -q -6`, `sha256sum`,
//               `md5sum`, a manifest JSON written by this process, one `sftp -b` session (mkdir, put +
//               rename the ZIP, ln -s + rename the -latest link, put + rename the manifest), then `curl`
//               of the manifest and of the ZIP and `sha256sum` of the download. It does less than ours
//               (no lock, no reading of the old manifest or back of the upload, no fsync, 2 checks
//               instead of 8): a floor, not a goal.
//   - verify alone, on the 100 KB plugin released once (untimed) by each side:
//       ours:   api.verify in a fresh API and process (worker.js 'verify'): a new connection, as
//               `wprm verify` makes one; the whole checklist.
//       native: `sftp -b` with `ls -l` of the ZIP and of the link, then `curl` of the manifest and of the
//               ZIP and `sha256sum` of the download.
//   Sequential round trips, per phase: (median at that RTT - median at loopback) / RTT. With no bandwidth
//   limit, waiting for answers is all that latency adds; a window that fills (2 MiB per SSH channel)
//   counts as the round trips it waits.
//
// How: one untimed warm-up of each per plugin (and for verify), then at each RTT the tools alternate
// (run.js's alternate): the usual runs (5, or 3 with --quick) at 0 and 10 ms, FAR_RUNS (3) at 50 and
// 100 ms (slow rows: medians of fewer runs). The section takes about 4 minutes here.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { run, runWorker } from './measure.js'

const OUT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)

/** Round trips measured, in ms; 0 is loopback. */
export const FAR_RTTS = [0, 10, 50, 100]
/** Runs at 50 and 100 ms (after the warm-up): each takes seconds. */
const FAR_RUNS = 3
const VERSION = '1.0.0'
/** The two releases: which generated tree, and the name the rows carry. */
const RELEASES = [
  { tree: 'bench-tiny', label: '100 KB' },
  { tree: 'bench-media', label: '20 MB' }
]

const rttLabel = (rtt) => (rtt === 0 ? 'loopback' : `${rtt} ms RTT`)

/** The row names, for the notes and the goals. */
export const releaseRowName = (label, rtt) => `release ${label} (${rttLabel(rtt)})`
export const verifyRowName = (rtt) => `verify 100 KB alone (${rttLabel(rtt)})`

/** Wall time of one command, in seconds. */
async function timed(command, args, options = {}) {
  const start = performance.now()
  const result = await run(command, args, options)
  return { seconds: (performance.now() - start) / 1000, stdout: result.stdout }
}

/** The same release as a shell script would do it; returns its phases in seconds. */
async function nativeRelease({ tree, dir, profile, names, sftpArgs, keyPath }) {
  const slug = path.basename(tree.root)
  const zipName = names.zipFileName(slug, VERSION)
  const zipPath = path.join(dir, zipName)
  const remoteDir = path.posix.join(profile.remoteRoot, slug)
  const remote = (file) => path.posix.join(remoteDir, file)
  const url = (file) => `${profile.publicUrl}${slug}/${file}`

  const zip = await timed('zip', ['-r', '-X', '-q', '-6', zipPath, slug], { cwd: path.dirname(tree.root) })
  const sha = await timed('sha256sum', [zipPath])
  const md5 = await timed('md5sum', [zipPath])
  const sha256 = sha.stdout.split(/\s+/)[0]
  const manifestStart = performance.now()
  const manifestPath = path.join(dir, names.MANIFEST_FILE)
  const manifest = { name: tree.plugin.name, slug, version: VERSION, download_url: url(zipName), sha256, md5: md5.stdout.split(/\s+/)[0] }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
  const batch = path.join(dir, 'release.batch')
  const latest = names.latestLinkName(slug)
  writeFileSync(
    batch,
    [
      `-mkdir ${remoteDir}`,
      `put ${zipPath} ${remote(`.${zipName}.part`)}`,
      `rename ${remote(`.${zipName}.part`)} ${remote(zipName)}`,
      `ln -s ${zipName} ${remote(`.${latest}.part`)}`,
      `rename ${remote(`.${latest}.part`)} ${remote(latest)}`,
      `put ${manifestPath} ${remote(`.${names.MANIFEST_FILE}.part`)}`,
      `rename ${remote(`.${names.MANIFEST_FILE}.part`)} ${remote(names.MANIFEST_FILE)}`,
      ''
    ].join('\n')
  )
  const manifestFile = (performance.now() - manifestStart) / 1000
  const sftp = await timed('sftp', sftpArgs(keyPath, profile.port, batch, profile.user))
  const verify = await nativeDownloads(url(names.MANIFEST_FILE), dir, { version: VERSION, sha256 })
  const phases = { zip: zip.seconds, hash: sha.seconds + md5.seconds, manifestFile, sftp: sftp.seconds, verify }
  phases.total = Object.values(phases).reduce((a, b) => a + b, 0)
  return { phases }
}

/** `curl` of the manifest, then of the ZIP it names, and `sha256sum` of the download; checked; seconds. */
async function nativeDownloads(manifestUrl, dir, expected) {
  const start = performance.now()
  const got = JSON.parse((await run('curl', ['-fsS', manifestUrl])).stdout)
  const download = path.join(dir, 'download.zip')
  await run('curl', ['-fsS', '-o', download, got.download_url])
  const downloaded = (await run('sha256sum', [download])).stdout.split(/\s+/)[0]
  const seconds = (performance.now() - start) / 1000
  rmSync(download, { force: true })
  if (got.version !== expected.version || got.sha256 !== expected.sha256 || downloaded !== expected.sha256) {
    throw new Error(
      `native: the published manifest or ZIP does not match (manifest ${got.version} ${got.sha256}, download ${downloaded}, built ${expected.sha256})`
    )
  }
  return seconds
}

/** The checklist a script can do: `sftp -b` ls of the ZIP and the link, then the downloads. */
async function nativeVerify({ dir, profile, slug, names, sftpArgs, keyPath, sha256 }) {
  const remoteDir = path.posix.join(profile.remoteRoot, slug)
  const batch = path.join(dir, 'verify.batch')
  const zipName = names.zipFileName(slug, VERSION)
  writeFileSync(batch, `ls -l ${path.posix.join(remoteDir, zipName)}\nls -l ${path.posix.join(remoteDir, names.latestLinkName(slug))}\n`)
  const sftp = await timed('sftp', sftpArgs(keyPath, profile.port, batch, profile.user))
  if (!sftp.stdout.includes(zipName)) throw new Error(`native verify: sftp did not list ${zipName}: ${sftp.stdout}`)
  const downloads = await nativeDownloads(`${profile.publicUrl}${slug}/${names.MANIFEST_FILE}`, dir, { version: VERSION, sha256 })
  return { phases: { sftp: sftp.seconds, verify: downloads, total: sftp.seconds + downloads } }
}

/**
 * Runs the far-server rows. `ctx`: run.js's helpers ({ runs, log, alternate, row, median }); `server`:
 * the update server; `sftpArgs(keyPath, port, batch, user)`: the sftp options; `dir`: a scratch folder;
 * `only` narrows the rows (release labels, RTTs, whether to verify alone) when working on one of them.
 */
export async function benchFar(ctx, server, trees, dir, sftpArgs, only = {}) {
  const rtts = only.rtts ?? FAR_RTTS
  const releases = RELEASES.filter((r) => only.releases?.includes(r.label) ?? true)
  const names = { ...(await load('src-main/core/build/zip-names.js')), ...(await load('src-main/core/remote/manifest.js')) }
  const { startDelayProxy } = await load('test/support/tcp-proxy.js')
  const httpPort = Number(new URL(server.nginx.baseUrl).port)
  const sshProxy = await startDelayProxy(server.sshd.port, 0)
  const httpProxy = await startDelayProxy(httpPort, 0)
  const setRtt = (rtt) => {
    sshProxy.delayMs = rtt / 2
    httpProxy.delayMs = rtt / 2
  }
  const keyPath = server.sshd.privateKeyPath
  let count = 0
  /** A fresh remote folder; through the proxies unless `direct`. */
  const profileFor = async (name, direct) => {
    const input = await server.profile(name)
    return direct ? input : { ...input, port: sshProxy.port, publicUrl: `http://127.0.0.1:${httpProxy.port}/${name}/` }
  }
  /** One run of `who` in fresh local and remote folders, removed afterwards. */
  const once = (who, rtt, work) => async () => {
    const name = `far-${who}-${count++}`
    const runDir = path.join(dir, name)
    mkdirSync(runDir, { recursive: true })
    try {
      return await work(runDir, await profileFor(name, rtt === 0))
    } finally {
      rmSync(runDir, { recursive: true, force: true })
      rmSync(path.join(server.sshd.root, name), { recursive: true, force: true })
    }
  }
  const rows = []
  try {
    for (const release of releases) {
      const tree = trees.find((t) => t.name === release.tree)
      for (const rtt of rtts) {
        setRtt(rtt)
        const oursRun = once('ours', rtt, (runDir, profile) =>
          runWorker({ mode: 'release', dataDir: path.join(runDir, 'data'), sourceDir: tree.root, profile, version: VERSION })
        )
        const nativeRun = once('native', rtt, (runDir, profile) => nativeRelease({ tree, dir: runDir, profile, names, sftpArgs, keyPath }))
        const label = releaseRowName(release.label, rtt)
        // One warm-up per plugin (the page cache; every run is a fresh process anyway).
        if (rtt === rtts[0]) {
          ctx.log(`${label}: warm-up`)
          await oursRun()
          await nativeRun()
        }
        const runs = rtt <= 10 ? ctx.runs : FAR_RUNS
        ctx.log(`${label}: ${runs} runs each`)
        const { ours, native } = await ctx.alternate(oursRun, nativeRun, runs)
        rows.push(farRow(ctx, label, rtt, ours, native, { size: ours[0].size, files: ours[0].files, checks: ours[0].checks }))
      }
    }
    if (only.verify ?? true) rows.push(...(await benchVerify(ctx, { trees, dir, names, sftpArgs, keyPath, setRtt, profileFor, rtts })))
  } finally {
    setRtt(0)
    await sshProxy.close()
    await httpProxy.close()
  }
  return rows
}

/** A row with the medians of every phase on both sides (run.js prints them in the notes). */
function farRow(ctx, label, rtt, ours, native, extra = {}) {
  const medians = (runs) => Object.fromEntries(Object.keys(runs[0].phases).map((key) => [key, ctx.median(runs.map((r) => r.phases[key]))]))
  return ctx.row(
    label,
    's',
    ours.map((r) => r.phases.total),
    native.map((r) => r.phases.total),
    { far: { rtt, ours: medians(ours), native: medians(native), runs: ours.length, ...extra } }
  )
}

/** Verify alone: each side releases the 100 KB plugin once through the proxies, then verifies it at each RTT. */
async function benchVerify(ctx, { trees, dir, names, sftpArgs, keyPath, setRtt, profileFor, rtts }) {
  const tree = trees.find((t) => t.name === RELEASES[0].tree)
  const slug = path.basename(tree.root)
  setRtt(0)
  const oursDir = path.join(dir, 'verify-ours')
  const nativeDir = path.join(dir, 'verify-native')
  mkdirSync(oursDir, { recursive: true })
  mkdirSync(nativeDir, { recursive: true })
  const oursProfile = await profileFor('far-verify-ours', false)
  const nativeProfile = await profileFor('far-verify-native', false)
  const dataDir = path.join(oursDir, 'data')
  await runWorker({ mode: 'release', dataDir, sourceDir: tree.root, profile: oursProfile, version: VERSION })
  await nativeRelease({ tree, dir: nativeDir, profile: nativeProfile, names, sftpArgs, keyPath })
  const sha256 = JSON.parse((await run('curl', ['-fsS', `${nativeProfile.publicUrl}${slug}/${names.MANIFEST_FILE}`])).stdout).sha256
  const rows = []
  for (const rtt of rtts) {
    setRtt(rtt)
    const oursRun = () => runWorker({ mode: 'verify', dataDir, slug })
    const nativeRun = () => nativeVerify({ dir: nativeDir, profile: nativeProfile, slug, names, sftpArgs, keyPath, sha256 })
    const label = verifyRowName(rtt)
    if (rtt === rtts[0]) {
      ctx.log(`${label}: warm-up`)
      await oursRun()
      await nativeRun()
    }
    const runs = rtt <= 10 ? ctx.runs : FAR_RUNS
    ctx.log(`${label}: ${runs} runs each`)
    const { ours, native } = await ctx.alternate(oursRun, nativeRun, runs)
    rows.push(farRow(ctx, label, rtt, ours, native))
  }
  return rows
}

/** Notes: each far row's phases, with the sequential round trips latency added to each. */
export function farNotes(rows) {
  const lines = []
  const byName = new Map(rows.map((r) => [r.name, r]))
  const f = (seconds) => seconds.toFixed(3)
  for (const r of rows.filter((r) => r.far)) {
    const base = byName.get(r.name.replace(/\(.*\)$/, `(${rttLabel(0)})`))?.far
    const trips = (side, key) => {
      if (r.far.rtt === 0 || base === undefined) return ''
      return ` ~${Math.max(0, Math.round(((r.far[side][key] - base[side][key]) * 1000) / r.far.rtt))} RT`
    }
    const describe = (side) =>
      Object.keys(r.far[side])
        .map((key) => `${key} ${f(r.far[side][key])} s${trips(side, key)}`)
        .join(', ')
    const what = r.far.size === undefined ? '' : ` (${r.far.files} files, ZIP ${(r.far.size / 1e6).toFixed(2)} MB, ${r.far.checks} checks)`
    lines.push(`far      ${r.name}${what}, median of ${r.far.runs}: ours ${describe('ours')}; native ${describe('native')}`)
  }
  if (lines.length > 0) {
    lines.push(
      'far      RT = sequential round trips the latency added: (median at that RTT - median at loopback) / RTT (at 10 ms within the noise); verify rows go through the proxies at 0 ms too'
    )
  }
  return lines
}

/** The issue's goals for far servers, as measured. */
export function farGoals(rows, verdict) {
  const get = (name) => rows.find((r) => r.name === name)
  const lines = []
  const goal = (name, limit) => {
    const r = get(name)
    if (r) lines.push(`  ${verdict(r.ratio <= limit)} ${name} <= ${limit}x OpenSSH sftp + curl: ratio ${r.ratio.toFixed(3)}`)
  }
  goal(releaseRowName('20 MB', 100), 1.2)
  goal(releaseRowName('100 KB', 100), 1.3)
  for (const rtt of [0, 10, 50]) {
    for (const name of [releaseRowName('100 KB', rtt), releaseRowName('20 MB', rtt), verifyRowName(rtt)]) {
      const r = get(name)
      if (r) lines.push(`  info   ${name}: ours ${r.ours.toFixed(3)} s, native ${r.native.toFixed(3)} s, ratio ${r.ratio.toFixed(3)}`)
    }
  }
  const verify = get(verifyRowName(100))
  if (verify)
    lines.push(
      `  info   ${verify.name}: ours ${verify.ours.toFixed(3)} s, native ${verify.native.toFixed(3)} s, ratio ${verify.ratio.toFixed(3)}`
    )
  return lines
}
