import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import { S3_KEY_ENV, s3KeyEnv, s3Profile, storeProfile } from '../support/s3-profile.js'
import type { CliRun } from './run-cli.js'
import { runCli } from './run-cli.js'

// An `s3` profile's key pair lives in environment variables the profile names: the CLI's commands, with --json
// and --debug, succeeding and failing, never write the secret to the data folder (database, backups, journals,
// locks) or print it. Needs the built CLI (`npm run build:cli`).

let rgw: ObjectStoreServer
let temp: { dir: string; cleanup: () => Promise<void> }

beforeAll(async () => {
  temp = await makeTempDir('wprm-s3-secrets-')
  rgw = await startObjectStore({ bucket: 'secrets' })
  await rgw.allowPublicRead()
}, 120_000)
afterAll(async () => {
  await rgw?.stop()
  await temp?.cleanup()
})

/** Every file under `dir` (recursively) with its bytes. */
async function filesUnder(dir: string): Promise<{ file: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const file = path.join(e.parentPath, e.name)
        return { file, bytes: await readFile(file) }
      })
  )
}

describe('an s3 profile from the command line', () => {
  it('keeps the secret key out of the data folder and of every output, --json and --debug, on success and failure', async () => {
    const dataDir = path.join(temp.dir, 'data')
    const env = s3KeyEnv(rgw)
    const runs: { args: readonly string[]; run: CliRun }[] = []
    const wprm = async (args: readonly string[], over: NodeJS.ProcessEnv = {}): Promise<CliRun> => {
      const run = await runCli(args, { dataDir, env: { ...env, ...over } })
      runs.push({ args, run })
      return run
    }
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    expect((await wprm(['--json', 'plugin', 'add', source])).code).toBe(0)
    await storeProfile(dataDir, s3Profile(rgw, 'bucket'))

    const ok = async (args: readonly string[]): Promise<unknown> => {
      const run = await wprm(args)
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0)
      return JSON.parse(run.stdout)
    }
    await ok(['--json', 'server', 'list'])
    await ok(['--json', 'plugin', 'set', 'hello-wprm', '--server', 'bucket'])
    await ok(['--json', '--debug', 'version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'One', '--status', 'released'])
    await ok(['--json', 'verify', 'hello-wprm'])
    await ok(['--json', 'publish', 'hello-wprm'])
    await ok(['--json', 'pull'])
    await ok(['--json', 'plugin', 'show', 'hello-wprm'])
    await ok(['--json', 'activity'])
    // Refused for an s3 profile until `server test` takes the S3 connection test; its output is checked all the same.
    await wprm(['--json', '--debug', 'server', 'test', 'bucket'])

    // Failures: a wrong secret (the store refuses it) and none at all; each says which variable to fix.
    const wrong = await wprm(['--json', '--debug', 'publish', 'hello-wprm'], {
      [S3_KEY_ENV.secret]: `${rgw.secretAccessKey.slice(0, -4)}beef`
    })
    expect(wrong.code).not.toBe(0)
    expect(JSON.parse(wrong.stdout || wrong.stderr)).toMatchObject({ ok: false, error: { kind: 'auth-failed' } })
    const none = await wprm(['--json', 'publish', 'hello-wprm'], { [S3_KEY_ENV.secret]: '' })
    expect(none.code).not.toBe(0)
    expect(none.stdout + none.stderr).toContain(S3_KEY_ENV.secret)

    for (const { args, run } of runs) {
      expect(run.stdout + run.stderr, args.join(' ')).not.toContain(rgw.secretAccessKey)
      expect(run.stdout + run.stderr, args.join(' ')).not.toContain(rgw.secretAccessKey.slice(0, -4))
    }
    const files = await filesUnder(dataDir)
    expect(files.map((f) => path.relative(dataDir, f.file))).toContain('wprm.json')
    for (const { file, bytes } of files) expect(bytes.includes(rgw.secretAccessKey), file).toBe(false)
    // The database names the variables, not their values.
    const db = (await readFile(path.join(dataDir, 'wprm.json'), 'utf8')).toString()
    expect(db).toContain(S3_KEY_ENV.secret)
    expect(db).not.toContain(rgw.accessKeyId)
  }, 120_000)
})
