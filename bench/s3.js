// Benchmark: writing to an S3-compatible store, against Debian's AWS CLI, on a one-node Ceph RADOS Gateway on
// 127.0.0.1 (test/support/object-store.js, started once for this section and always stopped).
//
// What it measures (the store adapter alone: the publish over S3 is not wired yet, so this is not a release):
//   - a 20 MB ZIP (seeded PRNG bytes, incompressible as a ZIP of images) and a 2 KB info.json put into the bucket,
//     the manifest last as a publish does:
//       ours:   S3Store.open + put(ZIP, from the file: multipart above 16 MiB, 8 MiB parts, 4 in flight) +
//               put(info.json, one PUT with Content-MD5) + close, in this process (the app is already up: the
//               SDK's loading is not counted; the warm-up loads it).
//       native: `/usr/bin/aws s3 cp FILE s3://bucket/key --endpoint-url … --only-show-errors` twice (the ZIP, then
//               the manifest), wall time around both spawns, its Python start-up included (as sftp's is in the
//               SFTP rows); its defaults: multipart above 8 MiB, 8 MiB parts, 10 in flight. Keys from the
//               environment, no config file.
//     After every run both objects must have their full size (HEAD); the warm-up's ZIPs are read back and their
//     SHA-256 compared with the file's. The objects are deleted between runs.
//
// How: one untimed warm-up of each, then the tools alternate (run.js's alternate); medians are reported.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { run } from './measure.js'
import { createRandom } from './trees.js'

const OUT_CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli')
const load = (rel) => import(pathToFileURL(path.join(OUT_CLI, rel)).href)

const ZIP_BYTES = 20 * 1000 * 1000
const ZIP_SEED = 0x5eed0020
/** Debian's awscli, not a pip one that may come first on PATH (the baseline is the packaged tool). */
const AWS = '/usr/bin/aws'
const RGW_BINARIES = ['/usr/bin/radosgw', '/usr/bin/ceph-mon', '/usr/bin/ceph-osd', AWS]

/** The store of the section being run, so that Ctrl-C can stop it too. */
let active = null

/** Stops the store if the section is running (run.js calls this on SIGINT); never throws. */
export async function stopS3Store() {
  const store = active
  active = null
  await store?.stop().catch(() => undefined)
}

/** True when Ceph's gateway and the AWS CLI are installed; otherwise the section is skipped with a note. */
export function s3Prerequisites() {
  const missing = RGW_BINARIES.filter((file) => !existsSync(file))
  return { ok: missing.length === 0, missing }
}

/** Incompressible bytes of a fixed seed, written once per run of the bench. */
function writeZip(file) {
  const random = createRandom(ZIP_SEED)
  const bytes = Buffer.alloc(ZIP_BYTES)
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(random.u32(), i)
  writeFileSync(file, bytes)
  return createHash('sha256').update(bytes).digest('hex')
}

/** The S3 rows (see the header). */
export async function benchS3(ctx) {
  const dir = path.join(ctx.outDir, 's3')
  mkdirSync(dir, { recursive: true })
  const zipPath = path.join(dir, 'bench-v1.0.0.zip')
  const manifestPath = path.join(dir, 'info.json')
  ctx.log(`s3: writing ${ZIP_BYTES} bytes to ${zipPath}`)
  const zipSha = writeZip(zipPath)
  const manifest = Buffer.from(JSON.stringify({ name: 'bench', version: '1.0.0', download_url: 'x'.repeat(2000) }))
  writeFileSync(manifestPath, manifest)
  const manifestSha = createHash('sha256').update(manifest).digest('hex')

  const { startObjectStore } = await load('test/support/object-store.js')
  const { S3Store } = await load('src-main/core/remote/targets/s3-store.js')
  const { IMMUTABLE_CACHE_CONTROL, mutableCacheControl } = await load('src-main/core/remote/targets/object-store.js')
  const { normalizeS3Target } = await load('src-shared/input-rules.js')
  ctx.log('s3: starting a one-node Ceph RADOS Gateway')
  const started = performance.now()
  const rgw = await startObjectStore({ bucket: 'bench' })
  active = rgw
  const startSeconds = (performance.now() - started) / 1000
  try {
    const target = normalizeS3Target({
      endpoint: rgw.endpoint,
      region: rgw.region,
      bucket: rgw.bucket,
      publicUrl: `${rgw.endpoint}/bench/`
    })
    const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey }
    // The CLI reads the keys from the environment only: no ~/.aws of whoever runs the bench.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
      AWS_DEFAULT_REGION: rgw.region,
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials')
    })
    const checker = await S3Store.open(target, credentials)
    let count = 0
    const keysOf = (who) => {
      const n = count++
      return { zip: `${who}-${n}/bench-v1.0.0.zip`, manifest: `${who}-${n}/info.json` }
    }
    /** Both objects there with their sizes (and, for the warm-up, the ZIP's bytes); then deleted. */
    const check = async (keys, fullRead) => {
      const [zip, info] = await Promise.all([checker.head(keys.zip), checker.head(keys.manifest)])
      if (zip?.size !== ZIP_BYTES || info?.size !== manifest.length) throw new Error(`s3: ${keys.zip} or ${keys.manifest} is not whole`)
      if (fullRead) {
        const read = await checker.get(keys.zip)
        if (createHash('sha256').update(read.bytes).digest('hex') !== zipSha) throw new Error(`s3: ${keys.zip} came back changed`)
      }
      await Promise.all([checker.delete(keys.zip), checker.delete(keys.manifest)])
    }
    const ours = (fullRead) => async () => {
      const keys = keysOf('ours')
      const start = performance.now()
      const store = await S3Store.open(target, credentials)
      try {
        await store.put(
          keys.zip,
          { kind: 'file', path: zipPath },
          { cacheControl: IMMUTABLE_CACHE_CONTROL, contentType: 'application/zip', sha256: zipSha }
        )
        await store.put(
          keys.manifest,
          { kind: 'bytes', bytes: manifest },
          { cacheControl: mutableCacheControl(60), contentType: 'application/json', sha256: manifestSha }
        )
      } finally {
        store.close()
      }
      const seconds = (performance.now() - start) / 1000
      await check(keys, fullRead)
      return seconds
    }
    const native = (fullRead) => async () => {
      const keys = keysOf('native')
      const cp = (file, key) =>
        run(AWS, ['s3', 'cp', file, `s3://${rgw.bucket}/${key}`, '--endpoint-url', rgw.endpoint, '--only-show-errors'])
      const start = performance.now()
      await cp(zipPath, keys.zip)
      await cp(manifestPath, keys.manifest)
      const seconds = (performance.now() - start) / 1000
      await check(keys, fullRead)
      return seconds
    }
    ctx.log('s3: warm-up')
    await ours(true)()
    await native(true)()
    ctx.log(`s3: ${ctx.runs} runs each`)
    const measured = await ctx.alternate(ours(false), native(false))
    checker.close()
    const awsVersion = (await run(AWS, ['--version'])).stdout.trim().split(/\s+/)[0]
    // The CLI's own start-up (Python and botocore), to tell it from the transfer: `aws --version`, median of the runs.
    const startups = []
    for (let i = 0; i < ctx.runs; i++) {
      const start = performance.now()
      await run(AWS, ['--version'])
      startups.push((performance.now() - start) / 1000)
    }
    const awsStartSeconds = ctx.median(startups)
    return [
      ctx.row('S3 put 20 MB ZIP + info.json (RGW, loopback)', 's', measured.ours, measured.native, {
        s3: { startSeconds, rssMiB: (await rgw.rssBytes()) / 2 ** 20, aws: awsVersion, awsStartSeconds }
      })
    ]
  } finally {
    active = null
    await rgw.stop()
  }
}

/** The notes under the table: the store's start and memory, the CLI's version. */
export function s3Notes(rows) {
  return rows
    .filter((r) => r.s3)
    .map(
      (r) =>
        `s3       Ceph 16 RGW (mon + memstore OSD + radosgw) started in ${r.s3.startSeconds.toFixed(1)} s, ${r.s3.rssMiB.toFixed(0)} MiB resident after the runs; native = ${r.s3.aws} (s3 cp, 2 spawns; its start-up alone, aws --version: ${r.s3.awsStartSeconds.toFixed(2)} s each)`
    )
}

/**
 * The goal is for the whole release over S3 (<= 1.2x of `aws s3 cp` of the ZIP and the manifest); until
 * the publish is wired, the adapter's own puts are reported against it as information.
 */
export function s3Goals(rows) {
  const put = rows.find((r) => r.name.startsWith('S3 put 20 MB'))
  return put
    ? [`  info   S3 adapter put of a 20 MB ZIP + info.json vs aws s3 cp x2: ratio ${put.ratio.toFixed(3)} (release goal <= 1.2x)`]
    : []
}
