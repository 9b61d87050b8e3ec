import { spawn } from 'node:child_process'
import type { SftpServer } from '../../src-shared/model.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Store } from '../../src-main/core/db/store.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'
import { WPRM_BIN } from '../cli/run-cli.js'
import type { StepProxy } from '../support/tcp-proxy.js'
import { startStepProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import type { Trial, World } from './campaign.js'
import { SLUG, checkDatabase, checkLeftovers, checkSites, figures, makeWorld } from './campaign.js'

let server: UpdateServer
let proxy: StepProxy
/** 1.1.0 released here, to publish: the publish's steps, with no build first. */
let publishing: World
/** 1.1.0 a draft, to release: the whole command. */
let releasing: World
beforeAll(async () => {
  server = await startUpdateServer()
  proxy = await startStepProxy(server.sshd.port)
  publishing = await makeWorld(server, 'kills-publish', proxy.port, 'unpublished')
  releasing = await makeWorld(server, 'kills-release', proxy.port)
})
afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  await publishing?.cleanup()
  await releasing?.cleanup()
})

/** `wprm <args>` in a process of its own; `exited` resolves with its exit code (null when killed). */
function spawnWprm(world: World, ...args: string[]): { readonly kill: () => void; readonly exited: Promise<number | null> } {
  const child = spawn(process.execPath, [WPRM_BIN, '--data-dir', world.dataDir, ...args], { stdio: 'ignore' })
  return { kill: () => child.kill('SIGKILL'), exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) }
}

/** What a kill left must not get in the way: sites see a whole release, the database reads, the next command works at once. */
async function afterKill(world: World, name: string, code: number | null): Promise<Trial> {
  const broke: string[] = []
  const seen = await checkSites(world, ['1.0.0', '1.1.0'])
  broke.push(...seen.broke.map((b) => `after the kill, ${b}`))
  broke.push(...(await checkDatabase(world)))
  // The next command, from another process: the same release, or a publish if the killed one had finished.
  const api = world.api()
  const version = await api.getVersion({ slug: SLUG, version: '1.1.0' })
  const released = version.ok && version.value.status === 'released'
  const again = Date.now()
  const next = released
    ? await api.publish({ slug: SLUG })
    : await api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' })
  const nextMs = Date.now() - again
  if (!next.ok) broke.push(`the next command failed: ${next.error.kind}: ${next.error.message}`)
  if (nextMs > 4000) broke.push(`the next command took ${nextMs} ms`)
  const after = await checkSites(world, ['1.1.0'])
  broke.push(...after.broke.map((b) => `after the next command, ${b}`))
  broke.push(...(await checkLeftovers(world)))
  return { name, outcome: code === null ? 'killed' : code === 0 ? 'ok' : `exit ${code}`, broke }
}

describe('wprm killed (SIGKILL) in the middle of a release', () => {
  it('holds at every step of its publish: killed while waiting for each request to reach the server', async () => {
    const world = publishing
    await world.restore()
    const before = proxy.chunks.length
    expect(await spawnWprm(world, 'publish', SLUG).exited).toBe(0)
    expect(proxy.chunks.length).toBe(before + 1)
    const steps = proxy.chunks.at(-1)!
    // The SSH handshake and login come first: killed there, nothing has happened on the server yet, as when
    // killed during the build (the moments below). The trials start at the first SFTP request.
    const session = await SftpSession.open((await new Store(world.dataDir).read()).servers[0] as SftpServer, { secret: async () => null })
    const login = proxy.chunks.at(-1)!
    await session.close()
    const trials: Trial[] = []
    const started = Date.now()
    for (let n = login + 1; n <= steps; n++) {
      await world.restore()
      const run = spawnWprm(world, 'publish', SLUG)
      // The held connection goes with the process: the kernel closes its socket.
      proxy.arm(n, 'hold', run.kill)
      trials.push(await afterKill(world, `killed before step ${n}`, await run.exited))
    }
    console.log(
      `trace ${steps} steps, ${login} of them the login; ${((Date.now() - started) / trials.length).toFixed(0)} ms a trial\n${figures(trials)}`
    )
    expect(trials.filter((t) => t.broke.length > 0)).toEqual([])
  }, 300_000)

  it('holds when killed at any moment of the whole command: start, build, publish, commit', async () => {
    const world = releasing
    await world.restore()
    const started = performance.now()
    expect(await spawnWprm(world, 'release', SLUG, '1.1.0').exited).toBe(0)
    const whole = performance.now() - started
    const trials: Trial[] = []
    const moments = 16
    for (let k = 1; k <= moments; k++) {
      await world.restore()
      const run = spawnWprm(world, 'release', SLUG, '1.1.0')
      const at = Math.round((whole * k) / (moments + 1))
      const timer = setTimeout(run.kill, at)
      const code = await run.exited
      clearTimeout(timer)
      trials.push(await afterKill(world, `killed after ${at} ms`, code))
    }
    console.log(`a whole release takes ${whole.toFixed(0)} ms\n${figures(trials)}`)
    expect(trials.filter((t) => t.broke.length > 0)).toEqual([])
  }, 300_000)
})
