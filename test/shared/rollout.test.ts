import { describe, expect, it } from 'vitest'
import { WprmError } from '../../src-shared/errors.js'
import type { StagedRollout } from '../../src-shared/model.js'
import { planRollback } from '../../src-shared/rollback-plan.js'
import {
  nextPercent,
  offeredPercent,
  parsePercent,
  parseSchedule,
  planRolloutChange,
  rolloutFromRelease,
  rollingVersion,
  stableOffer
} from '../../src-shared/rollout.js'
import { planStatusChange } from '../../src-shared/status-plan.js'
import type { PluginVersionRecord } from '../../src-shared/model.js'
import { pruneCandidates } from '../../src-main/core/ops/retention.js'

const NOW = new Date('2026-12-01T12:00:00.000Z')

/** A version record; built unless it is a draft. */
function version(v: string, status: PluginVersionRecord['status'], overrides: Partial<PluginVersionRecord> = {}): PluginVersionRecord {
  const built = status !== 'draft'
  return {
    plugin: 'hello',
    version: v,
    status,
    changelog: `Changes in ${v}`,
    version_code: 0,
    min_api_version: null,
    min_platform_version: null,
    min_php_version: null,
    force_update: false,
    file_path: built ? `/dist/hello-v${v}.zip` : null,
    file_size: built ? 1000 : null,
    checksum: built ? 'a'.repeat(64) : null,
    checksum_md5: built ? 'b'.repeat(32) : null,
    released_at: built ? NOW.toISOString() : null,
    revoked_at: null,
    allowed_files: [],
    created_at: NOW.toISOString(),
    updated_at: NOW.toISOString(),
    ...overrides
  }
}
const HOUR = 3_600_000
const at = (hours: number): string => new Date(NOW.getTime() + hours * HOUR).toISOString()

function refusal(action: () => unknown): WprmError {
  try {
    action()
  } catch (error) {
    if (error instanceof WprmError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('percentages', () => {
  it('are whole numbers from 1 to 100, with or without %', () => {
    expect(parsePercent('10')).toBe(10)
    expect(parsePercent(' 25% ')).toBe(25)
    expect(parsePercent('100')).toBe(100)
  })

  it.each([
    ['0.1', /not a whole percent/, /that is 10 %: write 10/],
    ['.5', /not a whole percent/, /that is 50 %/],
    ['12.5', /not a whole percent/, /Give a whole percent/],
    ['0', /cannot be at 0 %/, /not a kill switch.*--halt.*rollback/],
    ['101', /more than 100 %/, /1 to 100/],
    ['half', /not a percentage/, /--percent 10/]
  ])('refuse %j, saying what it would mean and what to do', (input, message, hint) => {
    const error = refusal(() => parsePercent(input))
    expect(error.kind).toBe('usage')
    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(hint)
  })

  it('advance up the ladder', () => {
    expect([0, 1, 5, 10, 25, 30, 50, 99].map(nextPercent)).toEqual([1, 5, 10, 25, 50, 50, 100, 100])
  })
})

describe('schedules', () => {
  it('become steps at absolute times from now', () => {
    expect(parseSchedule('5%@0h,25%@24h,100%@3d', NOW)).toEqual([
      { percent: 5, at: at(0) },
      { percent: 25, at: at(24) },
      { percent: 100, at: at(72) }
    ])
    expect(parseSchedule('10%@30m', NOW)).toEqual([{ percent: 10, at: at(0.5) }])
  })

  it('refuse steps that do not rise, or have no time', () => {
    expect(refusal(() => parseSchedule('25%@0h,5%@24h', NOW)).message).toMatch(/does not come after 25 %/)
    expect(refusal(() => parseSchedule('5%@24h,25%@24h', NOW)).message).toMatch(/does not come after/)
    expect(refusal(() => parseSchedule('5%,25%', NOW)).message).toMatch(/not a step of a schedule/)
  })

  it('give the percentage of the last step reached; 0 while halted; 100 for a forced release unless it says forced', () => {
    const rollout: StagedRollout = { steps: parseSchedule('5%@1h,25%@24h,100%@72h', NOW), halted_at: null, forced: false }
    const percentAt = (hours: number, r = rollout, force = false): number =>
      offeredPercent({ force_update: force, rollout: r }, new Date(NOW.getTime() + hours * HOUR))
    expect([0, 1, 23, 24, 71, 72, 1000].map((h) => percentAt(h))).toEqual([0, 5, 5, 25, 25, 100, 100])
    expect(percentAt(30, { ...rollout, halted_at: at(25) })).toBe(0)
    expect(percentAt(2, rollout, true)).toBe(100)
    expect(percentAt(2, { ...rollout, forced: true }, true)).toBe(5)
    expect(offeredPercent({ force_update: false, rollout: null }, NOW)).toBe(100)
  })

  it('set on a draft start at its release', () => {
    const rollout: StagedRollout = {
      steps: [
        { percent: 5, at: at(-48) },
        { percent: 50, at: at(-24) }
      ],
      halted_at: null,
      forced: false
    }
    expect(rolloutFromRelease(rollout, at(0))?.steps).toEqual([
      { percent: 5, at: at(0) },
      { percent: 50, at: at(24) }
    ])
  })
})

describe('planRolloutChange', () => {
  const base = [version('1.0.0', 'released'), version('1.1.0', 'draft')]

  it('keeps a rollout on a draft, and the stable offer stays the version below while it is under 100 %', () => {
    const next = planRolloutChange(base, '1.1.0', { kind: 'percent', percent: 10 }, NOW)
    expect(next.rollout).toEqual({ steps: [{ percent: 10, at: NOW.toISOString() }], halted_at: null, forced: false })
    const released = [base[0]!, { ...next, status: 'released' as const }]
    expect(stableOffer(released, NOW)?.version).toBe('1.0.0')
    expect(
      stableOffer([base[0]!, { ...released[1]!, rollout: { ...next.rollout!, steps: [{ percent: 100, at: at(0) }] } }], NOW)?.version
    ).toBe('1.1.0')
  })

  it('halts, and resumes with the steps still ahead moved by the pause', () => {
    const live = version('1.1.0', 'released', {
      rollout: {
        steps: [
          { percent: 10, at: at(-2) },
          { percent: 50, at: at(24) }
        ],
        halted_at: null,
        forced: false
      }
    })
    const versions = [base[0]!, live]
    const halted = planRolloutChange(versions, '1.1.0', { kind: 'halt' }, NOW)
    expect(halted.rollout?.halted_at).toBe(NOW.toISOString())
    expect(rollingVersion([base[0]!, halted], true, NOW)).toBe('1.1.0')
    const later = new Date(NOW.getTime() + 6 * HOUR)
    const resumed = planRolloutChange([base[0]!, halted], '1.1.0', { kind: 'resume' }, later)
    expect(resumed.rollout).toEqual({
      steps: [
        { percent: 10, at: at(-2) },
        { percent: 50, at: at(30) }
      ],
      halted_at: null,
      forced: false
    })
    expect(refusal(() => planRolloutChange([base[0]!, resumed], '1.1.0', { kind: 'resume' }, later)).message).toMatch(/not halted/)
  })

  it('refuses a live version that reached every site, a forced one without --include-forced, and one with nothing below it', () => {
    expect(refusal(() => planRolloutChange(base, '1.0.0', { kind: 'percent', percent: 10 }, NOW)).message).toMatch(
      /already live on every site/
    )
    const forced = [base[0]!, version('1.1.0', 'draft', { force_update: true })]
    expect(refusal(() => planRolloutChange(forced, '1.1.0', { kind: 'percent', percent: 10 }, NOW)).hint).toMatch(/--include-forced/)
    expect(planRolloutChange(forced, '1.1.0', { kind: 'percent', percent: 10 }, NOW, true).rollout?.forced).toBe(true)
    const first = [version('1.0.0', 'draft')]
    expect(refusal(() => planRolloutChange(first, '1.0.0', { kind: 'percent', percent: 10 }, NOW)).message).toMatch(
      /no fully rolled-out stable version below/
    )
    expect(refusal(() => planRolloutChange(base, '1.0.0', { kind: 'halt' }, NOW)).message).toMatch(/no rollout in progress/)
  })
})

describe('pre-releases in the status workflow and rollback', () => {
  it('refuses a first live version that is a pre-release', () => {
    const error = refusal(() => planStatusChange([version('1.0.0-beta.1', 'draft')], ['1.0.0-beta.1'], 'released'))
    expect(error.kind).toBe('last-live-version')
    expect(error.message).toMatch(/pre-releases only/)
  })

  it('refuses deprecating the last stable version while a beta is live', () => {
    const versions = [version('1.0.0', 'released'), version('1.1.0-beta.1', 'released')]
    expect(refusal(() => planStatusChange(versions, ['1.0.0'], 'deprecated')).kind).toBe('last-live-version')
  })

  it('rolls back to a stable version only, withdrawing the pre-releases above it', () => {
    const versions = [version('1.0.0', 'released'), version('1.1.0', 'released'), version('1.2.0-beta.1', 'released')]
    expect(planRollback(versions, '1.0.0').revoke.map((v) => v.version)).toEqual(['1.2.0-beta.1', '1.1.0'])
    expect(refusal(() => planRollback([...versions, version('1.2.0-beta.2', 'released')], '1.2.0-beta.1')).message).toMatch(
      /is a pre-release/
    )
  })
})

describe('retention with pre-releases', () => {
  it('keeps the newest N stable ZIPs for rollbacks, and removes deprecated pre-releases below the highest live version', () => {
    const versions = [
      version('2.0.0-beta.2', 'deprecated'),
      version('1.3.0', 'released'),
      version('1.3.0-rc.1', 'deprecated'),
      version('1.2.0', 'deprecated'),
      version('1.1.0', 'deprecated'),
      version('1.0.0', 'deprecated')
    ]
    // 2.0.0-beta.2 is above every live version (withdrawn, maybe to come back): kept. 1.0.0 is the fourth stable one.
    expect(pruneCandidates(versions, 3).map((v) => v.version)).toEqual(['1.3.0-rc.1', '1.0.0'])
    const stableOnly = versions.filter((v) => !v.version.includes('-'))
    expect(pruneCandidates(stableOnly, 3).map((v) => v.version)).toEqual(['1.0.0'])
  })
})
