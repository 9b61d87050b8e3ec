import { describe, expect, it } from 'vitest'
import type { PullResult } from '../../src-preload/api'
import { fail, fakeApi, methodsCalled, ok, storeWith } from './fake-api'
import { details, sourceStatus, version } from './records'

const pulled = (overrides: Partial<PullResult> = {}): PullResult => ({
  slug: 'hello',
  server: 'prod',
  manifest_version_before: 3,
  manifest_version: 3,
  added: [],
  updated: [],
  kept: [],
  downloaded: [],
  ...overrides
})

const loading = {
  getPlugin: () => ok(details([version('1.1.0', 'released')])),
  suggestNextVersions: () => ok({ latest: '1.1.0', patch: '1.1.1', minor: '1.2.0', major: '2.0.0' }),
  getSourceStatus: ({ slug }: { slug: string }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z')),
  listPlugins: () => ok([])
}

describe('the server state of a plugin (pull on open)', () => {
  it('takes the server state in and reloads the plugin only when something changed', async () => {
    let answer = pulled({ manifest_version: 5, added: ['1.1.0'], downloaded: ['1.1.0'] })
    const fake = fakeApi({ ...loading, pull: () => ok([answer]) })
    const store = storeWith(fake)
    await store.getState().pullPlugin('hello')
    expect(store.getState().serverSync.hello).toEqual({ state: 'in-sync', result: answer })
    expect(methodsCalled(fake)).toEqual(expect.arrayContaining(['pull', 'getPlugin', 'listPlugins']))
    expect(fake.calls[0]).toEqual(['pull', { slugs: ['hello'] }])

    answer = pulled({ manifest_version_before: 5, manifest_version: 5 })
    const before = fake.calls.length
    await store.getState().pullPlugin('hello')
    expect(methodsCalled(fake).slice(before)).toEqual(['pull'])
  })

  it('shows "the server is ahead" when the pull finds local changes that clash, and an unreachable server as such', async () => {
    let answer = fail(
      'remote-conflict',
      'hello: local changes that were never published clash with the server: …',
      'Remove the local draft …'
    )
    const fake = fakeApi({ ...loading, pull: () => answer })
    const store = storeWith(fake)
    await store.getState().pullPlugin('hello')
    expect(store.getState().serverSync.hello).toMatchObject({ state: 'ahead', error: { kind: 'remote-conflict' } })
    answer = fail('connection-failed', 'Could not connect to 127.0.0.1:22: ECONNREFUSED.')
    await store.getState().pullPlugin('hello')
    expect(store.getState().serverSync.hello).toMatchObject({ state: 'unreachable', error: { kind: 'connection-failed' } })
  })

  it('a release refused because another workstation published meanwhile marks the server ahead', async () => {
    const refusal = fail('server-ahead', 'updates.example.com has manifest #7 of hello, newer than #5 …', 'Run `wprm pull hello` …')
    const fake = fakeApi({ ...loading, changeStatus: () => refusal })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    store.getState().setSelection('hello', ['1.1.0'])
    store.getState().requestBulk('hello', 'deprecated')
    await store.getState().confirmBulk()
    expect(store.getState().serverSync.hello).toMatchObject({ state: 'ahead', error: { kind: 'server-ahead' } })
  })

  it('removes a draft and reloads; a refusal stays with the plugin', async () => {
    const fake = fakeApi({
      ...loading,
      removeVersion: ({ version: v }) =>
        v === '1.2.0' ? ok(version('1.2.0', 'draft')) : fail('invalid-transition', 'only a draft can be removed')
    })
    const store = storeWith(fake)
    expect(await store.getState().removeDraft('hello', '1.2.0')).toBe(true)
    expect(methodsCalled(fake)).toEqual(expect.arrayContaining(['removeVersion', 'getPlugin']))
    expect(await store.getState().removeDraft('hello', '1.1.0')).toBe(false)
    expect(store.getState().removeDraftOps.hello?.error?.kind).toBe('invalid-transition')
  })
})
