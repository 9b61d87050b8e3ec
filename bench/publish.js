// Benchmark: publishing over SFTP, against OpenSSH's sftp, on a private sshd + nginx on 127.0.0.1
// (test/support/update-server.js, started once for this section and always stopped).
//
// What it measures:
//   - upload of a 50 MiB file (seeded PRNG bytes, incompressible like a ZIP of images; it is not a
//     valid archive, SFTP does not care), connection included:
//       ours:   bench/worker.js in a fresh process does what the publisher does for one ZIP:
//               SftpSession.open (host key pinned, key auth, TCP_NODELAY), upload to a temporary
//               name with every chunk read back behind its write (the SHA-256 of what the server
//               returned must be the file's), close and rename into place in one round trip, close.
//               Wall time from open to closed (Node's start-up and module loading are not counted:
//               the app is already up), peak RSS of that process.
//       native: `sftp -b batch -i key -P port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
//               -o BatchMode=yes user@127.0.0.1` with `put FILE TEMP` and `rename TEMP FINAL`
//               (posix-rename, as ours), wall time around the spawn (its start-up and connection
//               included), peak RSS from GNU time (sftp or its ssh child, the larger). It reads
//               nothing back.
//     Each tool uses its own defaults: ssh2 negotiates aes128-gcm on a CPU with AES-NI, OpenSSH
//     chacha20-poly1305 (both are printed). After every run the file on the server (sshd's root is a
//     local folder) must have the full size and no temporary file may be left; the SHA-256 of both
//     warm-up uploads is compared with the local file's. The files are deleted between runs.
//   - the same upload through a loopback proxy that delays every chunk by 5 ms each way (10 ms RTT,
//     a server in the same country; bandwidth unlimited; test/support/tcp-proxy.ts): loopback's ~0
//     RTT hides how many requests a client keeps in flight, which is what decides the speed on a real
//     network. One untimed run of ours with sftp.write wrapped counts the WRITE requests and the most
//     requests in flight (worker.js).
//   - whole releases and verify alone at 0, 10, 50 and 100 ms RTT: bench/far.js.
//
// How: one untimed warm-up of each, then the tools alternate (run.js's alternate) for 5 runs (3 with
// --quick); medians are reported. Files go to .bench-tmp/out/publish (deleted by run.js).

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { benchFar, farGoals, farNotes } from './far.js'
import { GNU_TIME, run, runNative, runWorker } from './measure.js'
import { createRandom } from './trees.js'

const OUT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)

const UPLOAD_BYTES = 50 * 1024 * 1024
const UPLOAD_SEED = 0x5eed0050
/** One-way delay of the latency proxy: 10 ms round trip. */
const DELAY_MS = 5
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
  const task = { mode: 'upload', server: serverRecord(input, port), localPath: file, remotePath: oursFinal, size, sha256 }

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

/** One untimed upload of ours with the WRITE requests counted (see worker.js). */
async function traceUpload(server, file, size, sha256) {
  const input = await server.profile('upload-trace')
  const remotePath = path.join(input.remoteRoot, 'trace.zip')
  const result = await runWorker({ mode: 'upload', server: serverRecord(input), localPath: file, remotePath, size, sha256, trace: true })
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
  const { startDelayProxy } = await load('test/support/tcp-proxy.js')
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

    const trace = await traceUpload(server, file, UPLOAD_BYTES, sha256)
    const cipher = await nativeCipher(server.sshd.privateKeyPath, server.sshd.port, server.sshd.user, dir)
    rows[0].upload = { ...rows[0].upload, trace, nativeCipher: cipher, sha256 }

    await proxy.close()
    proxy = null
    rows.push(...(await benchFar(ctx, server, ctx.trees, dir, sftpArgs)))
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
      `upload   ${r.name.replace(/^upload /, '')}, ours: connect ${connect.toFixed(3)} s, send + read-back ${send.toFixed(3)} s, close+rename ${commit.toFixed(3)} s, close ${close.toFixed(3)} s`
    )
    if (r.upload.trace) {
      const t = r.upload.trace
      lines.push(
        `upload   ciphers: ours (ssh2) ${r.upload.cipher}, sftp ${r.upload.nativeCipher}; ours sent ${t.requests} WRITE requests of <= ${kib(t.largest)} ` +
          `(server max-write-length ${kib(t.maxWriteLen)}), each with a read of its bytes behind it, at most ${t.maxInFlight} requests in flight; sftp: ${kib(SFTP_DEFAULTS.bufferBytes)} requests, ${SFTP_DEFAULTS.requests} in flight (its defaults)`
      )
    }
    if (r.upload.sha256)
      lines.push(
        `upload   every upload had the full size on the server, no temp file left; SHA-256 of both warm-up uploads = the file's ${r.upload.sha256}`
      )
  }
  lines.push(...farNotes(rows))
  return lines
}

/** Goal lines for the section (run.js adds them to its list). */
export function publishGoals(rows, verdict) {
  const lines = []
  for (const r of rows.filter((r) => r.upload)) {
    lines.push(
      `  ${verdict(r.ratio <= 1)} ${r.name.replace(/^upload 50 MiB /, 'upload ')} as fast as OpenSSH sftp or faster (ours reads every byte back, sftp reads none): ratio ${r.ratio.toFixed(3)}`
    )
  }
  lines.push(...farGoals(rows, verdict))
  return lines
}
