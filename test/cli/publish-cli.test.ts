import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RollbackResult, VerifyReport } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { runCli, serverAddArgs } from './run-cli.js'

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-cli-publish-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

describe('wprm publishing commands on real servers', () => {
  it('adds a server, releases, verifies, rolls back and force-updates from the command line', async () => {
    const dataDir = path.join(temp.dir, 'data')
    const wprm = (...args: string[]) => runCli(args, { dataDir })
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    const profile = await server.profile('cli')
    expect((await wprm('plugin', 'add', source)).code).toBe(0)

    const noKey = await wprm(...serverAddArgs('prod', profile, { keyPath: server.sshd.privateKeyPath }))
    expect(noKey.code).toBe(1)
    expect(noKey.stderr).toContain(`--accept-host-key ${server.sshd.hostKeyFingerprint}`)
    const added = await wprm(
      ...serverAddArgs('prod', profile, { keyPath: server.sshd.privateKeyPath, acceptHostKey: server.sshd.hostKeyFingerprint })
    )
    expect(added.code, added.stderr).toBe(0)
    const tested = await wprm('server', 'test', 'prod')
    expect(tested.code, tested.stdout).toBe(0)
    expect(tested.stdout).toMatch(/✓ 3\. Serve .*\n .*HTTP 200 with the probe's content/)
    expect(
      (await wprm('plugin', 'set', 'hello-wprm', '--server', 'prod', '--expect', 'api.example.com', '--forbid', 'staging.example.com')).code
    ).toBe(0)

    const release = await wprm('version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'First', '--status', 'released')
    expect(release.code, release.stderr).toBe(0)
    expect(release.stdout).toContain('Published hello-wprm to prod: manifest #1, 1.0.0 is live.')
    expect((await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'Second', '--status', 'update_ready')).code).toBe(0)

    const verify = await wprm('--json', 'verify', 'hello-wprm')
    expect(verify.code, verify.stdout).toBe(0)
    const report = JSON.parse(verify.stdout) as VerifyReport
    expect(report.version).toBe('1.1.0')
    expect(report.checks).toHaveLength(11)
    for (const check of report.checks) expect(Object.keys(check).sort()).toEqual(['detail', 'id', 'ms', 'ok', 'title'])

    const zip = path.join(profile.remoteRoot, 'hello-wprm', 'hello-wprm-v1.1.0.zip')
    const original = await readFile(zip)
    const tampered = Buffer.from(original)
    tampered[100] = tampered[100]! ^ 0x01
    await writeFile(zip, tampered)
    const bad = await wprm('verify', 'hello-wprm')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/✗ 3\. The download URL answers 200/)
    expect(bad.stdout).toContain('10 passed, 1 failed')
    await writeFile(zip, original)

    const rolled = await wprm('--json', 'rollback', 'hello-wprm', '--to', '1.0.0')
    expect(rolled.code, rolled.stderr).toBe(0)
    const result = JSON.parse(rolled.stdout) as RollbackResult
    expect(result).toMatchObject({ live: '1.0.0', revoked: ['1.1.0'] })
    expect(result.verify?.ok).toBe(true)

    const emergency = await wprm(
      'version',
      'add',
      'hello-wprm',
      '1.1.1',
      '--changelog',
      'SECURITY: escape output',
      '--status',
      'update_ready',
      '--force-update'
    )
    expect(emergency.code, emergency.stderr).toBe(0)
    const manifest = (await (await fetch(`${profile.publicUrl}hello-wprm/info.json`)).json()) as Record<string, unknown>
    expect(manifest).toMatchObject({ version: '1.1.1', autoupdate: true, force_update: true, revoked: ['1.1.0'] })

    const removeUsed = await wprm('server', 'remove', 'prod')
    expect(removeUsed.code).toBe(2)
    expect(removeUsed.stderr).toContain('used by hello-wprm')
  })
})
