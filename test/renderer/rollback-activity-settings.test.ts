import { verifyJob } from '../../src-shared/jobs'
import { describe, expect, it } from 'vitest'
import type { ActivityEntry, DesktopApi, RollbackResult } from '../../src-preload/api'
import { fail, fakeApi, ok, storeWith } from './fake-api'
import { check, details, report, sourceStatus, version } from './records'

const reloads = {
  getPlugin: () => ok(details([version('1.1.0', 'deprecated'), version('1.0.0', 'released')])),
  suggestNextVersions: () => ok({ latest: '1.1.0', patch: '1.1.1', minor: '1.2.0', major: '2.0.0' }),
  getSourceStatus: ({ slug }: { slug: string }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z')),
  listPlugins: () => ok([])
}

describe('rollback slice', () => {
  it('collects the checklist the core runs after the rollback, then keeps its report', async () => {
    const result: RollbackResult = { slug: 'hello', live: '1.0.0', revoked: ['1.1.0'], publish: null, verify: report('1.0.0') }
    const fake = fakeApi({
      ...reloads,
      rollback: () => {
        fake.emit('check', { ...check(1), job: verifyJob('hello', '1.0.0'), total: 8 })
        expect(store.getState().verifyRuns.hello).toMatchObject({ origin: 'rollback', state: 'running', checks: [check(1)] })
        return ok(result)
      }
    })
    const store = storeWith(fake)
    store.getState().chooseRollbackTarget('hello', '1.0.0')
    expect(await store.getState().rollback('hello', '1.0.0')).toBe(true)
    expect(store.getState().rollbackResults.hello).toEqual(result)
    expect(store.getState().rollbackTargets.hello).toBeNull()
    expect(store.getState().verifyRuns.hello).toMatchObject({ state: 'done', checks: report('1.0.0').checks })
    expect(store.getState().details.hello?.versions[0]?.status).toBe('deprecated')
  })

  it('shows a refused rollback and marks its checklist as not run', async () => {
    const store = storeWith(
      fakeApi({ ...reloads, rollback: () => fail('zip-missing', 'The ZIP of 1.0.0 is gone.', 'Release a new version instead.') })
    )
    store.getState().chooseRollbackTarget('hello', '1.0.0')
    expect(await store.getState().rollback('hello', '1.0.0')).toBe(false)
    expect(store.getState().rollbackOps.hello?.error?.kind).toBe('zip-missing')
    expect(store.getState().rollbackTargets.hello).toBe('1.0.0')
    expect(store.getState().verifyRuns.hello?.state).toBe('skipped')
  })
})

describe('activity slice', () => {
  const entry = (id: number, plugin: string): ActivityEntry => ({
    id,
    at: '2025-01-01T00:00:00.000Z',
    plugin,
    version: null,
    action: 'plugin.add',
    summary: `#${id}`,
    changes: {}
  })

  it('loads the log for one plugin, and only the newest request counts', async () => {
    const answers: ((value: ReturnType<typeof ok<ActivityEntry[]>>) => void)[] = []
    const fake = fakeApi({ listActivity: () => new Promise((resolve) => answers.push(resolve)) })
    const store = storeWith(fake)
    const first = store.getState().setActivityFilter('a')
    const second = store.getState().setActivityFilter('')
    answers[1]!(ok([entry(2, 'a'), entry(1, '')]))
    answers[0]!(ok([entry(9, 'a')]))
    await Promise.all([first, second])
    expect(store.getState().activity.map((e) => e.id)).toEqual([2, 1])
    expect(fake.calls.map(([, input]) => input)).toEqual([{ slug: 'a', limit: 500 }, { limit: 500 }])
  })
})

describe('settings slice and events', () => {
  it('uses the native pickers only in the desktop window', async () => {
    const none = storeWith(fakeApi({}))
    expect(none.getState().canPickFiles).toBe(false)
    expect(await none.getState().pickFolder('Choose')).toBeNull()

    const desktop: DesktopApi = {
      pickFolder: async ({ title }) => `/picked/${title}`,
      pickFile: async () => Promise.reject(new Error('dialog failed'))
    }
    const store = storeWith(fakeApi({}), desktop)
    expect(store.getState().canPickFiles).toBe(true)
    expect(await store.getState().pickFolder('src')).toBe('/picked/src')
    expect(await store.getState().pickFile('key')).toBeNull()
  })

  it('saves a plugin setting and reloads; a refusal stays with that plugin', async () => {
    const fake = fakeApi({
      ...reloads,
      setPlugin: ({ server }) =>
        server === 'gone' ? fail('not-found', 'There is no server "gone".', 'Known servers: prod.') : ok(details([]).plugin)
    })
    const store = storeWith(fake)
    expect(await store.getState().savePluginSettings({ slug: 'hello', server: 'gone' })).toBe(false)
    expect(store.getState().pluginSettingsOps.hello?.error?.kind).toBe('not-found')
    expect(await store.getState().savePluginSettings({ slug: 'hello', server: null, expectedStrings: ['api.example.com'] })).toBe(true)
    expect(store.getState().pluginSettingsOps.hello?.error).toBeNull()
  })

  it('installs the updater and keeps the line to add', async () => {
    const store = storeWith(
      fakeApi({
        installUpdater: () =>
          ok({
            file: '/src/hello/wprm-updater.php',
            unchanged: false,
            line: 'require_once …;',
            update_uri_header: ' * Update URI: https://x/hello/info.json',
            registered: false
          })
      })
    )
    expect(await store.getState().installUpdater('hello')).toBe(true)
    expect(store.getState().updaterResults.hello?.line).toBe('require_once …;')
  })

  it('subscribes to the three events and unsubscribes from all of them', () => {
    const fake = fakeApi({})
    const store = storeWith(fake)
    expect(fake.listenerCount()).toBe(3)
    const off = store.getState().connectEvents()
    expect(fake.listenerCount()).toBe(6)
    off()
    expect(fake.listenerCount()).toBe(3)
  })

  it('navigates between screens, keeping the plugin unless another is given', () => {
    const store = storeWith(fakeApi({}))
    store.getState().navigate('releases', 'hello')
    store.getState().navigate('verify')
    expect(store.getState()).toMatchObject({ screen: 'verify', slug: 'hello' })
    store.getState().navigate('plugins', null)
    expect(store.getState().slug).toBeNull()
  })
})
