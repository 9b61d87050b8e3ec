/**
 * The updater's offer choice (WPRM_Updater_Offer_1_0::choose in resources/wordpress/wprm-updater.php), run by
 * php-cli with no site: channels, rollout shares over 10,000 site ids, nested cohorts, schedules in time, halts,
 * forced releases and stepping stones. The manifests go through the updater's own parser first.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import type { StagedRollout } from '../../src-shared/model.js'
import { inRolloutShare, offeredPercent, siteBucket } from '../../src-shared/rollout.js'
import { siteHash } from '../support/access-log.js'
import { requireInstalledFile, requireTool } from '../support/require-tool.js'

const UPDATER = fileURLToPath(new URL('../../resources/wordpress/wprm-updater.php', import.meta.url))
const DRIVER = fileURLToPath(new URL('./support/offer-choice.php', import.meta.url))
const SLUG = 'hello'
const SITES = 10_000
const T0 = Date.parse('2026-12-01T12:00:00.000Z') / 1000
const HOUR = 3600

let php: string
let wordpress: string
beforeAll(() => {
  php = requireTool('php', 'php-cli')
  wordpress = requireInstalledFile('/usr/share/wordpress/wp-includes/http.php', "WordPress's tree", 'wordpress').replace(
    /wp-includes\/http\.php$/,
    ''
  )
})

interface Entry {
  readonly version: string
  readonly status?: string
  readonly force_update?: boolean
  readonly revoked?: boolean
  readonly required?: boolean
  readonly rollout?: StagedRollout | null
  readonly requires_php?: string
}

/** A manifest as wprm writes it: `stable` in the top fields, every entry in versions[]. */
function manifest(stable: string, entries: readonly Entry[], revoked: readonly string[] = []): Record<string, unknown> {
  const url = (v: string): string => `https://updates.example.com/plugins/${SLUG}/${SLUG}-v${v}.zip`
  return {
    name: 'Hello',
    slug: SLUG,
    version: stable,
    download_url: url(stable),
    format: 'wprm-manifest/1',
    sha256: 'a'.repeat(64),
    size: 1000,
    requires: null,
    requires_php: null,
    versions: entries.map((e) => ({
      version: e.version,
      status: e.status ?? 'released',
      sha256: 'b'.repeat(64),
      size: 1000,
      download_url: url(e.version),
      force_update: e.force_update ?? false,
      revoked: e.revoked ?? false,
      requires: null,
      requires_php: e.requires_php ?? null,
      channel: e.version.includes('-') ? 'beta' : 'stable',
      required: e.required ?? false,
      rollout: e.rollout ?? null
    })),
    revoked
  }
}

interface Query {
  readonly manifest: Record<string, unknown>
  readonly installed: string
  readonly channel?: 'stable' | 'beta'
  readonly now?: number
  readonly php?: string
}

function run<T>(queries: readonly ((Query & ({ bucket: number } | { sites: number })) | { buckets: readonly string[] })[]): Promise<T[]> {
  const input = JSON.stringify({
    slug: SLUG,
    queries: queries.map((q) => ({ channel: 'stable', now: T0, wp: '6.1.9', php: '8.2.0', ...q }))
  })
  return new Promise((resolve, reject) => {
    const child = execFile(php, [DRIVER, wordpress, UPDATER], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`))
      else resolve(JSON.parse(stdout) as T[])
    })
    child.stdin!.end(input)
  })
}

/** The version offered to one site (by its bucket). */
async function chosen(query: Query, bucket = 0): Promise<string | null> {
  return (await run<string | null>([{ ...query, bucket }]))[0]!
}

const at = (seconds: number): string => new Date(seconds * 1000).toISOString()
const percent = (p: number, since = T0 - HOUR): StagedRollout => ({
  steps: [{ percent: p, at: at(since) }],
  halted_at: null,
  forced: false
})

describe('channels', () => {
  const m = manifest('1.3.0', [{ version: '1.4.0-beta.1' }, { version: '1.3.0' }, { version: '1.2.0', status: 'deprecated' }])

  it('offers a pre-release to a beta site and never to a stable one', async () => {
    expect(await chosen({ manifest: m, installed: '1.2.0', channel: 'beta' })).toBe('1.4.0-beta.1')
    expect(await chosen({ manifest: m, installed: '1.2.0', channel: 'stable' })).toBe('1.3.0')
  })

  it('back on stable from a higher beta: nothing higher until stable passes it, the stable version once the beta is withdrawn', async () => {
    // The caller offers only a higher version (or any, after a withdrawal): 1.3.0 is lower than the beta.
    expect(await chosen({ manifest: m, installed: '1.4.0-beta.1', channel: 'stable' })).toBe('1.3.0')
    const passed = manifest('1.4.0', [{ version: '1.4.0' }, { version: '1.4.0-beta.1' }])
    expect(await chosen({ manifest: passed, installed: '1.4.0-beta.1', channel: 'stable' })).toBe('1.4.0')
    const withdrawn = manifest(
      '1.3.0',
      [{ version: '1.4.0-beta.1', status: 'deprecated', revoked: true }, { version: '1.3.0' }],
      ['1.4.0-beta.1']
    )
    expect(await chosen({ manifest: withdrawn, installed: '1.4.0-beta.1', channel: 'beta' })).toBe('1.3.0')
  })

  it('orders pre-releases below their release, as semver does', async () => {
    const m2 = manifest('1.3.0', [{ version: '1.4.0' }, { version: '1.4.0-rc.2' }, { version: '1.4.0-rc.10' }, { version: '1.3.0' }])
    expect(await chosen({ manifest: m2, installed: '1.3.0', channel: 'beta' })).toBe('1.4.0')
    const m3 = manifest('1.3.0', [{ version: '1.4.0-rc.2' }, { version: '1.4.0-rc.10' }, { version: '1.4.0-beta.3' }, { version: '1.3.0' }])
    expect(await chosen({ manifest: m3, installed: '1.3.0', channel: 'beta' })).toBe('1.4.0-rc.10')
  })
})

describe('rollouts over 10,000 site ids', () => {
  const rolling = (p: number): Record<string, unknown> =>
    manifest('1.3.0', [{ version: '1.4.0', rollout: percent(p) }, { version: '1.3.0' }])

  it('offers each percentage to that share of sites (±2 points), and the previous stable to the rest', async () => {
    const percents = [1, 5, 10, 25, 50, 90, 100]
    const answers = await run<{ counts: Record<string, number> }>(
      percents.map((p) => ({ manifest: rolling(p), installed: '1.2.0', sites: SITES }))
    )
    answers.forEach(({ counts }, i) => {
      const share = ((counts['1.4.0'] ?? 0) / SITES) * 100
      expect(Math.abs(share - percents[i]!), `at ${percents[i]} %: ${share}`).toBeLessThanOrEqual(2)
      // Outside the rollout means the previous stable version, never nothing.
      expect((counts['1.3.0'] ?? 0) + (counts['1.4.0'] ?? 0)).toBe(SITES)
    })
  })

  it('nests the cohorts: every site in at 10 % is in at 50 %, and at 50 % in at 90 %', async () => {
    const answers = await run<{ offered: string }>([10, 50, 90].map((p) => ({ manifest: rolling(p), installed: '1.3.0', sites: SITES })))
    const [ten, fifty, ninety] = answers.map((a) => a.offered)
    for (let i = 0; i < SITES; i++) {
      if (ten![i] === '1') expect(fifty![i], `site ${i}`).toBe('1')
      if (fifty![i] === '1') expect(ninety![i], `site ${i}`).toBe('1')
    }
    expect(ten!.split('1').length - 1).toBeLessThan(fifty!.split('1').length - 1)
  })

  it("wprm's cohort rule (siteBucket, inRolloutShare) puts in the very sites the updater offers it to, bucket for bucket", async () => {
    const ids = Array.from({ length: SITES }, (_, i) => siteHash(`https://site-${i}.example`, SLUG))
    // Edge ids too: the smallest and largest 8 digits, the first bucket past 10 %, upper case, non-hex and short text.
    const edges = [
      '0'.repeat(64),
      'f'.repeat(64),
      '000003e8' + '0'.repeat(56),
      'ABCDEF12' + '0'.repeat(56),
      'zz0000ff99',
      '1234567 ab',
      ' 1234567',
      '12',
      ''
    ]
    const percents = [1, 10, 37, 99]
    const [buckets, ...answers] = await run<unknown>([
      { buckets: [...ids, ...edges] },
      ...percents.map((p) => ({ manifest: rolling(p), installed: '1.3.0', sites: SITES }))
    ])
    expect([...ids, ...edges].map(siteBucket)).toEqual(buckets)
    answers.forEach((answer, i) => {
      const ours = ids.map((id) => (inRolloutShare(siteBucket(id), percents[i]!) ? '1' : '0')).join('')
      expect(ours === (answer as { offered: string }).offered, `at ${percents[i]} %`).toBe(true)
    })
  })

  it('follows a schedule in time: the percentage of the last step reached, as wprm computes it', async () => {
    const schedule: StagedRollout = {
      steps: [
        { percent: 5, at: at(T0) },
        { percent: 25, at: at(T0 + 24 * HOUR) },
        { percent: 100, at: at(T0 + 72 * HOUR) }
      ],
      halted_at: null,
      forced: false
    }
    const m = manifest('1.3.0', [{ version: '1.4.0', rollout: schedule }, { version: '1.3.0' }])
    const moments = [T0 - 1, T0, T0 + 23 * HOUR, T0 + 24 * HOUR, T0 + 71 * HOUR, T0 + 72 * HOUR, T0 + 400 * HOUR]
    const answers = await run<{ counts: Record<string, number> }>(
      moments.map((now) => ({ manifest: m, installed: '1.3.0', now, sites: SITES }))
    )
    const shares = answers.map((a) => ((a.counts['1.4.0'] ?? 0) / SITES) * 100)
    const expected = moments.map((now) => offeredPercent({ force_update: false, rollout: schedule }, new Date(now * 1000)))
    expect(expected).toEqual([0, 5, 5, 25, 25, 100, 100])
    shares.forEach((share, i) => expect(Math.abs(share - expected[i]!), `at +${(moments[i]! - T0) / HOUR} h`).toBeLessThanOrEqual(2))
  })

  it('a halt offers it to no new site; sites that have it keep it (nothing higher, nothing to replace it)', async () => {
    const halted = manifest('1.3.0', [{ version: '1.4.0', rollout: { ...percent(50), halted_at: at(T0 - 60) } }, { version: '1.3.0' }])
    const [answer] = await run<{ counts: Record<string, number> }>([{ manifest: halted, installed: '1.3.0', sites: SITES }])
    expect(answer!.counts).toEqual({ '1.3.0': SITES })
    expect(await chosen({ manifest: halted, installed: '1.4.0' })).toBe('1.3.0') // lower: the caller offers nothing
  })

  it('a forced release skips its rollout unless the rollout says forced', async () => {
    const forced = (f: boolean): Record<string, unknown> =>
      manifest('1.3.0', [{ version: '1.4.0', force_update: true, rollout: { ...percent(10), forced: f } }, { version: '1.3.0' }])
    const answers = await run<{ counts: Record<string, number> }>([
      { manifest: forced(false), installed: '1.3.0', sites: SITES },
      { manifest: forced(true), installed: '1.3.0', sites: SITES }
    ])
    expect(answers[0]!.counts).toEqual({ '1.4.0': SITES })
    expect(Math.abs(((answers[1]!.counts['1.4.0'] ?? 0) / SITES) * 100 - 10)).toBeLessThanOrEqual(2)
  })
})

describe('stepping stones', () => {
  const m = manifest('2.0.0', [
    { version: '2.0.0' },
    { version: '1.5.0', required: true },
    { version: '1.2.0', required: true },
    { version: '1.1.0' }
  ])

  it('offers the lowest required version above the installed one first, then the next, then the newest', async () => {
    expect(await chosen({ manifest: m, installed: '1.0.0' })).toBe('1.2.0')
    expect(await chosen({ manifest: m, installed: '1.2.0' })).toBe('1.5.0')
    expect(await chosen({ manifest: m, installed: '1.5.0' })).toBe('2.0.0')
  })

  it('skips a stepping stone the site is not yet offered (outside its rollout) or cannot run', async () => {
    const out = manifest('2.0.0', [{ version: '2.0.0' }, { version: '1.5.0', required: true, rollout: percent(1) }])
    expect(await chosen({ manifest: out, installed: '1.0.0' }, 9_999)).toBe('2.0.0')
    const php99 = manifest('2.0.0', [{ version: '2.0.0' }, { version: '1.5.0', required: true, requires_php: '99.0' }])
    expect(await chosen({ manifest: php99, installed: '1.0.0' })).toBe('2.0.0')
  })
})
