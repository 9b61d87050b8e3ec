/**
 * The README's way to run `wprm` from any folder: `npm install -g .` (or `npm link`) in the checkout, which puts a
 * `wprm` on PATH linked to the checkout. Both run here for real, into a temporary global prefix instead of /usr.
 *
 * Offline and quick (about half a second each): a folder installed globally is a symlink to the folder, so npm
 * fetches nothing and leaves the checkout's node_modules alone. --ignore-scripts skips the `prepare` build, which
 * `npm install` (and `npm test`) already ran; running it again would rewrite out/cli under the other CLI tests.
 */
import { mkdir, realpath } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import type { CliRun } from './run-cli.js'
import { runProcess } from './run-cli.js'

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url))
const PACKAGE_NAME = 'wp-release-manager'
/** What keeps npm off the network and quiet; none of it changes what gets installed. */
const NPM_FLAGS = ['--offline', '--no-audit', '--no-fund', '--no-update-notifier', '--ignore-scripts']

type Run = CliRun & { readonly ms: number }

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir('wprm-global-')
})
afterEach(async () => temp.cleanup())

/**
 * The environment of a user whose global prefix is `prefix`, with `prefix`/bin first on PATH.
 * Every npm_* variable is dropped: under `npm test` npm exports its own (npm_config_prefix=/usr among them),
 * and a global install must never land there.
 */
function userEnv(prefix: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
  return { ...env, npm_config_prefix: prefix, PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` }
}

async function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now()
  const result = await runProcess(command, args, { cwd, env })
  return { ...result, ms: Date.now() - started }
}

/** Runs the install command in the checkout, then `wprm` by name from an unrelated folder. */
async function installAndRun(npmArgs: readonly string[]): Promise<void> {
  const prefix = path.join(temp.dir, 'prefix')
  const env = userEnv(prefix)
  const install = await run('npm', [...npmArgs, ...NPM_FLAGS], CHECKOUT, env)
  expect(install.code, install.stderr).toBe(0)
  // A link to the checkout, not a copy: `git pull` and `npm run build:cli` there are what the global wprm runs.
  expect(await realpath(path.join(prefix, 'lib', 'node_modules', PACKAGE_NAME))).toBe(await realpath(CHECKOUT))

  const elsewhere = path.join(temp.dir, 'elsewhere')
  await mkdir(elsewhere)
  const help = await run('wprm', ['--help'], elsewhere, env)
  expect(help.code, help.stderr).toBe(0)
  expect(help.stdout).toMatch(/^wprm: WP Release Manager on the command line/)
  // A command that opens the database: the CLI's dependencies resolve from the checkout's node_modules.
  const list = await run('wprm', ['--data-dir', path.join(temp.dir, 'data'), 'plugin', 'list'], elsewhere, env)
  expect(list.code, list.stderr).toBe(0)
  expect(list.stdout).toContain('No plugins yet')
  console.log(`${npmArgs.join(' ')}: ${install.ms} ms; wprm --help from another folder: ${help.ms} ms`)
}

describe('wprm from any folder', () => {
  it('`npm install -g .` in the checkout puts a working wprm on PATH', async () => {
    await installAndRun(['install', '-g', '.'])
  })

  it('`npm link` in the checkout does the same', async () => {
    await installAndRun(['link'])
  })
})
