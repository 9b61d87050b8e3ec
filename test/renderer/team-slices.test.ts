import { describe, expect, it } from 'vitest'
import type { ChangeStatusResult, PluginSummary, PluginVersionRecord } from '../../src-preload/api'
import { fail, fakeApi, methodsCalled, ok, storeWith } from './fake-api'
import { details, plugin, sourceStatus, version } from './records'

const loading = {
  getPlugin: () => ok(details([version('1.1.0', 'released')])),
  suggestNextVersions: () => ok({ latest: '1.1.0', patch: '1.1.1', minor: '1.2.0', major: '2.0.0' }),
  getSourceStatus: ({ slug }: { slug: string }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z'))
}

const summary = (
  overrides: Parameters<typeof plugin>[1],
  live: PluginVersionRecord | null = version('1.1.0', 'released')
): PluginSummary => ({
  plugin: plugin('hello', overrides),
  latest_live: live,
  version_count: 1
})

describe('importing a plugin from a server', () => {
  it('sends what was given (blank folders are left out), then lists the plugin with its versions', async () => {
    const fake = fakeApi({
      ...loading,
      importPlugin: ({ slug }) => ok(plugin(slug)),
      listPlugins: () => ok([summary({ manifest_version: 4 })])
    })
    const store = storeWith(fake)
    expect(await store.getState().importPlugin({ server: 'prod', slug: ' hello ', sourceDir: '  ', distDir: '/dist/hello' })).toMatchObject(
      {
        slug: 'hello'
      }
    )
    expect(fake.calls[0]).toEqual(['importPlugin', { server: 'prod', slug: 'hello', distDir: '/dist/hello' }])
    expect(store.getState().plugins.map((p) => p.plugin.slug)).toEqual(['hello'])
    expect(store.getState().importPluginOp).toEqual({ busy: false, error: null })
  })

  it("keeps the core's refusal as it is worded", async () => {
    const refusal = fail('not-found', 'prod has no plugin "helo".', 'Check the slug with the other workstation.')
    const store = storeWith(fakeApi({ importPlugin: () => refusal }))
    expect(await store.getState().importPlugin({ server: 'prod', slug: 'helo' })).toBeNull()
    expect(store.getState().importPluginOp.error).toEqual(refusal.ok ? null : refusal.error)
  })
})

describe('removing a plugin from this workstation', () => {
  it('says the server keeps it (keepServer) when its server offers a live version, and forgets it here', async () => {
    let listed = [summary({ server: 'prod', manifest_version: 3 })]
    const fake = fakeApi({
      ...loading,
      listPlugins: () => ok(listed),
      removePlugin: () => {
        listed = []
        return ok(plugin('hello'))
      }
    })
    const store = storeWith(fake)
    await store.getState().loadPlugins()
    await store.getState().loadPlugin('hello')
    store.getState().navigate('releases', 'hello')
    store.getState().requestRemovePlugin('hello')
    expect(store.getState().pendingRemoval).toBe('hello')
    expect(await store.getState().confirmRemovePlugin()).toBe(true)
    expect(fake.calls.find(([m]) => m === 'removePlugin')).toEqual(['removePlugin', { slug: 'hello', keepServer: true }])
    const state = store.getState()
    expect([state.pendingRemoval, state.slug, state.details.hello, state.sources.hello, state.plugins]).toEqual([
      null,
      null,
      undefined,
      undefined,
      []
    ])
  })

  it("asks nothing of the server when it offers nothing; a refusal (the list was stale) is the core's words, and the list is read again", async () => {
    const refusal = fail('invalid-transition', 'hello has live versions on prod (1.0.0 is offered to sites); …', 'Add --keep-server …')
    let listed = [summary({ server: 'prod', manifest_version: 0 }, null)]
    const fake = fakeApi({
      ...loading,
      listPlugins: () => ok(listed),
      removePlugin: () => {
        listed = [summary({ server: 'prod', manifest_version: 1 }, version('1.0.0', 'released'))]
        return refusal
      }
    })
    const store = storeWith(fake)
    await store.getState().loadPlugins()
    store.getState().requestRemovePlugin('hello')
    expect(await store.getState().confirmRemovePlugin()).toBe(false)
    expect(fake.calls.find(([m]) => m === 'removePlugin')).toEqual(['removePlugin', { slug: 'hello' }])
    expect(store.getState().removePluginOps.hello?.error).toEqual(refusal.ok ? null : refusal.error)
    expect(store.getState().pendingRemoval).toBeNull()
    expect(store.getState().plugins[0]?.latest_live?.version).toBe('1.0.0')
    // Asked again: the error of the last try is gone, and cancelling sends nothing.
    const before = fake.calls.length
    store.getState().requestRemovePlugin('hello')
    expect(store.getState().removePluginOps.hello?.error).toBeNull()
    store.getState().cancelRemovePlugin()
    expect(await store.getState().confirmRemovePlugin()).toBe(false)
    expect(fake.calls.length).toBe(before)
  })
})

describe("changing a plugin's slug", () => {
  it('sends newSlug alone, and the plugin screens follow the new slug', async () => {
    const fake = fakeApi({
      ...loading,
      listPlugins: () => ok([]),
      setPlugin: ({ newSlug }) => ok(plugin(newSlug!))
    })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    store.getState().navigate('releases', 'hello')
    expect(await store.getState().renamePlugin('hello', ' hello-world ')).toBe(true)
    expect(fake.calls.find(([m]) => m === 'setPlugin')).toEqual(['setPlugin', { slug: 'hello', newSlug: 'hello-world' }])
    expect(store.getState().slug).toBe('hello-world')
    expect(store.getState().details.hello).toBeUndefined()
    expect(fake.calls).toContainEqual(['getPlugin', { slug: 'hello-world' }])
  })

  it('keeps the refusal with the plugin, under its slug', async () => {
    const store = storeWith(fakeApi({ setPlugin: () => fail('invalid-transition', 'hello was released already (1.0.0): …') }))
    store.getState().navigate('releases', 'hello')
    expect(await store.getState().renamePlugin('hello', 'other')).toBe(false)
    expect(store.getState().renameOps.hello?.error?.message).toMatch(/^hello was released already/)
    expect(store.getState().slug).toBe('hello')
  })
})

describe("editing a version's changelog", () => {
  const published: ChangeStatusResult = {
    versions: [version('1.1.0', 'released')],
    builds: [],
    publish: {
      slug: 'hello',
      server: 'prod',
      manifest_version: 6,
      latest: '1.1.0',
      manifest_url: 'https://updates.example.com/hello/info.json',
      uploaded: [],
      skipped: [],
      notes: [],
      phases: []
    }
  }

  it('closes the editor on save, says in which manifest it went out, and reloads the plugin', async () => {
    const fake = fakeApi({ ...loading, listPlugins: () => ok([]), editVersion: () => ok(published) })
    const store = storeWith(fake)
    store.getState().openChangelogEditor('hello', '1.1.0')
    expect(store.getState().changelogEditor).toEqual({ slug: 'hello', version: '1.1.0' })
    expect(await store.getState().saveChangelog('hello', '1.1.0', 'Better words.')).toBe(true)
    expect(fake.calls[0]).toEqual(['editVersion', { slug: 'hello', version: '1.1.0', changelog: 'Better words.' }])
    expect(store.getState().changelogEditor).toBeNull()
    expect(store.getState().changelogSaved.hello).toEqual({ version: '1.1.0', publish: published.publish })
    expect(methodsCalled(fake)).toEqual(expect.arrayContaining(['getPlugin', 'listPlugins']))
    // A new edit is a new question: the last answer goes.
    store.getState().openChangelogEditor('hello', '1.0.0')
    expect(store.getState().changelogSaved.hello).toBeUndefined()
  })

  it('a refusal keeps the editor open with the error; the server being ahead offers the pull', async () => {
    const refusal = fail('server-ahead', 'prod has manifest #7 of hello, newer than #5 …', 'Run `wprm pull hello` …')
    const store = storeWith(fakeApi({ editVersion: () => refusal }))
    store.getState().openChangelogEditor('hello', '1.1.0')
    expect(await store.getState().saveChangelog('hello', '1.1.0', 'Better words.')).toBe(false)
    expect(store.getState().changelogEditor).toEqual({ slug: 'hello', version: '1.1.0' })
    expect(store.getState().changelogOps.hello?.error?.kind).toBe('server-ahead')
    expect(store.getState().serverSync.hello).toMatchObject({ state: 'ahead', error: { kind: 'server-ahead' } })
  })
})

describe('a rollback refused because the server is ahead', () => {
  it('offers the pull on the plugin screens', async () => {
    const refusal = fail('server-ahead', 'prod has manifest #7 of hello …', 'Run `wprm pull hello` …')
    const store = storeWith(fakeApi({ ...loading, listPlugins: () => ok([]), rollback: () => refusal }))
    expect(await store.getState().rollback('hello', '1.0.0')).toBe(false)
    expect(store.getState().serverSync.hello).toMatchObject({ state: 'ahead' })
  })
})
