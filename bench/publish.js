// Benchmark: publishing over SFTP, against OpenSSH's sftp, on a private sshd + nginx on 127.0.0.1
// (test/support/update-server.js, started once for this section and always stopped).
//
// What it measures:
//   - upload of a 50 MiB file (seeded PRNG bytes, incompressible like a ZIP of images; it is not a
//     valid archive, SFTP does not care), connection included:
//       ours:   bench/worker.js in a fresh process does what the publisher does for one ZIP:
//               SftpSession.open (host key pinned, key auth, TCP_NODELAY), upload to a temporary
//               name, lstat and size check, rename into place, close. Wall time from open to closed
//               (Node's start-up and module loading are not counted: the app is already up),
//               peak RSS of that process.
//       native: `sftp -b batch -i key -P port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
//               -o BatchMode=yes user@127.0.0.1` with `put FILE TEMP` and `rename TEMP FINAL`
//               (posix-rename, as ours), wall time around the spawn (its start-up and connection
//               included), peak RSS from GNU time (sftp or its ssh child, the larger).
//     Each tool uses its own defaults: ssh2 negotiates aes128-gcm on a CPU with AES-NI, OpenSSH
//     chacha20-poly1305 (both are printed). After every run the file on the server (sshd's root is a
//     local folder) must have the full size and no temporary file may be left; the SHA-256 of both
//     warm-up uploads is compared with the local file's. The files are deleted between runs.
//   - the same upload through a loopback proxy that delays every chunk by 5 ms each way (10 ms RTT,
//     a server in the same country; bandwidth unlimited): loopback's ~0 RTT hides how many requests
//     a client keeps in flight, which is what decides the speed on a real network. One untimed run of
//     ours with sftp.write wrapped counts the WRITE requests and the most in flight (worker.js).
//   - a whole release of the generated plugin (bench-plugin, 150 files) end to end, through the API
//     (createApi) as the app and the CLI call it: a fresh data folder and a fresh remote folder per
//     run; addPlugin + addServer + setPlugin are set-up (not timed); timed are addVersion(status
//     'released') (build, upload, manifest) and verify. Phases: scan, zip and hash from the progress
//     events' timestamps (scan: first to last 'scan' event; zip: last 'scan' to the 'hash' event, which
//     includes the SHA-256 + MD5 the writer computes while writing; hash: the 'hash' event to the
//     first 'upload' event, i.e. placing the ZIP in dist and the bookkeeping before connecting),
//     upload and manifest from publish.phases (upload includes connecting, mkdir and the remote lock),
//     the rest of addVersion (store, source read, -latest link), verify as the sum of its checks' ms
//     and as wall time, and the total (addVersion + verify).
//     Native baseline, for the total only (phases in a note): what a shell script would do for the
//     same release: `zip -r -X -q -6`, `sha256sum`, `md5sum`, a manifest JSON written by this process,
//     one `sftp -b` session (mkdir, put + rename the ZIP, ln -s + rename the -latest link, put + rename
//     the manifest), then `curl` of the manifest and of the ZIP and `sha256sum` of the download. It
//     does less than ours (no remote lock, no reading of the old manifest, no fsync, 2 checks instead
//     of 8), so it is a floor, not a goal.
//
// How: one untimed warm-up of each, then the tools alternate (run.js's alternate) for 5 runs (3 with
// --quick); medians are reported. Files go to .bench-tmp/out/publish (deleted by run.js).

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout } from 'node:timers'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { GNU_TIME, run, runNative, runWorker } from './measure.js'
import { createRandom } from './trees.js'

const OUT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)

const UPLOAD_BYTES = 50 * 1024 * 1024
const UPLOAD_SEED = 0x5eed0050
/** One-way delay of the latency proxy: 10 ms round trip. */
const DELAY_MS = 5
const RELEASE_TREE = 'bench-plugin'
const RELEASE_VERSION = '1.0.0'
const SECRETS = { secret: async () => null }
/** OpenSSH sftp's defaults (sftp(1): -B 32768, -R 64), for the note beside ours' counts. */
const SFTP_DEFAULTS = { bufferBytes: 32768, requests: 64 }

/** The update server of the section being run, so that Ctrl-C can stop it too. */
let active = null

/** Stops the servers if the section is running (run.js calls this on SIGINT); never throws. */
export async function stopPublishServers() {
  const server = active
  active = null
  await server?.stop().catch(() => undefined)
}

/** True when sshd, nginx and sftp are installed; otherwise the section is skipped with a note. */
export function publishPrerequisites() {
  const missing = ['/usr/sbin/sshd', '/usr/sbin/nginx', '/usr/bin/sftp', '/usr/bin/curl'].filter((file) => !existsSync(file))
  return { ok: missing.length === 0, missing }
}

const sha256Of = (file) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** 50 MiB of sfc32 output: the same bytes on every machine. */
function writeUploadFile(file) {
  const random = createRandom(UPLOAD_SEED)
  const data = Buffer.allocUnsafe(UPLOAD_BYTES)
  for (let i = 0; i < UPLOAD_BYTES; i += 4) data.writeUInt32LE(random.u32(), i)
  writeFileSync(file, data)
  return createHash('sha256').update(data).digest('hex')
}

/** The ServerProfile record the session takes, from the AddServerInput the test server hands out. */
function serverRecord(input, port = input.port) {
  const at = new Date(0).toISOString()
  return {
    name: input.name,
    host: input.host,
    port,
    user: input.user,
    auth: input.auth,
    remote_root: input.remoteRoot,
    public_url: input.publicUrl,
    host_key_fingerprint: input.acceptHostKey,
    access_logs: [],
    created_at: at,
    updated_at: at
  }
}

/** The options every sftp run gets (no known_hosts, no prompts), for `port`. */
function sftpArgs(keyPath, port, batchFile, user) {
  return [
    '-b',
    batchFile,
    '-i',
    keyPath,
    '-P',
    String(port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    `${user}@127.0.0.1`
  ]
}

/**
 * A TCP proxy on 127.0.0.1 that holds every chunk for `delayMs` in each direction, in order, with
 * Nagle off on both legs (as our session and OpenSSH set it). No bandwidth limit, no backpressure:
 * it adds latency only.
 */
async function startDelayProxy(targetPort, delayMs) {
  const sockets = new Set()
  const relay = (from, to) => {
    const queue = []
    let timer = null
    const pump = () => {
      timer = null
      const now = performance.now()
      while (queue.length > 0 && queue[0].at <= now) {
        const item = queue.shift()
        if (item.end) to.end()
        else to.write(item.chunk)
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0].at - now)
    }
    const push = (item) => {
      queue.push({ at: performance.now() + delayMs, ...item })
      timer ??= setTimeout(pump, delayMs)
    }
    from.on('data', (chunk) => push({ chunk }))
    from.on('end', () => push({ end: true }))
    from.on('close', () => setTimeout(() => to.destroy(), delayMs + 50))
  }
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true)
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    relay(client, upstream)
    relay(upstream, client)
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** The cipher OpenSSH's client negotiates (from `sftp -v`), for the notes. */
async function nativeCipher(keyPath, port, user, dir) {
  const batch = path.join(dir, 'cipher.batch')
  writeFileSync(batch, 'pwd\n')
  const { stderr } = await run('sftp', ['-v', ...sftpArgs(keyPath, port, batch, user)])
  return /kex: client->server cipher: (\S+)/.exec(stderr)?.[1] ?? '?'
}

/** The upload comparison, on loopback or through the delay proxy (`port`). */
async function benchUpload(ctx, server, { label, port, file, size, sha256, dir, verifyHashes }) {
  const input = await server.profile(`upload-${port}`)
  const remoteDir = input.remoteRoot
  const batch = path.join(dir, `upload-${port}.batch`)
  const oursFinal = path.join(remoteDir, 'ours.zip')
  const nativeFinal = path.join(remoteDir, 'native.zip')
  const nativeTemp = path.join(remoteDir, '.native.zip.part')
  writeFileSync(batch, `put ${file} ${nativeTemp}\nrename ${nativeTemp} ${nativeFinal}\n`)
  const task = { mode: 'upload', server: serverRecord(input, port), localPath: file, remotePath: oursFinal, size }

  /** The upload arrived whole, under its final name, with no temporary file left; then it goes. */
  const checkAndRemove = (final, who, hash) => {
    const got = statSync(final, { throwIfNoEntry: false })?.size
    if (got !== size) throw new Error(`${label}: ${who}'s upload has ${got ?? 'no'} bytes on the server, expected ${size}`)
    const left = readdirSync(remoteDir).filter((name) => name !== path.basename(final))
    if (left.length > 0) throw new Error(`${label}: ${who} left ${left.join(', ')} on the server`)
    if (hash) {
      const remote = sha256Of(final)
      if (remote !== sha256) throw new Error(`${label}: ${who}'s upload has SHA-256 ${remote}, the file ${sha256}`)
    }
    rmSync(final)
  }
  const oursRun =
    (hash = false) =>
    async () => {
      const result = await runWorker(task)
      checkAndRemove(oursFinal, 'ours', hash)
      return result
    }
  const nativeRun =
    (hash = false) =>
    async () => {
      const result = await runNative('sftp', sftpArgs(server.sshd.privateKeyPath, port, batch, input.user), { scratch: dir })
      checkAndRemove(nativeFinal, 'sftp', hash)
      return result
    }

  ctx.log(`${label}: warm-up`)
  const warmOurs = await oursRun(verifyHashes)()
  await nativeRun(verifyHashes)()
  ctx.log(`${label}: ${ctx.runs} runs each`)
  const { ours, native } = await ctx.alternate(oursRun(), nativeRun())
  const rows = [
    ctx.row(
      label,
      's',
      ours.map((r) => r.seconds),
      native.map((r) => r.seconds),
      {
        upload: {
          phases: medianOf(
            ctx,
            ours.map((r) => r.phases)
          ),
          cipher: warmOurs.cipher,
          hashesChecked: verifyHashes
        }
      }
    )
  ]
  if (verifyHashes) {
    const mb = (runs) => runs.map((r) => (r.maxRssKiB * 1024) / 1e6)
    rows.push(ctx.row(`${label} peak memory`, 'MB', mb(ours), mb(native)))
  }
  return rows
}

function medianOf(ctx, objects) {
  return Object.fromEntries(Object.keys(objects[0]).map((key) => [key, ctx.median(objects.map((o) => o[key]))]))
}

/** One release through the API in a fresh data folder; returns its phases in seconds. */
async function oursRelease(server, tree, dir, name) {
  const { createApi } = await load('src-main/api.js')
  const marks = { scan: [], zip: [], hash: [], upload: [], manifest: [] }
  const api = createApi({
    dataDir: path.join(dir, 'data'),
    secrets: SECRETS,
    onEvent: (event, payload) => {
      if (event === 'progress') marks[payload.phase]?.push(performance.now())
    }
  })
  const must = (result, what) => {
    if (!result.ok) throw new Error(`release: ${what} failed: ${result.error.message} ${result.error.hint ?? ''}`)
    return result.value
  }
  try {
    const plugin = must(await api.addPlugin({ sourceDir: tree.root }), 'addPlugin')
    const profile = await server.profile(name)
    must(await api.addServer(profile), 'addServer')
    must(await api.setPlugin({ slug: plugin.slug, server: profile.name }), 'setPlugin')
    for (const list of Object.values(marks)) list.length = 0 // set-up sends no progress, but be sure

    const start = performance.now()
    const released = must(
      await api.addVersion({ slug: plugin.slug, version: RELEASE_VERSION, changelog: 'Benchmark release.', status: 'released' }),
      'addVersion'
    )
    const built = performance.now()
    const report = must(await api.verify({ slug: plugin.slug }), 'verify')
    const end = performance.now()

    const build = released.builds[0]
    if (!build || released.publish === null || !released.publish.uploaded.includes(RELEASE_VERSION)) {
      throw new Error(`release: ${RELEASE_VERSION} was not built and uploaded (${JSON.stringify(released.publish)})`)
    }
    if (!report.ok)
      throw new Error(
        `release: verify failed: ${report.checks
          .filter((c) => !c.ok)
          .map((c) => `${c.title}: ${c.detail}`)
          .join('; ')}`
      )
    const phaseSeconds = (phase) => released.publish.phases.filter((p) => p.phase === phase).reduce((sum, p) => sum + p.ms, 0) / 1000
    const s = (ms) => ms / 1000
    const phases = {
      scan: s(marks.scan.at(-1) - marks.scan[0]),
      zip: s(marks.hash[0] - marks.scan.at(-1)),
      hash: s(marks.upload[0] - marks.hash[0]),
      upload: phaseSeconds('upload'),
      manifest: phaseSeconds('manifest')
    }
    const addVersion = s(built - start)
    phases.rest = addVersion - Object.values(phases).reduce((a, b) => a + b, 0)
    phases.verifyChecks = s(report.checks.reduce((sum, c) => sum + c.ms, 0))
    phases.verify = s(end - built)
    phases.total = s(end - start)
    return { phases, checks: report.checks.length, size: build.file_size, files: build.files }
  } finally {
    await api.close()
  }
}

/** Wall time of one command, in seconds. */
async function timed(command, args, options = {}) {
  const start = performance.now()
  const result = await run(command, args, options)
  return { seconds: (performance.now() - start) / 1000, stdout: result.stdout }
}

/** The same release as a shell script would do it; returns its phases in seconds. */
async function nativeRelease(server, tree, dir, name, names) {
  const profile = await server.profile(name)
  const slug = path.basename(tree.root)
  const zipName = names.zipFileName(slug, RELEASE_VERSION)
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
  const manifest = {
    name: tree.plugin.name,
    slug,
    version: RELEASE_VERSION,
    download_url: url(zipName),
    sha256,
    md5: md5.stdout.split(/\s+/)[0]
  }
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
  const manifestSeconds = (performance.now() - manifestStart) / 1000
  const sftp = await timed('sftp', sftpArgs(server.sshd.privateKeyPath, profile.port, batch, profile.user))

  const verifyStart = performance.now()
  const got = JSON.parse((await run('curl', ['-fsS', url(names.MANIFEST_FILE)])).stdout)
  const download = path.join(dir, 'download.zip')
  await run('curl', ['-fsS', '-o', download, got.download_url])
  const downloaded = (await run('sha256sum', [download])).stdout.split(/\s+/)[0]
  const verify = (performance.now() - verifyStart) / 1000
  if (got.version !== RELEASE_VERSION || got.sha256 !== sha256 || downloaded !== sha256) {
    throw new Error(
      `release (native): the published manifest or ZIP does not match (manifest ${got.version} ${got.sha256}, download ${downloaded}, built ${sha256})`
    )
  }
  const phases = { zip: zip.seconds, hash: sha.seconds + md5.seconds, manifestFile: manifestSeconds, sftp: sftp.seconds, verify }
  phases.total = Object.values(phases).reduce((a, b) => a + b, 0)
  return { phases }
}

async function benchRelease(ctx, server, tree, dir) {
  const names = { ...(await load('src-main/core/build/zip-names.js')), ...(await load('src-main/core/remote/manifest.js')) }
  let count = 0
  /** A fresh local folder and a fresh remote folder for every run. */
  const once = (who, release) => async () => {
    const name = `release-${who}-${count++}`
    const runDir = path.join(dir, name)
    mkdirSync(runDir, { recursive: true })
    try {
      return await release(server, tree, runDir, name, names)
    } finally {
      rmSync(runDir, { recursive: true, force: true })
      rmSync(path.join(server.sshd.root, name), { recursive: true, force: true })
    }
  }
  ctx.log(`release ${tree.name}: warm-up`)
  const warm = await once('ours', oursRelease)()
  await once('native', nativeRelease)()
  ctx.log(`release ${tree.name}: ${ctx.runs} runs each`)
  const { ours, native } = await ctx.alternate(once('ours', oursRelease), once('native', nativeRelease))
  const pick = (runs, key) => runs.map((r) => r.phases[key])
  const prefix = `release ${tree.name}:`
  const only = (key, label) => ctx.row(`${prefix} ${label}`, 's', pick(ours, key), null)
  return [
    only('scan', 'scan'),
    only('zip', 'zip (SHA-256+MD5 inline)'),
    only('hash', 'hash -> upload (place ZIP)'),
    only('upload', 'upload (connect, lock, ZIP)'),
    only('manifest', 'manifest'),
    only('rest', 'rest of addVersion'),
    only('verifyChecks', 'verify (sum of checks)'),
    only('verify', 'verify (wall)'),
    ctx.row(`${prefix} total (addVersion + verify)`, 's', pick(ours, 'total'), pick(native, 'total'), {
      release: {
        checks: warm.checks,
        files: warm.files,
        size: warm.size,
        native: medianOf(
          ctx,
          native.map((r) => r.phases)
        )
      }
    })
  ]
}

/** One untimed upload of ours with the WRITE requests counted (see worker.js). */
async function traceUpload(server, file, size) {
  const input = await server.profile('upload-trace')
  const remotePath = path.join(input.remoteRoot, 'trace.zip')
  const result = await runWorker({ mode: 'upload', server: serverRecord(input), localPath: file, remotePath, size, trace: true })
  rmSync(remotePath, { force: true })
  return result.trace
}

/**
 * The publishing section: starts the update server (and the delay proxy), runs the comparisons and
 * always stops them. `ctx` carries run.js's helpers: { runs, log, alternate, row, median, outDir, trees }.
 */
export async function benchPublish(ctx) {
  const dir = path.join(ctx.outDir, 'publish')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'bench-upload.zip')
  ctx.log(`publish: writing ${UPLOAD_BYTES} bytes to ${file}`)
  const sha256 = writeUploadFile(file)
  if (!existsSync(GNU_TIME)) ctx.log(`note: ${GNU_TIME} is missing; sftp's peak RSS is polled from /proc (sftp only, not its ssh).`)

  const { startUpdateServer } = await load('test/support/update-server.js')
  ctx.log('publish: starting sshd and nginx')
  const server = await startUpdateServer()
  active = server
  let proxy = null
  try {
    const rows = []
    const loopback = { file, size: UPLOAD_BYTES, sha256, dir }
    rows.push(
      ...(await benchUpload(ctx, server, {
        ...loopback,
        label: 'upload 50 MiB (SFTP, loopback)',
        port: server.sshd.port,
        verifyHashes: true
      }))
    )
    proxy = await startDelayProxy(server.sshd.port, DELAY_MS)
    rows.push(
      ...(await benchUpload(ctx, server, {
        ...loopback,
        label: `upload 50 MiB (SFTP, ${2 * DELAY_MS} ms RTT)`,
        port: proxy.port,
        verifyHashes: false
      }))
    )

    const trace = await traceUpload(server, file, UPLOAD_BYTES)
    const cipher = await nativeCipher(server.sshd.privateKeyPath, server.sshd.port, server.sshd.user, dir)
    rows[0].upload = { ...rows[0].upload, trace, nativeCipher: cipher, sha256 }

    const tree = ctx.trees.find((t) => t.name === RELEASE_TREE)
    rows.push(...(await benchRelease(ctx, server, tree, dir)))
    return rows
  } finally {
    await proxy?.close()
    await stopPublishServers()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Lines for the table's notes. */
export function publishNotes(rows) {
  const lines = []
  const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`
  for (const r of rows.filter((r) => r.upload)) {
    const { connect, send, commit, close } = r.upload.phases
    lines.push(
      `upload   ${r.name.replace(/^upload /, '')}, ours: connect ${connect.toFixed(3)} s, send ${send.toFixed(3)} s, lstat+rename ${commit.toFixed(3)} s, close ${close.toFixed(3)} s`
    )
    if (r.upload.trace) {
      const t = r.upload.trace
      lines.push(
        `upload   ciphers: ours (ssh2) ${r.upload.cipher}, sftp ${r.upload.nativeCipher}; ours sent ${t.requests} WRITE requests of <= ${kib(t.largest)} ` +
          `(server max-write-length ${kib(t.maxWriteLen)}), at most ${t.maxInFlight} in flight; sftp: ${kib(SFTP_DEFAULTS.bufferBytes)} requests, ${SFTP_DEFAULTS.requests} in flight (its defaults)`
      )
    }
    if (r.upload.sha256)
      lines.push(
        `upload   every upload had the full size on the server, no temp file left; SHA-256 of both warm-up uploads = the file's ${r.upload.sha256}`
      )
  }
  for (const r of rows.filter((r) => r.release)) {
    const n = r.release.native
    lines.push(
      `release  ${r.name.replace(/^release |:.*$/g, '')}: ${r.release.files} files, ZIP ${(r.release.size / 1e6).toFixed(2)} MB, ${r.release.checks} verify checks all ok; native script: ` +
        `zip ${n.zip.toFixed(3)} s, sha256sum+md5sum ${n.hash.toFixed(3)} s, sftp -b ${n.sftp.toFixed(3)} s, curl x2 + sha256sum ${n.verify.toFixed(3)} s`
    )
  }
  return lines
}

/** Goal lines for the section (run.js adds them to its list). */
export function publishGoals(rows, verdict) {
  const lines = []
  for (const r of rows.filter((r) => r.upload)) {
    lines.push(
      `  ${verdict(r.ratio <= 1)} ${r.name.replace(/^upload 50 MiB /, 'upload ')} as fast as OpenSSH sftp or faster: ratio ${r.ratio.toFixed(3)}`
    )
  }
  const total = rows.find((r) => r.release)
  if (total) {
    const part = (key) => rows.find((r) => r.name.startsWith(`${total.name.replace(/:.*$/, '')}: ${key}`))?.ours.toFixed(3)
    lines.push(
      `  info   release end to end ${total.ours.toFixed(3)} s (scan ${part('scan')}, zip ${part('zip')}, hash ${part('hash')}, upload ${part('upload')}, manifest ${part('manifest')}, ` +
        `verify ${part('verify (wall)')}); the script without locks or checks ${total.native.toFixed(3)} s: ratio ${total.ratio.toFixed(3)}`
    )
  }
  return lines
}
