import { spawn } from 'node:child_process'
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { pluginSource, sharedServer } from '../support/workstations.js'
import { WPRM_BIN } from './run-cli.js'

// The release step of docs/ci/github-actions-release.yml, run line for line as a shell script against a
// local sshd + nginx, with a fresh data folder each time and the key's contents in an environment
// variable, as a CI runner has them.

const WORKFLOW = fileURLToPath(new URL('../../docs/ci/github-actions-release.yml', import.meta.url))

/** The `run: |` block that follows the marker line, dedented: exactly what the workflow runs. */
async function releaseSteps(): Promise<string> {
  const lines = (await readFile(WORKFLOW, 'utf8')).split('\n')
  const start = lines.findIndex((line) => line.includes('# --- the release steps'))
  const indent = lines[start]!.length - lines[start]!.trimStart().length
  const block: string[] = []
  for (const line of lines.slice(start)) {
    if (line.trim() !== '' && line.length - line.trimStart().length < indent) break
    block.push(line.slice(indent))
  }
  return `${block.join('\n').trimEnd()}\n`
}

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }

beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-ci-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

/** Runs the script with `sh`, `wprm` on the PATH, and the given environment. */
function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn('sh', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** Every file under `dir`, as text. */
async function allText(dir: string): Promise<string> {
  let text = ''
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await readFile(path.join(entry.parentPath, entry.name), 'latin1')
  }
  return text
}

describe('the GitHub Actions release step', () => {
  it('releases on a tag from a fresh data folder with the key in a variable; the same tag again is "already released", exit 0', async () => {
    const bin = path.join(temp.dir, 'bin')
    await mkdir(bin, { recursive: true })
    await writeFile(path.join(bin, 'wprm'), `#!/bin/sh\nexec "${process.execPath}" "${WPRM_BIN}" "$@"\n`)
    await chmod(path.join(bin, 'wprm'), 0o755)
    const plugin = await pluginSource(path.join(temp.dir, 'repo'), 'ci-plugin', '2.3.0')
    await mkdir(path.join(plugin, 'changelog'))
    await writeFile(path.join(plugin, 'changelog', '2.3.0.txt'), 'Released by CI\n')
    const profile = await server.profile('ci')
    const key = await readFile(server.sshd.privateKeyPath, 'utf8')
    const env = (runner: string): NodeJS.ProcessEnv => ({
      PATH: `${bin}:${process.env.PATH}`,
      HOME: temp.dir,
      RUNNER_TEMP: path.join(temp.dir, runner),
      WPRM_SSH_KEY: key,
      WPRM_HOST_KEY: server.sshd.hostKeyFingerprint,
      WPRM_HOST: profile.host,
      WPRM_PORT: String(profile.port),
      WPRM_USER: profile.user,
      WPRM_REMOTE_ROOT: profile.remoteRoot,
      WPRM_PUBLIC_URL: profile.publicUrl,
      PLUGIN_SLUG: 'ci-plugin',
      PLUGIN_DIR: plugin,
      TAG: 'v2.3.0'
    })
    const script = await releaseSteps()
    expect(script).toContain('wprm version add')

    const first = await runScript(script, env('run-1'))
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('ci-plugin 2.3.0 is now released')
    expect(first.stdout).toMatch(/11 passed, 0 failed/)
    const shared = sharedServer(server, 'ci', 'ci-plugin')
    expect(await shared.manifest()).toMatchObject({ version: '2.3.0', manifest_version: 1 })
    expect((await shared.ledger())!.versions[0]).toMatchObject({ version: '2.3.0', changelog: 'Released by CI' })
    // The key was only ever in memory: no file of the data folder holds any of it.
    const keyLine = key.split('\n')[1]!
    expect(keyLine.length).toBeGreaterThan(20)
    expect(await allText(path.join(temp.dir, 'run-1'))).not.toContain(keyLine)

    // The job retried: a fresh runner again, the same tag.
    const again = await runScript(script, env('run-2'))
    expect(again.stderr).toBe('')
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('ci-plugin 2.3.0 is already released; nothing to do.')
    expect(again.stdout).toMatch(/11 passed, 0 failed/)
    expect(await shared.manifest()).toMatchObject({ version: '2.3.0', manifest_version: 1 })
  })
})
