import { describe, expect, it } from 'vitest'
import type { StatsReport } from '../../src-preload/api'
import { buildStatsReport } from '../../src-shared/stats'
import { fail, fakeApi, methodsCalled, ok, storeWith } from './fake-api'

const report: StatsReport = buildStatsReport({
  slug: 'hello',
  days: [],
  versionsSeen: [],
  sites: [],
  releases: [],
  pulledAt: null,
  lines: null,
  windowDays: 90
})

describe('stats slice', () => {
  it('pulls in the background, shows the progress of its own job only, then loads the report again', async () => {
    let finish: (value: unknown) => void = () => undefined
    const fake = fakeApi({
      getStats: () => ok(report),
      pullStats: () => new Promise((resolve) => (finish = resolve)) as never
    })
    const store = storeWith(fake)
    const pulling = store.getState().pullStats('hello')
    expect(store.getState().statsPulls.hello?.op.busy).toBe(true)
    const job = { id: 'hello@stats', slug: 'hello', kind: 'stats' as const, versions: [] }
    fake.emit('progress', { job, phase: 'read', done: 5, total: 10, label: 'prod: /var/log/nginx/access.log' })
    fake.emit('progress', { job: { ...job, kind: 'release' }, phase: 'upload', done: 1, total: 2, label: 'x' })
    expect(store.getState().statsPulls.hello?.progress).toEqual({ done: 5, total: 10, label: 'prod: /var/log/nginx/access.log' })
    // A second pull while one runs starts nothing.
    await store.getState().pullStats('hello')
    finish(ok({ pulled_at: '2026-01-01T00:00:00Z', servers: [] }))
    await pulling
    expect(methodsCalled(fake)).toEqual(['pullStats', 'getStats'])
    expect(fake.calls.at(-1)).toEqual(['getStats', { slug: 'hello', days: 90 }])
    expect(store.getState().stats.hello).toEqual(report)
    expect(store.getState().statsPulls.hello).toMatchObject({ op: { busy: false, error: null }, progress: null })
  })

  it('keeps a failed pull as an error to show, and the stored report stays', async () => {
    const fake = fakeApi({ pullStats: () => fail('remote-not-found', 'The access log is not there.') })
    const store = storeWith(fake)
    await store.getState().pullStats('hello')
    expect(store.getState().statsPulls.hello?.op.error).toMatchObject({ kind: 'remote-not-found' })
    expect(methodsCalled(fake)).toEqual(['pullStats'])
  })
})
