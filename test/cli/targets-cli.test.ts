import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerProfile, ServerTestResult, StatsReport } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { siteHash } from '../support/access-log.js'
import type { NginxServer } from '../support/nginx.js'
import { startNginx } from '../support/nginx.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import type { CliRun } from './run-cli.js'
import { runCli } from './run-cli.js'

/**
 * `wprm server add --kind s3|local` and `server test` against real servers: a one-node Ceph RADOS Gateway for the
 * bucket, a private nginx serving the local folder. Every output of every run is kept, and at the end neither it
 * nor any file of the data folder may hold the S3 secret.
 */

let rgw: ObjectStoreServer
let nginx: NginxServer
let temp: { dir: string; cleanup: () => Promise<void> }
let www: string
/** What every run printed, with --json and --debug or not. */
const printed: string[] = []

/** The variables the s3 profile names; the test's own, so that nothing of the machine's AWS setup leaks in. */
const KEY_ENV = { access: 'WPRM_TEST_S3_KEY_ID', secret: 'WPRM_TEST_S3_SECRET' }

beforeAll(async () => {
  temp = await makeTempDir('wprm-cli-targets-')
  www = path.join(temp.dir, 'www')
  await mkdir(path.join(www, 'plugins'), { recursive: true })
  ;[rgw, nginx] = await Promise.all([startObjectStore({ bucket: 'updates' }), startNginx({ root: www })])
  await rgw.allowPublicRead()
  await rgw.createBucket('private-updates')
})
afterAll(async () => {
  await Promise.all([rgw?.stop(), nginx?.stop()])
  await temp?.cleanup()
})

const dataDir = (): string => path.join(temp.dir, 'data')
const keys = (): NodeJS.ProcessEnv => ({ [KEY_ENV.access]: rgw.accessKeyId, [KEY_ENV.secret]: rgw.secretAccessKey })

async function wprm(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(args, { dataDir: dataDir(), env })
  printed.push(run.stdout, run.stderr)
  return run
}

const s3Args = (name: string, bucket: string): string[] => [
  ...['server', 'add', name, '--kind', 's3', '--bucket', bucket, '--endpoint', rgw.endpoint, '--region', rgw.region],
  ...['--key-prefix', 'plugins', '--public-url', `${rgw.endpoint}/${bucket}/plugins/`],
  ...['--access-key-env', KEY_ENV.access, '--secret-key-env', KEY_ENV.secret, '--max-age', '30']
]

describe('server profiles for a local folder and an S3 bucket', () => {
  it('adds a local folder, lists it, and tests it through the nginx that serves it', async () => {
    const add = await wprm([
      'server',
      'add',
      'here',
      '--kind',
      'local',
      '--root',
      path.join(www, 'plugins'),
      '--public-url',
      `${nginx.baseUrl}plugins`
    ])
    expect(add.code, add.stderr).toBe(0)
    expect(add.stdout).toContain(`Added server here (folder ${path.join(www, 'plugins')})`)
    const listed = JSON.parse((await wprm(['--json', 'server', 'list'])).stdout) as ServerProfile[]
    expect(listed).toMatchObject([
      { kind: 'local', name: 'here', root: path.join(www, 'plugins'), public_url: `${nginx.baseUrl}plugins/`, access_logs: [] }
    ])
    expect((await wprm(['server', 'list'])).stdout).toMatch(/^here\s+local\s+folder \//m)

    const test = await wprm(['--json', 'server', 'test', 'here'])
    expect(test.code, test.stdout + test.stderr).toBe(0)
    const result = JSON.parse(test.stdout) as ServerTestResult
    expect(result.checks.map((c) => [c.title, c.ok])).toEqual([
      [`Write to ${path.join(www, 'plugins')}`, true],
      [`Serve ${nginx.baseUrl}plugins/`, true],
      [`Remove the probe from ${path.join(www, 'plugins')}`, true]
    ])
    // The probe went through nginx, and nothing of it stays in the folder.
    expect(await readFile(nginx.accessLogPath, 'utf8')).toMatch(/GET \/plugins\/\.wprm-probe-[0-9a-f]{12}\.txt HTTP\/1\.1" 200/)
    expect(await readdir(path.join(www, 'plugins'))).toEqual([])
  })

  it('fails the test of a local folder whose public URL serves another folder, saying so', async () => {
    await mkdir(path.join(temp.dir, 'elsewhere'))
    expect(
      (await wprm(['server', 'add', 'wrong', '--kind', 'local', '--root', path.join(temp.dir, 'elsewhere'), '--public-url', nginx.baseUrl]))
        .code
    ).toBe(0)
    const test = await wprm(['server', 'test', 'wrong'])
    expect(test.code).toBe(1)
    expect(test.stdout).toMatch(/✗ 2\. Serve .*HTTP 404: the public URL does not serve/s)
    expect(await readdir(path.join(temp.dir, 'elsewhere'))).toEqual([])
  })

  it('adds an S3 bucket by its coordinates and variable names, and tests it on a real RADOS Gateway', async () => {
    const add = await wprm(s3Args('cdn', rgw.bucket))
    expect(add.code, add.stderr).toBe(0)
    const listed = JSON.parse((await wprm(['--json', 'server', 'list'])).stdout) as ServerProfile[]
    expect(listed.find((s) => s.name === 'cdn')).toMatchObject({
      kind: 's3',
      endpoint: rgw.endpoint,
      bucket: 'updates',
      key_prefix: 'plugins/',
      path_style: true,
      access_key_env: KEY_ENV.access,
      secret_key_env: KEY_ENV.secret,
      mutable_max_age: 30
    })

    const test = await wprm(['--json', 'server', 'test', 'cdn'], keys())
    expect(test.code, test.stdout + test.stderr).toBe(0)
    const result = JSON.parse(test.stdout) as ServerTestResult
    expect(result.checks.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6])
    expect(result.checks.every((c) => c.ok)).toBe(true)
    expect(result.checks[3]!.title).toBe(`Serve ${rgw.endpoint}/updates/plugins/ to anyone`)
    expect(result.checks[3]!.detail).toContain('HTTP 200')
  })

  it('says which variable to set when the keys are missing, and what to allow when the bucket is not public', async () => {
    const noKeys = await wprm(['server', 'test', 'cdn'])
    expect(noKeys.code).toBe(1)
    expect(noKeys.stdout).toContain(`the environment variable ${KEY_ENV.access} is empty or not set`)

    expect((await wprm(s3Args('private', 'private-updates'))).code).toBe(0)
    const test = await wprm(['server', 'test', 'private'], keys())
    expect(test.code).toBe(1)
    expect(test.stdout).toMatch(/✓ 2\. Write to s3:\/\/private-updates\/plugins\//)
    expect(test.stdout).toMatch(/✗ 4\. Serve .* HTTP 403 without credentials: sites could not download\. Allow public reads/s)
    expect(test.stdout).toMatch(/✓ 6\. Delete from/)
  })

  it('moves the public URL and the max-age of a bucket with server set', async () => {
    const set = await wprm(['--json', 'server', 'set', 'cdn', '--max-age', '0', '--public-url', 'https://cdn.example.com/plugins'])
    expect(set.code, set.stderr).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({ public_url: 'https://cdn.example.com/plugins/', mutable_max_age: 0 })
    const activity = await wprm(['activity'])
    expect(activity.stdout).toContain(
      'Server cdn is served at https://cdn.example.com/plugins/; lets caches keep info.json and the ledger 0 s'
    )
  })

  it('pulls the install statistics of a local server from the access log on this disk; a bucket says CDN logs are not read yet', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'src', 'hello-wprm'))
    expect((await wprm(['plugin', 'add', source])).code).toBe(0)
    const set = await wprm(['plugin', 'set', 'hello-wprm', '--server', 'here'])
    expect(set.code, set.stderr).toBe(0)
    expect((await wprm(['server', 'set', 'here', '--access-log', nginx.accessLogPath])).code).toBe(0)
    await mkdir(path.join(www, 'plugins', 'hello-wprm'))
    await writeFile(path.join(www, 'plugins', 'hello-wprm', 'info.json'), '{}')
    for (let i = 0; i < 8; i++) {
      const query = new URLSearchParams({ site: siteHash(`https://site-${i}.example`, 'hello-wprm'), installed: i < 3 ? '0.9.0' : '1.0.0' })
      expect((await fetch(`${nginx.baseUrl}plugins/hello-wprm/info.json?${query}`)).status).toBe(200)
    }
    const pulled = await wprm(['stats', 'pull', 'hello-wprm'])
    expect(pulled.code, pulled.stderr).toBe(0)
    expect(pulled.stdout).toMatch(new RegExp(`${nginx.accessLogPath}: new: read ${nginx.accessLogPath} \\(\\d+ file operations\\)`))
    const report = JSON.parse((await wprm(['--json', 'stats', 'hello-wprm'])).stdout) as StatsReport
    expect(report.active_sites).toBe(8)
    expect(Object.fromEntries(report.adoption.map((a) => [a.key, a.sites]))).toEqual({ '0.9.0': 3, '1.0.0': 5 })
    expect((await wprm(['stats', 'pull'])).stdout).toContain(`${nginx.accessLogPath}: unchanged (1 file operation)`)

    expect((await wprm(['plugin', 'set', 'hello-wprm', '--server', 'cdn'], keys())).code).toBe(0)
    const cdn = await wprm(['stats', 'pull', 'hello-wprm'])
    expect(cdn.code).toBe(2)
    expect(cdn.stderr).toContain('Server cdn is an S3 bucket behind a CDN: wprm does not read CDN logs yet.')
    const log = await wprm(['server', 'set', 'cdn', '--access-log', '/var/log/nginx/access.log'])
    expect(log.code).toBe(2)
    expect(log.stderr).toContain('does not read CDN logs yet')
  })

  it('never writes the S3 keys: not in the data folder, not in --json output, not in logs or errors', async () => {
    // Runs that touch the keys in every way the CLI has: a test that uses them, one that fails, --debug, --json.
    await wprm(['--json', '--debug', 'server', 'test', 'cdn'], keys())
    await wprm(['--debug', 'server', 'test', 'private'], keys())
    await wprm(['--json', 'server', 'list'], keys())
    await wprm(['--json', 'activity'], keys())
    const files = (await readdir(dataDir(), { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
    expect(files.map((f) => path.basename(f))).toContain('wprm.json')
    const everything = [...printed, ...(await Promise.all(files.map((f) => readFile(f, 'latin1'))))].join('\n')
    expect(everything).toContain(KEY_ENV.secret)
    expect(everything).not.toContain(rgw.secretAccessKey)
    expect(everything).not.toContain(rgw.accessKeyId)
  })
})
