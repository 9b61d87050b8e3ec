import { buildJob, releaseJob, verifyJob } from '../../src-shared/jobs'
import { describe, expect, it } from 'vitest'
import type { AddVersionInput, ChangeStatusInput, ChangeStatusResult, PluginVersionRecord } from '../../src-preload/api'
import { applyProgress, runFraction } from '../../src-renderer/src/store/releases-slice'
import type { FakeApi } from './fake-api'
import { fail, fakeApi, methodsCalled, ok, storeWith } from './fake-api'
import { check, details, report, sourceStatus, version } from './records'

/**
 * A fake API over an in-memory list of versions: enough of main for the releases slice. `onRelease`
 * runs inside addVersion / changeStatus, to emit events while the call is in flight, as main does.
 */
function releasesApi(options: {
  versions: PluginVersionRecord[]
  server?: string | null
  onRelease?: (fake: FakeApi, versions: readonly string[]) => void
  releaseError?: ReturnType<typeof fail>
  verifyOk?: boolean
}) {
  let versions = options.versions
  const server = options.server === undefined ? 'prod' : options.server
  const result = (changed: PluginVersionRecord[], built: boolean): ChangeStatusResult => ({
    versions: changed,
    builds: built
      ? changed.map((v) => ({
          version: v.version,
          file_path: `/d/${v.version}.zip`,
          file_size: 1000,
          checksum: 'c'.repeat(64),
          checksum_md5: 'd'.repeat(32),
          files: 3,
          reused: false,
          allowed_files: [],
          warnings: []
        }))
      : [],
    publish:
      server === null
        ? null
        : {
            slug: 'hello',
            server,
            manifest_version: 2,
            latest: changed[0]!.version,
            manifest_url: 'http://x/hello/info.json',
            uploaded: [],
            skipped: [],
            notes: [],
            phases: []
          }
  })
  const fake: FakeApi = fakeApi({
    getPlugin: () => ok(details(versions, { server })),
    suggestNextVersions: () => ok({ latest: versions[0]?.version ?? null, patch: '1.0.1', minor: '1.1.0', major: '2.0.0' }),
    getSourceStatus: ({ slug }) => ok(sourceStatus(slug, '2025-01-01T00:00:00.000Z')),
    listPlugins: () => ok([]),
    addVersion: (input: AddVersionInput) => {
      options.onRelease?.(fake, [input.version])
      if (options.releaseError !== undefined && input.status !== 'draft') return options.releaseError
      const record = version(input.version, input.status ?? 'draft')
      versions = [record, ...versions]
      return ok(result([record], input.status !== undefined && input.status !== 'draft'))
    },
    changeStatus: (input: ChangeStatusInput) => {
      options.onRelease?.(fake, input.versions)
      if (options.releaseError !== undefined) return options.releaseError
      const changed = versions.filter((v) => input.versions.includes(v.version)).map((v) => ({ ...v, status: input.status }))
      versions = versions.map((v) => changed.find((c) => c.version === v.version) ?? v)
      return ok(result(changed, input.status !== 'deprecated'))
    },
    verify: ({ version: v }) => {
      const r = report(v ?? versions[0]!.version, options.verifyOk ?? true)
      for (const c of r.checks) fake.emit('check', { ...c, job: verifyJob('hello', r.version), total: 8 })
      return ok(r)
    }
  })
  return fake
}

/** Emits the events of the builds and the publish of a release, as main does. */
function emitReleaseProgress(fake: FakeApi, versions: readonly string[]): void {
  for (const v of versions) {
    const job = buildJob('hello', v)
    fake.emit('progress', { job, phase: 'scan', done: 3, total: 3, label: 'Found 3 files' })
    fake.emit('progress', { job, phase: 'zip', done: 1, total: 3, label: 'Compressing 1/3' })
    fake.emit('progress', { job, phase: 'hash', done: 10, total: 10, label: 'SHA-256 abc' })
  }
  const publish = releaseJob('hello', versions)
  fake.emit('progress', { job: publish, phase: 'upload', done: 5, total: 10, label: 'Uploading' })
  fake.emit('progress', { job: publish, phase: 'manifest', done: 2, total: 2, label: 'Manifest #2 is live' })
}

describe('releases slice', () => {
  it('loads a plugin with its next versions and source status, and keeps only existing versions selected', async () => {
    const fake = releasesApi({ versions: [version('1.0.0', 'released')] })
    const store = storeWith(fake)
    store.getState().setSelection('hello', ['1.0.0', '0.9.0'])
    await store.getState().loadPlugin('hello')
    const s = store.getState()
    expect(s.details.hello?.versions.map((v) => v.version)).toEqual(['1.0.0'])
    expect(s.nextVersions.hello?.patch).toBe('1.0.1')
    expect(s.sources.hello?.slug).toBe('hello')
    expect(s.selection.hello).toEqual(['1.0.0'])
  })

  it('adds a draft without a run: nothing is built or published', async () => {
    const fake = releasesApi({ versions: [] })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    expect(await store.getState().addVersion({ slug: 'hello', version: '1.0.0', changelog: 'First' })).toBe(true)
    expect(store.getState().runs.hello).toBeUndefined()
    expect(methodsCalled(fake)).not.toContain('verify')
    expect(store.getState().details.hello?.versions[0]?.status).toBe('draft')
  })

  it('releases with its phases filled from progress events, then runs the checklist for the released version', async () => {
    const seen: string[][] = []
    const fake = releasesApi({
      versions: [],
      onRelease: (f, versions) => {
        emitReleaseProgress(f, versions)
        // Events for another plugin or another job never move this run.
        f.emit('progress', { job: buildJob('other', '1.0.0'), phase: 'verify', done: 1, total: 1, label: 'x' })
        f.emit('progress', { job: buildJob('hello', '9.9.9'), phase: 'verify', done: 1, total: 1, label: 'x' })
        seen.push(store.getState().runs.hello!.phases.map((p) => `${p.phase}:${p.state}`))
      }
    })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    expect(await store.getState().addVersion({ slug: 'hello', version: '1.0.0', changelog: 'First', status: 'released' })).toBe(true)

    // While the call ran: build phases done, manifest active with its numbers, verify still waiting.
    expect(seen[0]).toEqual(['scan:done', 'zip:done', 'hash:done', 'upload:done', 'manifest:active', 'verify:pending'])
    const run = store.getState().runs.hello!
    expect(run.state).toBe('done')
    expect(run.title).toBe('Release 1.0.0')
    expect(run.phases.map((p) => p.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'done'])
    expect(run.phases.find((p) => p.phase === 'scan')?.label).toBe('Found 3 files')
    expect(run.verifiedVersion).toBe('1.0.0')
    expect(fake.calls.find(([m]) => m === 'verify')?.[1]).toEqual({ slug: 'hello', version: '1.0.0' })
    const verifyRun = store.getState().verifyRuns.hello!
    expect(verifyRun).toMatchObject({ origin: 'release', state: 'done', version: '1.0.0' })
    expect(verifyRun.checks).toHaveLength(9)
    expect(runFraction(run, 8)).toBe(1)
    expect(store.getState().newVersionOps.hello).toEqual({ busy: false, error: null })
  })

  it('marks the verify phase failed when a check fails, but the release itself is done', async () => {
    const store = storeWith(releasesApi({ versions: [], verifyOk: false, onRelease: emitReleaseProgress }))
    await store.getState().loadPlugin('hello')
    await store.getState().addVersion({ slug: 'hello', version: '1.0.0', changelog: 'First', status: 'released' })
    const run = store.getState().runs.hello!
    expect(run.state).toBe('done')
    expect(run.phases.find((p) => p.phase === 'verify')).toMatchObject({ state: 'failed', label: 'Some checks failed' })
  })

  it('plans no upload and no checklist for a plugin without a server', async () => {
    const fake = releasesApi({ versions: [], server: null, onRelease: emitReleaseProgress })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    await store.getState().addVersion({ slug: 'hello', version: '1.0.0', changelog: 'First', status: 'released' })
    const run = store.getState().runs.hello!
    expect(run.planned).toEqual(['scan', 'zip', 'hash'])
    expect(run.phases.filter((p) => p.state === 'skipped').map((p) => p.phase)).toEqual(['upload', 'manifest', 'verify'])
    expect(methodsCalled(fake)).not.toContain('verify')
  })

  it('shows a failure during the job on the run and next to the form; an earlier refusal leaves no run', async () => {
    const refused = fail('auth-failed', 'The server refused the login.', 'Check the key.')
    const store = storeWith(releasesApi({ versions: [], releaseError: refused, onRelease: emitReleaseProgress }))
    await store.getState().loadPlugin('hello')
    expect(await store.getState().addVersion({ slug: 'hello', version: '1.0.0', changelog: 'First', status: 'released' })).toBe(false)
    const run = store.getState().runs.hello!
    expect(run.state).toBe('failed')
    expect(run.phases.find((p) => p.phase === 'manifest')?.state).toBe('failed')
    expect(store.getState().newVersionOps.hello?.error?.kind).toBe('auth-failed')

    // Refused by a rule before any work: no job to show, the previous run stays.
    const rule = fail('version-not-higher', '0.1.0 is not higher than 1.0.0.', 'Use 1.0.1.')
    const other = storeWith(releasesApi({ versions: [], releaseError: rule }))
    await other.getState().loadPlugin('hello')
    await other.getState().addVersion({ slug: 'hello', version: '0.1.0', changelog: 'x', status: 'released' })
    expect(other.getState().runs.hello).toBeUndefined()
    expect(other.getState().newVersionOps.hello?.error).toEqual(rule.ok ? null : rule.error)
  })

  it('runs a bulk action only after confirmation, over the selection newest first, and clears the ticks', async () => {
    const fake = releasesApi({ versions: [version('1.1.0', 'draft'), version('1.0.0', 'released')], onRelease: emitReleaseProgress })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    store.getState().requestBulk('hello', 'released')
    expect(store.getState().pendingBulk).toBeNull()

    store.getState().toggleVersion('hello', '1.1.0')
    store.getState().requestBulk('hello', 'released')
    expect(store.getState().pendingBulk).toEqual({ slug: 'hello', status: 'released', versions: ['1.1.0'] })
    expect(methodsCalled(fake)).not.toContain('changeStatus')
    store.getState().cancelBulk()
    expect(store.getState().pendingBulk).toBeNull()

    store.getState().requestBulk('hello', 'released')
    expect(await store.getState().confirmBulk()).toBe(true)
    expect(fake.calls.find(([m]) => m === 'changeStatus')?.[1]).toEqual({ slug: 'hello', versions: ['1.1.0'], status: 'released' })
    expect(store.getState().runs.hello).toMatchObject({ title: 'Release 1.1.0', state: 'done', origin: 'bulk' })
    expect(store.getState().selection.hello).toEqual([])
  })

  it('keeps the ticks and shows the refusal of a bulk action; a new selection clears the error', async () => {
    const refusal = fail('last-live-version', 'Deprecating 1.0.0 would leave hello with no live version.', 'Roll back instead.')
    const store = storeWith(releasesApi({ versions: [version('1.0.0', 'released')], releaseError: refusal }))
    await store.getState().loadPlugin('hello')
    store.getState().setSelection('hello', ['1.0.0'])
    store.getState().requestBulk('hello', 'deprecated')
    expect(store.getState().runs.hello).toBeUndefined()
    expect(await store.getState().confirmBulk()).toBe(false)
    expect(store.getState().bulkOps.hello?.error?.kind).toBe('last-live-version')
    expect(store.getState().selection.hello).toEqual(['1.0.0'])
    expect(store.getState().runs.hello).toBeUndefined()
    store.getState().toggleVersion('hello', '1.0.0')
    expect(store.getState().bulkOps.hello?.error).toBeNull()
  })

  it('dismisses a finished run but never a running one', async () => {
    const fake = releasesApi({
      versions: [],
      onRelease: (f, v) => {
        emitReleaseProgress(f, v)
        store.getState().dismissRun('hello')
        expect(store.getState().runs.hello?.state).toBe('running')
      }
    })
    const store = storeWith(fake)
    await store.getState().loadPlugin('hello')
    await store.getState().addVersion({ slug: 'hello', version: '1.0.0', changelog: 'x', status: 'released' })
    store.getState().dismissRun('hello')
    expect(store.getState().runs.hello).toBeUndefined()
  })
})

describe('progress arithmetic', () => {
  const phases = ['scan', 'zip', 'hash', 'upload', 'manifest', 'verify'].map((phase) => ({
    phase,
    state: 'pending',
    done: 0,
    total: 0,
    label: ''
  })) as Parameters<typeof applyProgress>[0]

  it('a second build of a bulk release starts at scan again: later phases wait again', () => {
    let p = applyProgress(phases, { job: buildJob('h', '1.0.0'), phase: 'zip', done: 1, total: 2, label: '' })
    expect(p.map((x) => x.state)).toEqual(['done', 'active', 'pending', 'pending', 'pending', 'pending'])
    p = applyProgress(p, { job: buildJob('h', '2.0.0'), phase: 'scan', done: 0, total: 0, label: '' })
    expect(p.map((x) => x.state)).toEqual(['active', 'pending', 'pending', 'pending', 'pending', 'pending'])
  })

  it('weighs each planned phase equally, the verify phase by finished checks', () => {
    const p = applyProgress(phases, { job: buildJob('h', '1.0.0'), phase: 'verify', done: 0, total: 0, label: '' })
    const run = {
      id: 1,
      slug: 'h',
      versions: ['1'],
      title: '',
      origin: 'bulk' as const,
      state: 'running' as const,
      phases: p,
      planned: ['scan', 'zip', 'hash', 'upload', 'manifest', 'verify'] as const,
      error: null,
      result: null,
      verifiedVersion: null
    }
    expect(runFraction(run, 0)).toBeCloseTo(5 / 6)
    expect(runFraction(run, 4)).toBeCloseTo((5 + 4 / 11) / 6)
    expect(runFraction({ ...run, planned: [] }, 0)).toBe(0)
  })
})

describe('check events', () => {
  it('fill the running checklist one by one, for its job only, once each', async () => {
    let release!: () => void
    const fake = fakeApi({
      verify: () =>
        new Promise((resolve) => {
          release = () => resolve(ok(report('1.0.0')))
        })
    })
    const store = storeWith(fake)
    const pending = store.getState().runVerify('hello', '1.0.0')
    fake.emit('check', { ...check(2), job: verifyJob('hello', '1.0.0'), total: 8 })
    fake.emit('check', { ...check(1), job: verifyJob('hello', '1.0.0'), total: 8 })
    fake.emit('check', { ...check(1), job: verifyJob('hello', '1.0.0'), total: 8 })
    fake.emit('check', { ...check(3), job: verifyJob('hello', '0.9.0'), total: 8 })
    fake.emit('check', { ...check(3), job: verifyJob('other', '1.0.0'), total: 8 })
    fake.emit('check', { ...check(3), job: buildJob('hello', '1.0.0'), total: 8 })
    expect(store.getState().verifyRuns.hello?.checks.map((c) => c.id)).toEqual([1, 2])
    release()
    expect((await pending)?.ok).toBe(true)
    expect(store.getState().verifyRuns.hello).toMatchObject({ state: 'done' })
    expect(store.getState().verifyRuns.hello?.checks).toHaveLength(9)
    // Late events after the report change nothing.
    fake.emit('check', { ...check(9), job: verifyJob('hello', '1.0.0'), total: 8 })
    expect(store.getState().verifyRuns.hello?.checks).toHaveLength(9)
  })

  it('accept any version of the plugin when the latest was asked for, and show why the checklist could not run', async () => {
    const fake = fakeApi({ verify: () => fail('not-found', 'hello has no live version to verify.', 'Name a version.') })
    const store = storeWith(fake)
    const pending = store.getState().runVerify('hello')
    fake.emit('check', { ...check(1), job: verifyJob('hello', '2.0.0'), total: 8 })
    expect(store.getState().verifyRuns.hello?.checks).toHaveLength(1)
    expect(await pending).toBeNull()
    expect(store.getState().verifyRuns.hello).toMatchObject({ state: 'failed', error: { kind: 'not-found' } })
    expect(fake.calls[0]).toEqual(['verify', { slug: 'hello' }])
  })
})
