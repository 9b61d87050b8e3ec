import { expect } from 'vitest'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { rollbackCandidates } from '../../src-shared/rollback-plan.js'
import type { PluginVersionRecord, WprmApi } from '../../src-preload/api.js'
import { value } from './workstations.js'

/** Where the workstations publish: what sites read, and every file with its bytes' digest. */
export interface TeamTarget {
  manifest(): Promise<Manifest | null>
  snapshot(): Promise<Record<string, string>>
}

/** A workstation of the sequence: its API and the plugin's versions there. */
export interface TeamStation {
  readonly api: WprmApi
  versions(): Promise<readonly PluginVersionRecord[]>
}

/**
 * Twelve steps by three workstations in a fixed pseudo-random order (the same on every run for a `seed`), each
 * doing the next of release, release, rollback, publish, release, pull. A refusal (stale, or nothing live here yet)
 * changes not a byte of the target, and the workstation then catches up; a publish raises manifest_version by one;
 * what sites see only grows: every version listed before is listed still, every revocation stays.
 */
export async function expectSitesNeverLoseAVersion(stations: readonly TeamStation[], slug: string, target: TeamTarget, seed: number) {
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
  let seen = (await target.manifest())!
  let published = 0
  let refused = 0
  let minor = 0
  for (let step = 0; step < 12; step++) {
    const station = stations[random(stations.length)]!
    const action = ['release', 'release', 'rollback', 'publish', 'release', 'pull'][step % 6]!
    const before = await target.snapshot()
    let result: { ok: boolean; error?: { kind: string } }
    if (action === 'release') {
      const version = `1.${++minor}.0`
      result = await station.api.addVersion({ slug, version, changelog: `From step ${step}`, status: 'released' })
    } else if (action === 'rollback') {
      const candidates = rollbackCandidates(await station.versions())
      if (candidates.length === 0) continue
      result = await station.api.rollback({ slug, to: candidates[random(candidates.length)]!.version })
    } else if (action === 'publish') {
      result = await station.api.publish({ slug })
    } else {
      result = await station.api.pull({ slugs: [slug] })
    }
    const now = (await target.manifest())!
    if (!result.ok) {
      expect(['server-ahead', 'last-live-version'], `step ${step} ${action}`).toContain(result.error?.kind)
      expect(await target.snapshot(), `step ${step}`).toEqual(before)
      value(await station.api.pull({ slugs: [slug] }))
      if (result.error?.kind === 'server-ahead') refused++
    } else if (action !== 'pull') {
      expect(now.manifest_version, `step ${step}`).toBe(seen.manifest_version + 1)
      published++
    }
    expect(
      now.versions.map((v) => v.version),
      `step ${step}`
    ).toEqual(expect.arrayContaining(seen.versions.map((v) => v.version)))
    expect(now.revoked, `step ${step}`).toEqual(expect.arrayContaining([...seen.revoked]))
    seen = now
  }
  expect(published).toBeGreaterThan(3)
  expect(refused).toBeGreaterThan(0)
  expect(seen.revoked.length).toBeGreaterThan(0)
}
