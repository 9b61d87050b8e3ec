import { describe, expect, it } from 'vitest'
import type { StagedRollout } from '../../src-shared/model.js'
import { siteBucket } from '../../src-shared/rollout.js'
import type { ActiveSnapshot, ReleaseFacts, StatsDay, StoredSite } from '../../src-shared/stats.js'
import {
  buildStatsReport,
  cohortStats,
  compareLoose,
  runsAtOrAbove,
  dayKey,
  dayNumber,
  daysToShare,
  emptyDay,
  isActiveOn
} from '../../src-shared/stats.js'

const D0 = dayNumber('2026-03-01')

function day(offset: number, versions: Record<string, number>, extra: Partial<StatsDay> = {}): StatsDay {
  const sites = Object.values(versions).reduce((a, b) => a + b, 0)
  const active: ActiveSnapshot = { sites, versions, wp: { '6.4': sites }, php: { '8.2': sites }, locales: { en_US: sites }, multisite: 0 }
  return { ...emptyDay(dayKey(D0 + offset)), checks: sites, sites, versions, active, ...extra }
}

describe('the install statistics rules', () => {
  it('a site is active on the day it checked and the 6 days after', () => {
    expect([0, 1, 6, 7].map((n) => isActiveOn(D0, D0 + n))).toEqual([true, true, true, false])
    expect(isActiveOn(D0 + 1, D0)).toBe(false)
  })

  it('compares WordPress and PHP versions as numbers, anything else as text', () => {
    expect(['6.10', '6.9', '10.0', 'other', '6.4'].sort(compareLoose)).toEqual(['6.4', '6.9', '6.10', '10.0', 'other'])
  })

  it('counts the days to 50 % and 90 % of active sites on the version or a higher one, from its release day', () => {
    const days = [
      day(0, { '1.0.0': 10 }),
      day(1, { '1.0.0': 6, '1.1.0': 4 }),
      day(2, { '1.0.0': 4, '1.1.0': 5, '2.0.0': 1 }),
      day(4, { '1.0.0': 1, '1.1.0': 9 })
    ]
    expect(daysToShare(days, '1.1.0', D0, 0.5)).toBe(2)
    expect(daysToShare(days, '1.1.0', D0, 0.9)).toBe(4)
    expect(daysToShare(days, '2.0.0', D0, 0.5)).toBeNull()
  })

  it('builds the report: adoption of the last day, revoked sites, rollouts, shares, downloads of the days shown, no day missing', () => {
    const report = buildStatsReport({
      slug: 'hello',
      days: [
        day(4, { '1.1.0': 9, '1.0.0': 1 }, { downloads: { '1.1.0': 3 } }),
        day(0, { '1.0.0': 10 }, { downloads: { '1.0.0': 5 } }),
        day(1, { '1.0.0': 5, '1.1.0': 5 })
      ],
      versionsSeen: [],
      sites: [],
      releases: [
        { version: '1.0.0', status: 'released', force_update: false, released_at: '2026-02-01T10:00:00Z', revoked_at: null, rollout: null },
        {
          version: '1.1.0',
          status: 'deprecated',
          force_update: true,
          released_at: '2026-03-01T09:00:00Z',
          revoked_at: '2026-03-05T00:00:00Z',
          rollout: null
        },
        { version: '1.2.0', status: 'draft', force_update: false, released_at: null, revoked_at: null, rollout: null }
      ],
      pulledAt: '2026-03-05T12:00:00Z',
      lines: null,
      windowDays: 3
    })
    expect(report.as_of).toBe('2026-03-05')
    expect(report.days.map((d) => d.day)).toEqual(['2026-03-03', '2026-03-04', '2026-03-05'])
    expect(report.days[0]!.checks).toBe(0)
    expect(report.active_sites).toBe(10)
    expect(report.adoption).toEqual([
      { key: '1.1.0', sites: 9, share: 0.9, status: 'deprecated', revoked: true },
      { key: '1.0.0', sites: 1, share: 0.1, status: 'released', revoked: false }
    ])
    expect(report.revoked_sites).toBe(9)
    // A revoked release has no rollout to report; a draft has none either.
    expect(report.rollouts).toEqual([
      {
        version: '1.0.0',
        force_update: false,
        released_at: '2026-02-01T10:00:00Z',
        days_to_50: dayNumber('2026-03-01') - dayNumber('2026-02-01'),
        days_to_90: dayNumber('2026-03-01') - dayNumber('2026-02-01'),
        share_now: 1
      }
    ])
    expect(report.wp).toEqual([{ key: '6.4', sites: 10, share: 1 }])
    expect(report.downloads).toEqual([{ version: '1.1.0', downloads: 3 }])
  })

  it('has nothing to report before the first pull', () => {
    const report = buildStatsReport({
      slug: 'x',
      days: [],
      versionsSeen: [],
      sites: [],
      releases: [],
      pulledAt: null,
      lines: null,
      windowDays: 30
    })
    expect(report).toMatchObject({ as_of: null, active_sites: 0, days: [], adoption: [], revoked_sites: 0 })
  })
})

describe('the cohort breakdown of staged rollouts', () => {
  const AT = new Date('2026-03-05T12:00:00.000Z')
  const TODAY = dayNumber('2026-03-05')
  const hours = (h: number): string => new Date(AT.getTime() + h * 3_600_000).toISOString()
  /** A stored site key whose bucket is `bucket` (its first 8 hex digits are the bucket's number). */
  const key = (bucket: number, tail = 'abcdef01'): string => bucket.toString(16).padStart(8, '0') + tail
  const site = (bucket: number, version: string, day = TODAY): StoredSite => ({ id: key(bucket), day, version })
  const release = (version: string, rollout: StagedRollout | null, extra: Partial<ReleaseFacts> = {}): ReleaseFacts => ({
    version,
    status: 'released',
    force_update: false,
    released_at: hours(-48),
    revoked_at: null,
    rollout,
    ...extra
  })
  const steps = (...list: [percent: number, hoursFromNow: number][]): StagedRollout => ({
    steps: list.map(([percent, h]) => ({ percent, at: hours(h) })),
    halted_at: null,
    forced: false
  })
  // Buckets 0, 500, 999 are in at 10 %; 1000 (the first one out), 5000 and 9999 are not.
  const population = [
    site(0, '1.2.0'),
    site(500, '1.3.0'),
    site(999, '1.1.0'),
    site(1000, '1.2.0'),
    site(5000, '1.1.0'),
    site(9999, '1.1.0'),
    // Last seen 7 days ago: no longer active, not counted.
    site(1, '1.1.0', TODAY - 7)
  ]

  it('reads the bucket as the updater does: the first 8 hex digits modulo 10,000 (vectors checked with php -r)', () => {
    const cases: [string, number][] = [
      ['00000000ab', 0],
      ['ffffffff', 7295],
      ['FFFFFFFF00', 7295],
      ['zz0000ff99', 255],
      ['', 0],
      ['12', 18],
      ['0000270f', 9999],
      ['00002710', 0]
    ]
    expect(cases.map(([id]) => siteBucket(id))).toEqual(cases.map(([, bucket]) => bucket))
  })

  it('at 10 %: the sites in the cohort, those of them on it or a higher version, and those outside that run it anyway', () => {
    expect(cohortStats([release('1.2.0', steps([10, -1]))], population, TODAY, AT)).toEqual([
      {
        version: '1.2.0',
        percent: 10,
        halted: false,
        halted_at: null,
        next_step: null,
        in_cohort: 3,
        in_cohort_updated: 2,
        outside: 3,
        outside_updated: 1
      }
    ])
  })

  it('takes the step reached at the time and names the next one; a step in the future counts for nothing yet', () => {
    const [cohort] = cohortStats([release('1.2.0', steps([10, -24], [50, 1], [100, 48]))], population, TODAY, AT)
    expect(cohort).toMatchObject({ percent: 10, next_step: { percent: 50, at: hours(1) }, in_cohort: 3, outside: 3 })
    // An hour later the 50 % step has come: bucket 1000 and 4,999 below are in.
    const later = cohortStats([release('1.2.0', steps([10, -24], [50, 1], [100, 48]))], population, TODAY, new Date(hours(2)))
    expect(later[0]).toMatchObject({ percent: 50, next_step: { percent: 100 }, in_cohort: 4, in_cohort_updated: 3, outside_updated: 0 })
    // Released with a schedule whose first step has not come: nobody is in.
    const before = cohortStats([release('1.2.0', steps([5, 3]))], population, TODAY, AT)
    expect(before[0]).toMatchObject({ percent: 0, in_cohort: 0, outside: 6, outside_updated: 3 })
  })

  it('a halted rollout keeps the cohort it was halted at (later steps do not count) and says since when', () => {
    const halted: StagedRollout = { ...steps([10, -48], [50, -12]), halted_at: hours(-24) }
    expect(cohortStats([release('1.2.0', halted)], population, TODAY, AT)[0]).toEqual({
      version: '1.2.0',
      percent: 10,
      halted: true,
      halted_at: hours(-24),
      next_step: null,
      in_cohort: 3,
      in_cohort_updated: 2,
      outside: 3,
      outside_updated: 1
    })
  })

  it("a site on the version's pre-release has not taken it; one on a higher pre-release has (semver's order, loose text else)", () => {
    expect(runsAtOrAbove('1.2.0-beta.1', '1.2.0')).toBe(false)
    expect(runsAtOrAbove('1.3.0-beta.1', '1.2.0')).toBe(true)
    expect(runsAtOrAbove('1.2', '1.2.0')).toBe(false)
    expect(runsAtOrAbove('1.10', '1.2.0')).toBe(true)
    const betas = [site(0, '1.2.0-rc.1'), site(1, '1.3.0-beta.1'), site(2000, '1.2.0-beta.2')]
    expect(cohortStats([release('1.2.0', steps([10, -1]))], betas, TODAY, AT)[0]).toMatchObject({
      in_cohort: 2,
      in_cohort_updated: 1,
      outside: 1,
      outside_updated: 0
    })
  })

  it('at 100 % every active site is in; with no active site every count is 0', () => {
    expect(cohortStats([release('1.2.0', steps([10, -48], [100, -1]))], population, TODAY, AT)[0]).toMatchObject({
      percent: 100,
      in_cohort: 6,
      in_cohort_updated: 3,
      outside: 0,
      outside_updated: 0
    })
    expect(cohortStats([release('1.2.0', steps([10, -1]))], [], TODAY, AT)[0]).toMatchObject({
      in_cohort: 0,
      in_cohort_updated: 0,
      outside: 0,
      outside_updated: 0
    })
  })

  it('lists live versions whose rollout applies, highest first: no draft, revoked or unrolled version, no forced release that skips it', () => {
    const rolling = steps([10, -1])
    const cohorts = cohortStats(
      [
        release('1.0.0', null),
        release('1.1.0', rolling, { status: 'update_ready' }),
        release('1.2.0', rolling, { status: 'draft', released_at: null }),
        release('1.1.5', rolling, { status: 'deprecated', revoked_at: hours(-1) }),
        release('1.1.1', rolling, { force_update: true }),
        release('1.1.2', { ...rolling, forced: true }, { force_update: true }),
        release('1.10.0', rolling)
      ],
      population,
      TODAY,
      AT
    )
    expect(cohorts.map((c) => c.version)).toEqual(['1.10.0', '1.1.2', '1.1.0'])
  })

  it('the report carries the cohorts, taken at the last pull (or the end of its last day, when that is earlier)', () => {
    const input = {
      slug: 'hello',
      days: [day(0, { '1.1.0': 3, '1.2.0': 2, '1.3.0': 1 }, { day: '2026-03-05' })],
      versionsSeen: [],
      sites: population,
      releases: [release('1.2.0', steps([10, -1], [50, 6]))],
      lines: null,
      windowDays: 30
    }
    const pulled = buildStatsReport({ ...input, pulledAt: AT.toISOString() })
    expect(pulled.cohorts_at).toBe(AT.toISOString())
    expect(pulled.cohorts).toMatchObject([{ version: '1.2.0', percent: 10, in_cohort: 3, in_cohort_updated: 2, outside_updated: 1 }])
    // Pulled two days later with no newer line: taken at the end of the last day, after the 50 % step of 18:00.
    const late = buildStatsReport({ ...input, pulledAt: '2026-03-07T08:00:00.000Z' })
    expect(late.cohorts_at).toBe('2026-03-05T23:59:59.999Z')
    expect(late.cohorts[0]).toMatchObject({ percent: 50, in_cohort: 4 })
    expect(buildStatsReport({ ...input, days: [], pulledAt: null })).toMatchObject({ cohorts_at: null, cohorts: [] })
  })
})
