// Benchmark: whole releases to an S3-compatible store, against Debian's AWS CLI, on a one-node Ceph RADOS Gateway on
// 127.0.0.1 (test/support/object-store.js, started once for this section and always stopped by pid).
//
// What it measures, on loopback and with 50 ms of round trip added (a delay proxy in front of the gateway,
// test/support/tcp-proxy.ts startDelayProxy: 25 ms each way on every chunk, in order; no bandwidth limit; the
// S3 API and the public URL both go through it, for both sides):
//   - "S3 release 20 MB: publish": a release of the generated bench-media plugin (bench/trees.js, a ZIP of about
//     20 MB) to an `s3` profile, in a fresh Node process (bench/worker.js 'release'), through the API as the window
//     does it: createApi, addVersion(status 'released') (build, then publish), then verify; set-up (addPlugin, the
//     profile stored as `server add` stores it, setPlugin) not timed, the AWS SDK loaded before the clock (the app
//     has it loaded after its first publish; its load time is in the notes).
//       ours:   the publish's wall time, from "Connecting" to "Manifest #1 is live": the object lock (a conditional
//               create), reading the manifest and the ledger, the ZIP's multipart upload (16 MiB threshold, 8 MiB
//               parts, 4 in flight), the -latest.zip server-side copy and the ledger's compare-and-swap, info.json
//               (one PUT with Content-MD5); the lock's release is after it. The build and verify are in the notes.
//       native: `/usr/bin/aws s3 cp` of the same ZIP (ours' warm-up build) and of the same info.json (the one
//               ours' warm-up published), one after the other, wall time around both spawns, Python's start-up
//               included (as sftp's is in the SFTP rows); its defaults: multipart above 8 MiB, 8 MiB parts, 10
//               in flight. No lock, no read of what is there, no ledger, no -latest copy: a floor, not a goal.
//               The CLI's start-up (Python, botocore: `aws --version` alone, in the notes) is most of that time, so
//               the same ours runs are also set against a floor without it (information, no goal): `curl
//               --aws-sigv4 -T` of the ZIP (one PUT, no multipart) and of info.json, in the same native run.
//   - "S3 release 100 KB whole": a release of bench-tiny (a ZIP of about 0.1 MB), the same way:
//       ours:   addVersion(released) + verify, wall (build, publish, the whole checklist over the S3 API and the
//               public URL).
//       native: `aws s3 cp` of the ZIP, `aws s3 cp` of info.json, `curl` of the manifest through the public URL
//               (checked: its version and SHA-256). No build, no checks of the ZIP: again a floor.
//   After every run of either side both objects must be in the bucket whole (HEAD: the sizes); each run writes
//   under its own key prefix, deleted after it (the OSD keeps objects in memory).
//
// How: one untimed warm-up of each, then the tools alternate (run.js's alternate) for 5 runs (3 with --quick) on
// loopback and 3 at 50 ms; medians are reported. The keys are in the environment only, no ~/.aws.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { run, runWorker } from './measure.js'

const OUT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)

/** Debian's awscli, not a pip one that may come first on PATH (the baseline is the packaged tool). */
const AWS = '/usr/bin/aws'
const RGW_BINARIES = ['/usr/bin/radosgw', '/usr/bin/ceph-mon', '/usr/bin/ceph-osd', AWS, '/usr/bin/curl']
const VERSION = '1.0.0'
/** Round trips of the far rows (0 = loopback, no proxy). */
const S3_RTTS = [0, 50]
const FAR_RUNS = 3
/** Names of the environment variables the bench profile reads its keys from. */
const KEY_ENV = { access: 'WPRM_BENCH_S3_ID', secret: 'WPRM_BENCH_S3_SECRET' }

const RELEASES = [
  { label: '20 MB', tree: 'bench-media', name: (rtt) => `S3 release 20 MB: publish (RGW, ${rttLabel(rtt)})`, goal: 1.2 },
  { label: '100 KB', tree: 'bench-tiny', name: (rtt) => `S3 release 100 KB whole (RGW, ${rttLabel(rtt)})`, goal: 1.3 }
]
const rttLabel = (rtt) => (rtt === 0 ? 'loopback' : `${rtt} ms RTT`)

/** The store of the section being run, so that Ctrl-C can stop it too. */
let active = null

/** Stops the store if the section is running (run.js calls this on SIGINT); never throws. */
export async function stopS3Store() {
  const store = active
  active = null
  await store?.stop().catch(() => undefined)
}

/** True when Ceph's gateway, the AWS CLI and curl are installed; otherwise the section is skipped with a note. */
export function s3Prerequisites() {
  const missing = RGW_BINARIES.filter((file) => !existsSync(file))
  return { ok: missing.length === 0, missing }
}

/** Wall time of one command, in seconds, and its stdout. */
async function timed(command, args) {
  const start = performance.now()
  const { stdout } = await run(command, args)
  return { seconds: (performance.now() - start) / 1000, stdout }
}

/** The S3 rows (see the header). `ctx` carries run.js's helpers: { runs, log, alternate, row, median, outDir, trees }. */
export async function benchS3(ctx) {
  const dir = path.join(ctx.outDir, 's3')
  mkdirSync(dir, { recursive: true })
  const { startObjectStore } = await load('test/support/object-store.js')
  const { startDelayProxy } = await load('test/support/tcp-proxy.js')
  const { S3Store } = await load('src-main/core/remote/targets/s3-store.js')
  const { normalizeS3Target } = await load('src-shared/input-rules.js')
  ctx.log('s3: starting a one-node Ceph RADOS Gateway')
  const started = performance.now()
  const rgw = await startObjectStore({ bucket: 'bench' })
  active = rgw
  const startSeconds = (performance.now() - started) / 1000
  let proxy = null
  try {
    await rgw.allowPublicRead()
    const rgwPort = Number(new URL(rgw.endpoint).port)
    proxy = await startDelayProxy(rgwPort, 0)
    // The CLI reads the keys from the environment only: no ~/.aws of whoever runs the bench. The workers inherit
    // the environment and read the bench profile's keys from KEY_ENV.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
      AWS_DEFAULT_REGION: rgw.region,
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
      [KEY_ENV.access]: rgw.accessKeyId,
      [KEY_ENV.secret]: rgw.secretAccessKey
    })
    const checker = await S3Store.open(
      normalizeS3Target({ endpoint: rgw.endpoint, bucket: rgw.bucket, publicUrl: `${rgw.endpoint}/bench/` }),
      {
        accessKeyId: rgw.accessKeyId,
        secretAccessKey: rgw.secretAccessKey
      }
    )
    /** Loopback goes straight to the gateway; a far run through the proxy. */
    const endpointAt = (rtt) => (rtt === 0 ? rgw.endpoint : `http://127.0.0.1:${proxy.port}`)
    let count = 0
    const profileOf = (name, rtt) => {
      const at = new Date(0).toISOString()
      const endpoint = endpointAt(rtt)
      return {
        name,
        access_logs: [],
        created_at: at,
        updated_at: at,
        ...normalizeS3Target({
          endpoint,
          region: rgw.region,
          bucket: rgw.bucket,
          keyPrefix: `${name}/`,
          publicUrl: `${endpoint}/${rgw.bucket}/${name}/`,
          accessKeyEnv: KEY_ENV.access,
          secretKeyEnv: KEY_ENV.secret
        })
      }
    }
    /** Both objects are in the bucket whole; then everything under the prefix goes. */
    const checkAndRemove = async (prefix, expected) => {
      for (const [key, size] of Object.entries(expected)) {
        const head = await checker.head(`${prefix}/${key}`)
        if (head?.size !== size) throw new Error(`s3: ${prefix}/${key} has ${head?.size ?? 'no'} bytes in the bucket, expected ${size}`)
      }
      const objects = await checker.list(`${prefix}/`)
      await Promise.all(objects.map((o) => checker.delete(o.key)))
    }
    const rows = []
    let awsVersion = '?'
    for (const release of RELEASES) {
      const tree = ctx.trees.find((t) => t.name === release.tree)
      const slug = path.basename(tree.root)
      const oursOnce = async (rtt, keep = false) => {
        const name = `ours-${count++}`
        const runDir = path.join(dir, name)
        const result = await runWorker({
          mode: 'release',
          dataDir: path.join(runDir, 'data'),
          sourceDir: tree.root,
          storeProfile: profileOf(name, rtt),
          version: VERSION
        })
        const manifest = Buffer.from((await run('curl', ['-fsS', result.manifestUrl])).stdout)
        if (keep) result.serving = await servingBytes(result.manifestUrl)
        await checkAndRemove(name, { [`${slug}/${path.basename(result.zipPath)}`]: result.size, [`${slug}/info.json`]: manifest.length })
        if (!keep) rmSync(runDir, { recursive: true, force: true })
        return { ...result, manifest }
      }
      // The warm-up's ZIP and manifest are the files the AWS CLI uploads: the same bytes as ours.
      ctx.log(`s3 ${release.label}: warm-up`)
      const warm = await oursOnce(0, true)
      const zipPath = warm.zipPath
      const manifestPath = path.join(dir, `${slug}-info.json`)
      writeFileSync(manifestPath, warm.manifest)
      const zipName = path.basename(zipPath)
      const zipSize = readFileSync(zipPath).length
      const nativeOnce = async (rtt) => {
        const name = `native-${count++}`
        const endpoint = endpointAt(rtt)
        const cp = (file, key) =>
          timed(AWS, ['s3', 'cp', file, `s3://${rgw.bucket}/${name}/${slug}/${key}`, '--endpoint-url', endpoint, '--only-show-errors'])
        const zip = await cp(zipPath, zipName)
        const info = await cp(manifestPath, 'info.json')
        const phases = { cpZip: zip.seconds, cpManifest: info.seconds }
        if (release.label === '100 KB') {
          const got = await timed('curl', ['-fsS', `${endpoint}/${rgw.bucket}/${name}/${slug}/info.json`])
          const manifest = JSON.parse(got.stdout)
          if (manifest.version !== VERSION || manifest.sha256 !== warm.manifest.toString().match(/"sha256":\s*"(\w+)"/)?.[1])
            throw new Error(`s3 native: the manifest read back is not the one uploaded`)
          phases.curl = got.seconds
        }
        phases.total = Object.values(phases).reduce((a, b) => a + b, 0)
        await checkAndRemove(name, { [`${slug}/${zipName}`]: zipSize, [`${slug}/info.json`]: warm.manifest.length })
        if (release.label !== '20 MB') return { phases }
        // A floor without the CLI's start-up: curl's own SigV4 signing, one PUT of the ZIP, then one of info.json.
        const put = (file, key) =>
          timed('curl', [
            '-fsS',
            '-o',
            '/dev/null',
            '--aws-sigv4',
            `aws:amz:${rgw.region}:s3`,
            '--user',
            `${rgw.accessKeyId}:${rgw.secretAccessKey}`,
            '-H',
            'x-amz-content-sha256: UNSIGNED-PAYLOAD',
            '-T',
            file,
            `${endpoint}/${rgw.bucket}/${name}-curl/${slug}/${key}`
          ])
        const curlPut = (await put(zipPath, zipName)).seconds + (await put(manifestPath, 'info.json')).seconds
        await checkAndRemove(`${name}-curl`, { [`${slug}/${zipName}`]: zipSize, [`${slug}/info.json`]: warm.manifest.length })
        return { phases, curlPut }
      }
      await nativeOnce(0)
      for (const rtt of S3_RTTS) {
        proxy.delayMs = rtt / 2
        const label = release.name(rtt)
        const runs = rtt === 0 ? ctx.runs : FAR_RUNS
        ctx.log(`${label}: ${runs} runs each`)
        const { ours, native } = await ctx.alternate(
          () => oursOnce(rtt),
          () => nativeOnce(rtt),
          runs
        )
        // The 20 MB row compares the publish (the ZIP exists on both sides); the 100 KB row the whole release.
        const oursSeconds = ours.map((r) => (release.label === '20 MB' ? r.phases.publishWall : r.phases.total))
        if (release.label === '20 MB') {
          // The same runs of ours against the start-up-free floor (information: the goal is against the AWS CLI).
          rows.push(
            ctx.row(
              `${label} vs curl PUT x2`,
              's',
              oursSeconds,
              native.map((r) => r.curlPut),
              { s3Floor: { rtt } }
            )
          )
        }
        rows.push(
          ctx.row(
            label,
            's',
            oursSeconds,
            native.map((r) => r.phases.total),
            {
              s3Release: {
                rtt,
                goal: release.goal,
                label: release.label,
                runs,
                size: warm.size,
                checks: warm.checks,
                serving: warm.serving,
                ...medians(ctx, ours, native)
              }
            }
          )
        )
      }
      rmSync(path.join(dir, `ours-0`), { recursive: true, force: true })
    }
    proxy.delayMs = 0
    checker.close()
    awsVersion = (await run(AWS, ['--version'])).stdout.trim().split(/\s+/)[0]
    // The CLI's own start-up (Python and botocore), to tell it from the transfer: `aws --version`, median of the runs.
    const startups = []
    for (let i = 0; i < ctx.runs; i++) startups.push((await timed(AWS, ['--version'])).seconds)
    rows[0].s3 = { startSeconds, rssMiB: (await rgw.rssBytes()) / 2 ** 20, aws: awsVersion, awsStartSeconds: ctx.median(startups) }
    return rows
  } finally {
    active = null
    await proxy?.close()
    await rgw.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** An install report as the updater adds it to the manifest URL (report_url() in wprm-updater.php), of typical length. */
const REPORT_QUERY = `?site=${'5e'.repeat(32)}&installed=1.0.0&wp=6.1.1&php=8.2.7&locale=en_US&multisite=0&channel=stable`

/**
 * What one update check costs on the wire, for the README's serving costs: the updater's GET of info.json with its
 * report, answered 200, then the same conditional GET (If-None-Match, as the updater sends once it has a copy)
 * answered 304; bytes of the request and of the response's headers and body, as curl counts them.
 */
async function servingBytes(manifestUrl) {
  const measure = async (headers) => {
    const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_request} %{size_header} %{size_download}', ...headers]
    const [status, request, header, body] = (await run('curl', [...args, `${manifestUrl}${REPORT_QUERY}`])).stdout.split(' ').map(Number)
    return { status, request, header, body }
  }
  const full = await measure([])
  const etag = /^etag:\s*(.+?)\r?$/im.exec((await run('curl', ['-sS', '-D', '-', '-o', '/dev/null', manifestUrl])).stdout)?.[1]
  const unchanged = await measure(['-H', `If-None-Match: ${etag}`])
  if (full.status !== 200 || unchanged.status !== 304)
    throw new Error(`s3: the manifest answered ${full.status}, then ${unchanged.status} (expected 200, 304)`)
  return { full, unchanged }
}

/** The medians of every phase on both sides, of the publish's own phases, and of the SDK's load time. */
function medians(ctx, ours, native) {
  const of = (runs) => Object.fromEntries(Object.keys(runs[0].phases).map((key) => [key, ctx.median(runs.map((r) => r.phases[key]))]))
  // The publish's timed phases in order (lock, read, upload, commit), merged as the clock merges them.
  const publish = ours[0].publishPhases.map((p, i) => ({
    phase: p.phase,
    seconds: ctx.median(ours.map((r) => r.publishPhases[i]?.seconds ?? 0))
  }))
  return { ours: of(ours), native: of(native), publish, sdkLoad: ctx.median(ours.map((r) => r.sdkLoadSeconds)) }
}

/** The notes under the table: each row's phases, the store's start and memory, the CLI's version. */
export function s3Notes(rows) {
  const f = (seconds) => seconds.toFixed(3)
  const lines = []
  for (const r of rows.filter((r) => r.s3Release)) {
    const x = r.s3Release
    const side = (phases) =>
      Object.entries(phases)
        .map(([key, value]) => `${key} ${f(value)} s`)
        .join(', ')
    const publish = x.publish.map((p) => `${p.phase} ${f(p.seconds)}`).join(' + ')
    lines.push(
      `s3       ${r.name} (ZIP ${(x.size / 1e6).toFixed(2)} MB, ${x.checks} checks), median of ${x.runs}: ours ${side(x.ours)} (publish phases ${publish} s; SDK load before the clock ${f(x.sdkLoad)} s); native ${side(x.native)}`
    )
  }
  for (const r of rows.filter((r) => r.s3Release?.serving && r.s3Release.rtt === 0)) {
    const { full, unchanged } = r.s3Release.serving
    const bytes = (x) => `request ${x.request} B, response headers ${x.header} B + body ${x.body} B`
    lines.push(
      `s3       an update check of the ${r.s3Release.label} plugin's info.json with the install report: 200 ${bytes(full)}; 304 ${bytes(unchanged)}`
    )
  }
  for (const r of rows.filter((r) => r.s3))
    lines.push(
      `s3       Ceph 16 RGW (mon + memstore OSD + radosgw) started in ${r.s3.startSeconds.toFixed(1)} s, ${r.s3.rssMiB.toFixed(0)} MiB resident after the runs; native = ${r.s3.aws} (its start-up alone, aws --version: ${r.s3.awsStartSeconds.toFixed(2)} s a spawn)`
    )
  return lines
}

/** The goals for S3 releases (on loopback), and the far rows as information. */
export function s3Goals(rows, verdict) {
  const lines = []
  for (const r of rows.filter((r) => r.s3Release)) {
    const x = r.s3Release
    const against = x.label === '20 MB' ? 'aws s3 cp of the ZIP and info.json' : 'aws s3 cp x2 + curl of info.json'
    if (x.rtt === 0) lines.push(`  ${verdict(r.ratio <= x.goal)} ${r.name} <= ${x.goal}x ${against}: ratio ${r.ratio.toFixed(3)}`)
    else lines.push(`  info   ${r.name}: ours ${r.ours.toFixed(3)} s, native ${r.native.toFixed(3)} s, ratio ${r.ratio.toFixed(3)}`)
    const floor = rows.find((f) => f.name === `${r.name} vs curl PUT x2`)
    if (floor)
      lines.push(
        `  info   ${floor.name} (curl --aws-sigv4 -T: one PUT each, no CLI start-up, no multipart): ours ${floor.ours.toFixed(3)} s, curl ${floor.native.toFixed(3)} s, ratio ${floor.ratio.toFixed(3)}`
      )
  }
  return lines
}
