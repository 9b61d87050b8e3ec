// One measurement of our code, in a fresh process: `node bench/worker.js '<json task>'`.
//
// A fresh process per run means the peak RSS reported (getrusage's ru_maxrss, what GNU time
// reports as %M for the native tools) belongs to this one build alone, not to earlier runs' heaps.
// The timer covers the work only, not Node's start-up or module loading: in the app the builder
// runs in a process that is already up.
//
// Prints one JSON line: { seconds, maxRssKiB, ...what the task returned } (builds add `phases`:
// seconds spent walking the source, writing the ZIP, and placing it in the dist folder; uploads add
// `phases`: connecting, sending, checking the size and renaming, closing).
//
// The upload task (bench/publish.js) does what the publisher does for one ZIP, connection included:
// SftpSession.open (pinned host key, key auth, TCP_NODELAY), upload to a temporary name with every
// chunk read back behind its write, compare the size, close and rename into place (one round trip),
// close the session. With `trace`, the session's sftp.write is wrapped to count the WRITE requests on
// the wire and how many requests (writes and read-backs) were outstanding at most (a diagnostic run
// only: the wrapper is not in the measured runs).
//
// The release and verify tasks (bench/far.js) go through the API as the window does: a release is
// addVersion (status 'released': build, publish) then verify, on a fresh data folder (set-up not timed;
// phases from the progress events and the publish result); verify alone is api.verify in a fresh API,
// as `wprm verify` runs it. The kept connection is closed after the clock stops (the app keeps it).

import { performance } from 'node:perf_hooks'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const core = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'src-main', 'core')
const load = (name) => import(pathToFileURL(path.join(core, name)).href)

/** A plugin build exactly as the app does it: walk, rewrite the version, zip, hash, place. */
async function buildPlugin(task, { buildVersionZip }) {
  const now = new Date(0).toISOString()
  const plugin = {
    slug: task.slug,
    name: task.name,
    platform: 'wordpress',
    source_dir: task.sourceDir,
    main_file: task.mainFile,
    version_constant: task.constant,
    dist_dir: task.distDir,
    expected_strings: [],
    forbidden_strings: [],
    created_at: now,
    updated_at: now
  }
  // Progress events mark the phases: the last 'scan' event ends the walk, the 'hash' event ends writeZip.
  const start = performance.now()
  const marks = {}
  const onProgress = (event) => {
    if (event.phase === 'scan' || event.phase === 'hash') marks[event.phase] = performance.now()
  }
  const result = await buildVersionZip({ plugin, version: '1.0.0', job: 'bench', onProgress })
  const end = performance.now()
  const phases = { scan: (marks.scan - start) / 1000, zip: (marks.hash - marks.scan) / 1000, place: (end - marks.hash) / 1000 }
  return { zipPath: result.file_path, size: result.file_size, sha256: result.checksum, md5: result.checksum_md5, phases }
}

/** A folder without a plugin header (WordPress core): the walk and the writer, without the packager. */
async function buildFolder(task, { collectSourceEntries }, { writeZip }) {
  const start = performance.now()
  const sources = await collectSourceEntries(task.sourceDir)
  const scanned = performance.now()
  const entries = [{ name: `${task.prefix}/`, source: null }]
  for (const entry of sources) {
    entries.push(
      entry.kind === 'directory'
        ? { name: `${task.prefix}/${entry.relPath}/`, source: null }
        : { name: `${task.prefix}/${entry.relPath}`, source: { kind: 'file', path: entry.absPath, size: entry.size } }
    )
  }
  const result = await writeZip(entries, task.outPath, { level: 6 })
  const phases = { scan: (scanned - start) / 1000, zip: (performance.now() - scanned) / 1000, place: 0 }
  return { zipPath: task.outPath, size: result.size, sha256: result.sha256, md5: result.md5, phases }
}

async function hash(task, { hashFile }) {
  return hashFile(task.file)
}

/** Counts WRITE requests (ssh2 re-calls write() for each max-write-length piece) and requests in flight. */
function traceWrites(sftp) {
  const trace = { requests: 0, bytes: 0, largest: 0, maxInFlight: 0, maxWriteLen: sftp._maxWriteLen }
  const write = sftp.write.bind(sftp)
  sftp.write = (handle, buf, off, len, position, cb) => {
    const sent = Math.min(len, sftp._maxWriteLen)
    trace.requests++
    trace.bytes += sent
    trace.largest = Math.max(trace.largest, sent)
    write(handle, buf, off, len, position, cb)
    // Every request waiting for its answer (the upload's writes; nothing else runs meanwhile).
    trace.maxInFlight = Math.max(trace.maxInFlight, Object.keys(sftp._requests).length)
  }
  return trace
}

async function upload(task, { SftpSession }) {
  const marks = [performance.now()]
  const session = await SftpSession.open(task.server, { secret: async () => null })
  marks.push(performance.now())
  // Which cipher ssh2 negotiated (its own preference order, not OpenSSH's), for the notes.
  const cipher = session.client?._protocol?._cipher?.constructor?.name ?? '?'
  const trace = task.trace ? traceWrites(session.sftp) : null
  try {
    const temp = session.tempName(task.remotePath)
    const uploaded = await session.upload(task.localPath, temp)
    marks.push(performance.now())
    if (uploaded.size !== task.size || uploaded.sha256 !== task.sha256) {
      await uploaded.finish(null)
      throw new Error(
        `upload: ${temp} read back as ${uploaded.size} bytes, SHA-256 ${uploaded.sha256}; expected ${task.size}, ${task.sha256}`
      )
    }
    await uploaded.finish(task.remotePath)
    marks.push(performance.now())
  } finally {
    await session.close()
  }
  marks.push(performance.now())
  const [connect, send, commit, close] = marks.slice(1).map((mark, i) => (mark - marks[i]) / 1000)
  return { phases: { connect, send, commit, close }, cipher, trace }
}

/** Ingest of a local access log exactly as a pull folds it: 1 MiB reads, the splitter, the fold. */
async function ingest(task, { LineSplitter }, { StatsFold }) {
  const { createReadStream } = await import('node:fs')
  const fold = new StatsFold({ newestDay: null, plugins: {} }, [task.slug], task.prefix, new Date(task.now))
  const splitter = new LineSplitter()
  const onLine = (line) => fold.line(line)
  for await (const chunk of createReadStream(task.file, { highWaterMark: 1 << 20 })) splitter.push(chunk, onLine)
  const state = fold.finish().plugins[task.slug]
  const perDay = Object.fromEntries(
    Object.values(state.days)
      .filter((d) => d.sites > 0)
      .map((d) => [d.day, d.sites])
  )
  return { perDay, sites: Object.keys(state.sites).length, lines: fold.lines }
}

function must(result, what) {
  if (!result.ok) throw new Error(`${what} failed: ${result.error.message} ${result.error.hint ?? ''}`)
  return result.value
}

function failedChecks(report) {
  return report.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.id}. ${c.title}: ${c.detail}`)
    .join('; ')
}

/**
 * A whole release through the API: addVersion (build, publish), then the checklist. An `s3` or `local` profile
 * (`task.storeProfile`, a ServerProfile record) is stored as `server add` stores it, its keys read from the
 * environment variables it names (bench/s3.js sets them).
 */
async function release(task, { createApi }, { KEEP_SESSION_MS }, stores) {
  const marks = { scan: [], zip: [], hash: [], upload: [], manifest: [] }
  const api = createApi({
    dataDir: task.dataDir,
    secrets: stores ? stores.environmentSecrets(process.env) : { secret: async () => null },
    keepSessionsMs: KEEP_SESSION_MS,
    onEvent: (event, payload) => {
      if (event === 'progress') marks[payload.phase]?.push(performance.now())
    }
  })
  try {
    const plugin = must(await api.addPlugin({ sourceDir: task.sourceDir }), 'addPlugin')
    if (task.storeProfile) {
      await new stores.Store(task.dataDir).transact('add the bench server', (db) => void db.servers.push(task.storeProfile))
    } else must(await api.addServer(task.profile), 'addServer')
    const serverName = (task.storeProfile ?? task.profile).name
    must(await api.setPlugin({ slug: plugin.slug, server: serverName }), 'setPlugin')
    for (const list of Object.values(marks)) list.length = 0

    const start = performance.now()
    const released = must(
      await api.addVersion({ slug: plugin.slug, version: task.version, changelog: 'Benchmark release.', status: 'released' }),
      'addVersion'
    )
    const built = performance.now()
    const report = must(await api.verify({ slug: plugin.slug }), 'verify')
    const end = performance.now()

    const build = released.builds[0]
    if (!build || released.publish === null || !released.publish.uploaded.includes(task.version)) {
      throw new Error(`release: ${task.version} was not built and uploaded (${JSON.stringify(released.publish)})`)
    }
    if (!report.ok) throw new Error(`release: verify failed: ${failedChecks(report)}`)
    const s = (ms) => ms / 1000
    const published = released.publish.phases.reduce((sum, p) => sum + p.ms, 0)
    const phases = {
      build: s(marks.upload[0] - start),
      publish: s(published),
      verify: s(end - built)
    }
    phases.rest = s(built - start) - phases.build - phases.publish
    phases.total = s(end - start)
    const extra = {}
    if (task.storeProfile) {
      // The publish's wall time, from "Connecting" to "Manifest #n is live" (the ZIP and the manifest are up):
      // what `aws s3 cp` of the ZIP and the manifest is compared with; and each timed phase of the publish.
      phases.publishWall = s(marks.manifest.at(-1) - marks.upload[0])
      extra.publishPhases = released.publish.phases.map((p) => ({ phase: p.phase, seconds: s(p.ms) }))
    }
    return {
      phases,
      checks: report.checks.length,
      size: build.file_size,
      files: build.files,
      zipPath: build.file_path,
      manifestUrl: released.publish.manifest_url,
      ...extra
    }
  } finally {
    await api.close()
  }
}

/** The checklist alone, in a fresh API on a data folder that has released the plugin. */
async function verifyOnly(task, { createApi }) {
  const api = createApi({ dataDir: task.dataDir, secrets: { secret: async () => null } })
  try {
    const start = performance.now()
    const report = must(await api.verify({ slug: task.slug }), 'verify')
    const end = performance.now()
    if (!report.ok) throw new Error(`verify failed: ${failedChecks(report)}`)
    return { phases: { verify: (end - start) / 1000, total: (end - start) / 1000 } }
  } finally {
    await api.close()
  }
}

/**
 * What a release to an object store needs besides the API; the AWS SDK is loaded here too, before the clock (the
 * app has loaded it once it published once; S3Store.open would otherwise load it inside the first publish).
 */
async function storeModules() {
  const started = performance.now()
  await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')])
  const sdkLoadSeconds = (performance.now() - started) / 1000
  return { ...(await load('db/store.js')), ...(await load('remote/secrets.js')), sdkLoadSeconds }
}

async function main() {
  const task = JSON.parse(process.argv[2])
  // Load before starting the clock.
  const modules = {
    package: async () => [await load('build/packager.js')],
    folder: async () => [await load('build/source-files.js'), await load('build/zip-writer.js')],
    hash: async () => [await load('build/checksums.js')],
    upload: async () => [await load('remote/sftp-session.js')],
    release: async () => [
      await import(pathToFileURL(path.join(core, '..', 'api.js')).href),
      await load('remote/session-pool.js'),
      task.storeProfile ? await storeModules() : null
    ],
    verify: async () => [await import(pathToFileURL(path.join(core, '..', 'api.js')).href)],
    baseline: async () => [await load('build/packager.js'), await load('build/zip-writer.js')],
    ingest: async () => [await load('stats/line-splitter.js'), await load('stats/stats-fold.js')]
  }
  const run = { package: buildPlugin, folder: buildFolder, hash, upload, release, verify: verifyOnly, ingest, baseline: async () => ({}) }[
    task.mode
  ]
  const loaded = await modules[task.mode]()
  const start = performance.now()
  const result = await run(task, ...loaded)
  if (task.storeProfile) result.sdkLoadSeconds = loaded[2].sdkLoadSeconds
  const seconds = (performance.now() - start) / 1000
  process.stdout.write(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, ...result }) + '\n')
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`)
  process.exit(1)
})
