import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StepFault, StepProxy } from '../support/tcp-proxy.js'
import { startStepProxy } from '../support/tcp-proxy.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import type { Trial, World } from './campaign.js'
import { SLUG, checkDatabase, checkLeftovers, checkSites, figures, makeWorld } from './campaign.js'

let server: UpdateServer
let proxy: StepProxy
let world: World
beforeAll(async () => {
  server = await startUpdateServer()
  proxy = await startStepProxy(server.sshd.port)
  world = await makeWorld(server, 'cuts', proxy.port)
})
afterAll(async () => {
  await proxy?.close()
  await server?.stop()
  await world?.cleanup()
})

/** Releases 1.1.0 (build, publish through the proxy, commit), as the trials do. */
const release = () => world.api().changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' })

describe('the connection cut at each step of a publish', () => {
  it('holds at every step: sites see a whole release, the database is valid, the next command succeeds at once', async () => {
    // The trace: how many chunks the client sends on the publish's connection.
    const traces: number[] = []
    for (let i = 0; i < 3; i++) {
      await world.restore()
      const result = await release()
      expect(result.ok).toBe(true)
      traces.push(proxy.chunks.at(-1)!)
    }
    const steps = Math.max(...traces)
    const trials: Trial[] = []
    const started = Date.now()
    // After each step: the server did it, the client never hears back. (Before each step, the server
    // state a cut leaves is the one after the step before; cli-kills.test.ts stops the client there.)
    for (let n = 1; n <= steps; n++) trials.push(await trial(n, 'cut-after'))
    console.log(`traces ${traces.join(', ')}; ${((Date.now() - started) / trials.length).toFixed(0)} ms a trial\n${figures(trials)}`)
    expect(trials.filter((t) => t.broke.length > 0)).toEqual([])
  }, 300_000)
})

async function trial(n: number, fault: StepFault): Promise<Trial> {
  const name = `${fault} ${n}`
  const broke: string[] = []
  await world.restore()
  let fired = false
  proxy.arm(n, fault, () => (fired = true))
  const first = await release().catch((error: unknown) => ({
    ok: false as const,
    error: { kind: 'internal', message: String(error), hint: '' }
  }))
  if (!first.ok && !['publish-interrupted', 'connection-failed'].includes(first.error.kind))
    broke.push(`failed as ${first.error.kind}: ${first.error.message}`)
  if (!fired && !first.ok) broke.push('failed without a fault')
  const seen = await checkSites(world, ['1.0.0', '1.1.0'])
  broke.push(...seen.broke.map((b) => `after the cut, ${b}`))
  broke.push(...(await checkDatabase(world)))
  // The next command: the same again if it failed, a publish if it went through.
  const again = Date.now()
  const next = first.ok ? await world.api().publish({ slug: SLUG }) : await release()
  const nextMs = Date.now() - again
  if (!next.ok) broke.push(`the next command failed: ${next.error.kind}: ${next.error.message}`)
  if (nextMs > 4000) broke.push(`the next command took ${nextMs} ms`)
  const after = await checkSites(world, ['1.1.0'])
  broke.push(...after.broke.map((b) => `after the next command, ${b}`))
  broke.push(...(await checkLeftovers(world)))
  return { name, outcome: first.ok ? 'ok' : first.error.kind, broke }
}
