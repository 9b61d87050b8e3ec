import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3'
import { freePorts, waitForPort } from './free-port.js'
import { spawnServer, stopProcessTree } from './process.js'
import type { ServerProcess } from './process.js'
import { requireTool } from './require-tool.js'
import { makeTempDir, removeTempDir } from './temp-dir.js'

/**
 * A single-node Ceph cluster (one monitor, one in-memory OSD) with a RADOS Gateway in front: a real S3 store on
 * 127.0.0.1, as operators run Ceph on their own hardware. No manager, no systemd, no authentication inside the
 * cluster (cephx off: loopback only, thrown away after the test); objects live in the OSD's memory (memstore).
 *
 * Quirks of Debian 12's Ceph 16 (Pacific) that the code under test has to live with: it refuses the AWS SDK's
 * default chunked checksums on stream bodies (411), so clients set requestChecksumCalculation: 'WHEN_REQUIRED';
 * buckets are addressed path-style; CompleteMultipartUpload ignores If-None-Match and answers with an empty ETag.
 */
export interface ObjectStoreServer {
  /** `http://127.0.0.1:<port>`: the S3 endpoint, and the bucket's public base is `<endpoint>/<bucket>/`. */
  readonly endpoint: string
  readonly region: string
  /** A bucket made at start, owned by the test user. */
  readonly bucket: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** The cluster's folder (config, monitor store, logs); deleted by stop(). */
  readonly dir: string
  /** The pids of the monitor, the OSD and the gateway. */
  readonly pids: { readonly mon: number; readonly osd: number; readonly rgw: number }
  /** A fresh S3 client for the test user (path-style, checksums only where required), for setting up and checking. */
  client(): S3Client
  /** Makes another bucket owned by the test user. */
  createBucket(name: string): Promise<void>
  /** Lets anyone GET the bucket's objects without signing (a bucket policy), as a CDN's origin or a public bucket. */
  allowPublicRead(bucket?: string): Promise<void>
  /** Resident memory of the three daemons together, in bytes. */
  rssBytes(): Promise<number>
  /** The daemons' logs so far, for failure messages. */
  output(): string
  /** Stops the three daemons by pid and deletes the cluster's folder. Never throws. */
  stop(): Promise<void>
}

/** Options for startObjectStore. */
export interface ObjectStoreOptions {
  /** The bucket made at start; `wprm-test` unless given. */
  readonly bucket?: string
}

// Each step is bounded: a daemon that never comes up must fail the test's setup, not hang it.
const MON_TIMEOUT_MS = 30_000
const OSD_TIMEOUT_MS = 30_000
const RGW_TIMEOUT_MS = 60_000
const OSD_TRIES = 3
/** The OSD keeps objects in memory: enough for the largest test object many times over. */
const MEMSTORE_BYTES = 2 * 1024 ** 3

/** ceph.conf for a throwaway one-node cluster: everything under `dir`, v1 messenger on 127.0.0.1 only. */
function cephConfig(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v1:127.0.0.1:${monPort}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr2 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
mon cluster log file = ${dir}/log/cluster.log
crash dir = ${dir}/crash
paxos propose interval = 0.1
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 1
mon warn on insecure global id reclaim allowed = false
[mon]
mon data = ${dir}/mon/$id
[osd]
osd data = ${dir}/osd/$id
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES}
osd class update on start = false
osd crush update on start = false
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
`
}

/** Runs a Ceph tool to completion (bounded), returning stdout; throws with its stderr. */
function ceph(command: string, args: readonly string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/** Polls `check` every 200 ms until it is true; false when `timeoutMs` passed or `alive` says the daemon died. */
async function waitFor(timeoutMs: number, check: () => Promise<boolean>, alive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && alive()) {
    if (await check().catch(() => false)) return true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return false
}

/** VmRSS of a process in bytes; 0 when it is gone. */
async function rssOf(pid: number): Promise<number> {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? 0 : Number(kb) * 1024
  } catch {
    return 0
  }
}

/**
 * Starts a one-node Ceph cluster with a RADOS Gateway on free ports of 127.0.0.1, with a user and its keys and
 * one bucket. About 2–4 s here and about 130 MB of memory. A missing Ceph package fails at once, in one line.
 */
export async function startObjectStore(options: ObjectStoreOptions = {}): Promise<ObjectStoreServer> {
  const cephMon = requireTool('ceph-mon', 'ceph-mon')
  const cephOsd = requireTool('ceph-osd', 'ceph-osd')
  const radosgw = requireTool('radosgw', 'radosgw')
  const radosgwAdmin = requireTool('radosgw-admin', 'radosgw')
  // ceph, monmaptool and ceph-authtool come with ceph-mon's dependencies (ceph-base, ceph-common).
  const cephCli = requireTool('ceph', 'ceph-mon')
  const monmaptool = requireTool('monmaptool', 'ceph-mon')
  const authtool = requireTool('ceph-authtool', 'ceph-mon')

  const dir = await makeTempDir('ceph')
  const conf = join(dir, 'ceph.conf')
  const [monPort, rgwPort] = (await freePorts(2)) as [number, number]
  const bucket = options.bucket ?? 'wprm-test'
  const accessKeyId = `WPRM${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}`
  const secretAccessKey = randomUUID().replaceAll('-', '') + randomUUID().replaceAll('-', '').slice(0, 8)
  const endpoint = `http://127.0.0.1:${rgwPort}`
  const region = 'us-east-1'
  const daemons: Record<'mon' | 'osd' | 'rgw', ServerProcess | undefined> = { mon: undefined, osd: undefined, rgw: undefined }
  let pastOutput = ''
  let stopped = false

  const output = (): string =>
    pastOutput +
    Object.entries(daemons)
      .map(([name, p]) => (p === undefined ? '' : `--- ${name}\n${p.output()}`))
      .join('\n')
  const halt = async (name: 'mon' | 'osd' | 'rgw'): Promise<void> => {
    const p = daemons[name]
    if (p === undefined) return
    await stopProcessTree(p.pid, 2_000)
    pastOutput += `--- ${name} (stopped)\n${p.output()}\n`
    daemons[name] = undefined
  }
  const client = (): S3Client =>
    new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED'
    })
  const withClient = async <T>(use: (s3: S3Client) => Promise<T>): Promise<T> => {
    const s3 = client()
    try {
      return await use(s3)
    } finally {
      s3.destroy()
    }
  }
  const osdUp = async (): Promise<boolean> => /^osd\.0 up/m.test(await ceph(cephCli, ['-c', conf, 'osd', 'dump'], 10_000))

  const server: ObjectStoreServer = {
    endpoint,
    region,
    bucket,
    dir,
    accessKeyId,
    secretAccessKey,
    get pids() {
      return { mon: daemons.mon?.pid ?? -1, osd: daemons.osd?.pid ?? -1, rgw: daemons.rgw?.pid ?? -1 }
    },
    client,
    createBucket: (name) => withClient(async (s3) => void (await s3.send(new CreateBucketCommand({ Bucket: name })))),
    allowPublicRead: (name = bucket) =>
      withClient(async (s3) => {
        const policy = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${name}/*`] }]
        }
        await s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(policy) }))
      }),
    rssBytes: async () =>
      (await Promise.all(Object.values(daemons).map((p) => (p === undefined ? 0 : rssOf(p.pid))))).reduce((a, b) => a + b, 0),
    output,
    async stop() {
      if (stopped) return
      stopped = true
      // The gateway first: it is the cluster's client; the monitor last, as the OSD reports to it.
      await halt('rgw')
      await halt('osd')
      await halt('mon')
      await removeTempDir(dir)
    }
  }

  try {
    for (const sub of ['mon', 'osd/0', 'run', 'log', 'crash']) await mkdir(join(dir, sub), { recursive: true })
    const fsid = randomUUID()
    await writeFile(conf, cephConfig(dir, fsid, monPort, rgwPort))
    const keyring = join(dir, 'keyring')
    const monmap = join(dir, 'monmap')
    await ceph(authtool, ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *'])
    await ceph(monmaptool, ['--create', '--add', 'a', `v1:127.0.0.1:${monPort}`, '--fsid', fsid, monmap])
    await ceph(cephMon, ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring])
    const mon = spawnServer(cephMon, ['-c', conf, '-f', '-i', 'a'])
    daemons.mon = mon
    await waitForPort(monPort, MON_TIMEOUT_MS, () => !mon.exited())

    const osdUuid = randomUUID()
    // The monitor listens before it serves commands, and refuses some for a moment after its first ("EPERM:
    // problem getting command descriptions from mon" while it forms its quorum of one): both commands are
    // idempotent (the same uuid, the same crush item), so each is tried again until it passes.
    const monCommand = async (args: readonly string[]): Promise<void> => {
      let last: unknown = null
      const passed = await waitFor(
        MON_TIMEOUT_MS,
        async () => {
          try {
            await ceph(cephCli, ['-c', conf, ...args], 10_000)
            return true
          } catch (error) {
            last = error
            return false
          }
        },
        () => !mon.exited()
      )
      if (!passed) throw new Error(`the Ceph monitor did not take "${args.join(' ')}": ${(last as Error | null)?.message ?? 'it exited'}`)
    }
    await monCommand(['osd', 'new', osdUuid])
    await monCommand(['osd', 'crush', 'add', 'osd.0', '1.0', 'root=default'])
    await ceph(cephOsd, ['-c', conf, '-i', '0', '--mkfs', '--osd-uuid', osdUuid])
    // The OSD sometimes never reports itself up on its first boot (seen with memstore): start it again.
    for (let attempt = 1; ; attempt++) {
      const osd = spawnServer(cephOsd, ['-c', conf, '-f', '-i', '0'])
      daemons.osd = osd
      if (await waitFor(OSD_TIMEOUT_MS, osdUp, () => !osd.exited())) break
      await halt('osd')
      if (attempt >= OSD_TRIES) throw new Error(`the Ceph OSD did not come up after ${OSD_TRIES} starts`)
    }

    const rgw = spawnServer(radosgw, ['-c', conf, '-f', '-n', 'client.rgw.a'])
    daemons.rgw = rgw
    // The gateway listens before it has set up its pools; it answers an anonymous GET / only once it serves.
    if (
      !(await waitFor(
        RGW_TIMEOUT_MS,
        async () => (await fetch(`${endpoint}/`)).ok,
        () => !rgw.exited()
      ))
    )
      throw new Error(`the RADOS Gateway did not answer on ${endpoint} within ${RGW_TIMEOUT_MS} ms`)
    await ceph(
      radosgwAdmin,
      [
        '-c',
        conf,
        'user',
        'create',
        '--uid=wprm-test',
        '--display-name=wprm test',
        `--access-key=${accessKeyId}`,
        `--secret-key=${secretAccessKey}`
      ],
      30_000
    )
    await server.createBucket(bucket)
  } catch (error) {
    const log = output()
    await server.stop()
    throw new Error(`the Ceph object store did not start: ${(error as Error).message}\n${log.slice(-4000)}`)
  }
  return server
}
