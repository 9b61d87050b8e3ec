import { describe, expect, it } from 'vitest'
import type { PluginSummary } from '../../src-preload/api'
import { fail, fakeApi, methodsCalled, ok, storeWith } from './fake-api'
import { details, plugin, sourceStatus, version } from './records'

const summary = (slug: string): PluginSummary => ({ plugin: plugin(slug), latest_live: null, version_count: 0 })

describe('plugins slice', () => {
  it('loads the plugins, then the source status of each (the list itself has none)', async () => {
    const fake = fakeApi({
      listPlugins: () => ok([summary('a'), summary('b')]),
      getSourceStatus: ({ slug }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z', slug === 'b' ? ['x.php'] : []))
    })
    const store = storeWith(fake)
    expect(store.getState().pluginsLoaded).toBe(false)
    await store.getState().loadPlugins()
    const s = store.getState()
    expect(s.pluginsLoaded).toBe(true)
    expect(s.plugins.map((p) => p.plugin.slug)).toEqual(['a', 'b'])
    expect(s.sources.b?.changed_files).toEqual(['x.php'])
    expect(methodsCalled(fake)).toEqual(['listPlugins', 'getSourceStatus', 'getSourceStatus'])
  })

  it('shows why the list could not be read, and a rejected call as an error rather than a crash', async () => {
    const store = storeWith(fakeApi({ listPlugins: () => fail('database-corrupt', 'wprm.json is damaged.', 'Restore the backup.') }))
    await store.getState().loadPlugins()
    expect(store.getState().pluginsOp.error?.kind).toBe('database-corrupt')
    expect(store.getState().pluginsLoaded).toBe(true)

    const broken = storeWith(fakeApi({}))
    await broken.getState().loadPlugins()
    expect(broken.getState().pluginsOp.error).toMatchObject({ kind: 'io', message: expect.stringContaining('listPlugins is not faked') })
    expect(broken.getState().pluginsOp.error?.hint).not.toBe('')
  })

  it('takes source events, but never lets an older view replace a newer one', () => {
    const fake = fakeApi({})
    const store = storeWith(fake)
    fake.emit('source', sourceStatus('a', '2025-01-01T00:00:02.000Z', ['new.php']))
    fake.emit('source', sourceStatus('a', '2025-01-01T00:00:01.000Z', []))
    expect(store.getState().sources.a?.changed_files).toEqual(['new.php'])
    fake.emit('source', sourceStatus('a', '2025-01-01T00:00:03.000Z', []))
    expect(store.getState().sources.a?.changed_files).toEqual([])
  })

  it('adds a plugin from its folder, refusing an empty path without calling main', async () => {
    const fake = fakeApi({
      addPlugin: ({ sourceDir }) =>
        sourceDir === '/src/missing'
          ? fail('source-invalid', 'The source folder /src/missing does not exist.', 'Check the path.')
          : ok(plugin('hello')),
      listPlugins: () => ok([summary('hello')]),
      getSourceStatus: ({ slug }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z'))
    })
    const store = storeWith(fake)
    expect(await store.getState().addPlugin('   ')).toBeNull()
    expect(store.getState().addPluginOp.error?.kind).toBe('usage')
    expect(fake.calls).toEqual([])

    expect(await store.getState().addPlugin('/src/missing')).toBeNull()
    expect(store.getState().addPluginOp.error?.message).toContain('does not exist')

    expect((await store.getState().addPlugin('  /src/hello '))?.slug).toBe('hello')
    expect(fake.calls.at(-3)).toEqual(['addPlugin', { sourceDir: '/src/hello' }])
    expect(store.getState().addPluginOp).toEqual({ busy: false, error: null })
    expect(store.getState().plugins).toHaveLength(1)
  })

  it('writes a version into the source and reloads what it changed; a refusal stays with that plugin', async () => {
    const fake = fakeApi({
      bumpSource: ({ slug, version: v }) =>
        slug === 'hello'
          ? ok({ version: v, changed_files: ['hello.php'] })
          : fail('source-invalid', 'HELLO_VERSION is not defined.', 'Define it.'),
      getSourceStatus: ({ slug }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z')),
      getPlugin: () => ok(details([version('1.0.0', 'released')])),
      suggestNextVersions: () => ok({ latest: '1.0.0', patch: '1.0.1', minor: '1.1.0', major: '2.0.0' })
    })
    const store = storeWith(fake)
    expect(await store.getState().bumpSource('hello', '1.0.0')).toBe(true)
    expect(methodsCalled(fake)).toEqual(expect.arrayContaining(['bumpSource', 'getSourceStatus', 'getPlugin']))
    expect(await store.getState().bumpSource('other', '1.0.0')).toBe(false)
    expect(store.getState().bumpOps.other?.error?.kind).toBe('source-invalid')
    expect(store.getState().bumpOps.hello?.error).toBeNull()
  })
})
