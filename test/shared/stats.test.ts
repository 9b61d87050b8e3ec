import { describe, expect, it } from 'vitest'
import type { ActiveSnapshot, StatsDay } from '../../src-shared/stats.js'
import { buildStatsReport, compareLoose, dayKey, dayNumber, daysToShare, emptyDay, isActiveOn } from '../../src-shared/stats.js'

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
      releases: [
        { version: '1.0.0', status: 'released', force_update: false, released_at: '2026-02-01T10:00:00Z', revoked_at: null },
        {
          version: '1.1.0',
          status: 'deprecated',
          force_update: true,
          released_at: '2026-03-01T09:00:00Z',
          revoked_at: '2026-03-05T00:00:00Z'
        },
        { version: '1.2.0', status: 'draft', force_update: false, released_at: null, revoked_at: null }
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
    const report = buildStatsReport({ slug: 'x', days: [], versionsSeen: [], releases: [], pulledAt: null, lines: null, windowDays: 30 })
    expect(report).toMatchObject({ as_of: null, active_sites: 0, days: [], adoption: [], revoked_sites: 0 })
  })
})
