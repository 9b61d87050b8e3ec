import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddSftpServerInput, ApiError } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import type { CliRun } from './run-cli.js'
import { runCli, serverAddArgs } from './run-cli.js'

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-cli-remote-errors-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

/** A data folder with hello-wprm set to publish to a server profile with the given remote root. */
async function setUp(name: string, remoteRoot: (profile: AddSftpServerInput) => string): Promise<(...args: string[]) => Promise<CliRun>> {
  const dataDir = path.join(temp.dir, name, 'data')
  const wprm = (...args: string[]) => runCli(args, { dataDir })
  const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'))
  const profile = await server.profile(name)
  expect((await wprm('plugin', 'add', source)).code).toBe(0)
  const added = await wprm(
    ...serverAddArgs(name, profile, {
      keyPath: server.sshd.privateKeyPath,
      remoteRoot: remoteRoot(profile),
      acceptHostKey: server.sshd.hostKeyFingerprint
    })
  )
  expect(added.code, added.stderr).toBe(0)
  expect((await wprm('plugin', 'set', 'hello-wprm', '--server', name)).code).toBe(0)
  return wprm
}

/** The one line of a failed run, which must not be a bug report. */
function oneLine(run: CliRun): string {
  const lines = run.stderr.trim().split('\n')
  expect(lines, run.stderr).toHaveLength(1)
  expect(lines[0]).not.toContain('internal error')
  return lines[0]!
}

describe('wprm on SFTP failures other than permission', () => {
  it('reports a remote root under a regular file as remote-not-found, naming the path', async () => {
    let root = ''
    const wprm = await setUp('under-file', (profile) => {
      root = path.join(profile.remoteRoot, 'a-file', 'plugins')
      return root
    })
    await writeFile(path.join(root, '..'), 'a file where a folder should be')
    const run = await wprm('--json', 'version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x', '--status', 'released')
    expect(run.code).toBe(1)
    expect(oneLine(run)).toContain(`Creating ${root} on ${server.sshd.host} failed: no such file or folder there.`)
    const error = (JSON.parse(run.stdout) as { error: ApiError }).error
    expect(error.kind).toBe('remote-not-found')
    expect(error.hint).toContain(`Check that the remote root ${root} exists`)
  })

  it('reports a server-side failure (a folder where the manifest should be) as remote-io, naming the path', async () => {
    let root = ''
    const wprm = await setUp('folder-in-the-way', (profile) => (root = profile.remoteRoot))
    const manifest = path.join(root, 'hello-wprm', 'info.json')
    await mkdir(path.join(manifest, 'inside'), { recursive: true })
    const run = await wprm('--json', 'version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x', '--status', 'released')
    expect(run.code).toBe(1)
    expect(oneLine(run)).toContain(manifest)
    const error = (JSON.parse(run.stdout) as { error: ApiError }).error
    expect(error.kind).toBe('remote-io')
    expect(error.message).toMatch(/\(SFTP status \d+\)\.$/)
  })
})
