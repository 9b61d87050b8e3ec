import { describe, expect, it } from 'vitest'
import type { PluginVersionRecord, VersionStatus } from '../../src-shared/model.js'
import { WprmError } from '../../src-shared/errors.js'
import { planRollback, previewRollback, rollbackCandidates, rollbackRecords } from '../../src-shared/rollback-plan.js'
import { planStatusChange, statusRecord, withRecords } from '../../src-shared/status-plan.js'

const AT = '2026-01-01T00:00:00.000Z'
const LATER = '2026-02-01T00:00:00.000Z'

/** A version of plugin "hello"; built (ZIP and checksum) unless it is a draft. */
function version(v: string, status: VersionStatus, overrides: Partial<PluginVersionRecord> = {}): PluginVersionRecord {
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
    file_size: built ? 100 : null,
    checksum: built ? `sha-${v}` : null,
    checksum_md5: built ? `md5-${v}` : null,
    released_at: built ? AT : null,
    revoked_at: null,
    allowed_files: [],
    created_at: AT,
    updated_at: AT,
    ...overrides
  }
}

/** The refusal a planner throws, as the user sees it. */
function refusal(plan: () => unknown): { kind: string; message: string; hint: string } {
  try {
    plan()
  } catch (error) {
    if (error instanceof WprmError) return { kind: error.kind, message: error.message, hint: error.hint }
    throw error
  }
  throw new Error('expected a refusal')
}

const VERSIONS = [
  version('1.2.0', 'released'),
  version('1.1.0', 'update_ready'),
  version('1.0.1', 'deprecated', { revoked_at: AT }),
  version('1.0.0', 'released'),
  version('0.9.0', 'draft')
]

describe('planRollback', () => {
  it('revokes every live version above the target, newest first, and says what sites are offered now', () => {
    const plan = planRollback(VERSIONS, '1.0.1')
    expect(plan.slug).toBe('hello')
    expect(plan.target.version).toBe('1.0.1')
    expect(plan.revoke.map((v) => v.version)).toEqual(['1.2.0', '1.1.0'])
    expect(plan.reactivate).toBe(true)
    expect(plan.currentLatest?.version).toBe('1.2.0')
    expect(planRollback(VERSIONS, '1.0.0')).toMatchObject({ reactivate: false, revoke: [{ version: '1.2.0' }, { version: '1.1.0' }] })
  })

  it('writes the revoked versions as deprecated and withdrawn, and the target live and no longer withdrawn', () => {
    const records = rollbackRecords(planRollback(VERSIONS, '1.0.1'), LATER)
    expect(records.map((v) => [v.version, v.status, v.revoked_at, v.updated_at])).toEqual([
      ['1.2.0', 'deprecated', LATER, LATER],
      ['1.1.0', 'deprecated', LATER, LATER],
      ['1.0.1', 'released', null, LATER]
    ])
    // A live target stays as it is: only the versions above it change.
    expect(rollbackRecords(planRollback(VERSIONS, '1.0.0'), LATER).map((v) => v.version)).toEqual(['1.2.0', '1.1.0'])
  })

  it('refuses as the core does: unknown, never released, already newest, ZIP pruned, not a version', () => {
    expect(refusal(() => planRollback(VERSIONS, '3.0.0'))).toEqual({
      kind: 'not-found',
      message: 'Plugin "hello" has no version 3.0.0.',
      hint: 'List its versions with: wprm list hello.'
    })
    expect(refusal(() => planRollback(VERSIONS, '0.9.0'))).toMatchObject({
      kind: 'invalid-transition',
      message: '0.9.0 was never released, so there is nothing to roll back to.'
    })
    expect(refusal(() => planRollback(VERSIONS, '1.2.0'))).toMatchObject({
      kind: 'invalid-transition',
      message: '1.2.0 is already the newest live version of hello.',
      hint: 'Nothing to roll back.'
    })
    const pruned = [version('1.1.0', 'released'), version('1.0.0', 'deprecated', { file_path: null })]
    expect(refusal(() => planRollback(pruned, '1.0.0'))).toMatchObject({
      kind: 'zip-missing',
      message: 'The ZIP of 1.0.0 is gone (it was pruned), so 1.0.0 cannot be made live again.'
    })
    expect(refusal(() => planRollback(VERSIONS, 'v1.0.0')).kind).toBe('invalid-version')
  })

  it('offers only kept, released versions below the live one, and previews a refused choice as nothing', () => {
    expect(rollbackCandidates(VERSIONS).map((v) => v.version)).toEqual(['1.1.0', '1.0.1', '1.0.0'])
    expect(rollbackCandidates([version('1.0.0', 'released'), version('0.9.0', 'deprecated', { checksum: null })])).toEqual([])
    expect(rollbackCandidates([version('1.0.0', 'deprecated')])).toEqual([])
    // Every candidate is a plan the core accepts.
    for (const candidate of rollbackCandidates(VERSIONS)) expect(previewRollback(VERSIONS, candidate.version)).not.toBeNull()
    expect(previewRollback(VERSIONS, '1.2.0')).toBeNull()
  })
})

describe('planStatusChange', () => {
  it('plans each named version once, oldest first, saying which to build and which ZIPs to check', () => {
    const versions = [version('1.3.0', 'draft'), version('1.2.0', 'draft'), version('1.1.0', 'deprecated'), version('1.0.0', 'released')]
    const plan = planStatusChange(versions, ['1.3.0', '1.1.0', '1.2.0', '1.3.0'], 'released')
    expect(plan.slug).toBe('hello')
    expect(plan.versions).toEqual(['1.3.0', '1.1.0', '1.2.0'])
    expect(plan.steps.map((s) => [s.before.version, s.build, s.checkZip])).toEqual([
      ['1.1.0', false, true],
      ['1.2.0', true, false],
      ['1.3.0', true, false]
    ])
    expect(plan.latestAfter).toBe('1.3.0')
    expect(planStatusChange(versions, ['1.0.0'], 'update_ready').steps[0]).toMatchObject({ build: false, checkZip: true })
    expect(planStatusChange([version('1.1.0', 'released'), ...versions.slice(3)], ['1.1.0'], 'deprecated')).toMatchObject({
      latestAfter: '1.0.0',
      steps: [{ build: false, checkZip: false }]
    })
  })

  it('writes the new status, the built ZIP of a draft, and lifts the withdrawal of a version made live again', () => {
    const versions = [version('1.1.0', 'draft'), version('1.0.0', 'deprecated', { revoked_at: AT })]
    const plan = planStatusChange(versions, ['1.1.0', '1.0.0'], 'released')
    const built = {
      version: '1.1.0',
      file_path: '/dist/new.zip',
      file_size: 7,
      checksum: 'abc',
      checksum_md5: 'def',
      files: 3,
      reused: false,
      allowed_files: [],
      warnings: []
    }
    const [again, fresh] = [statusRecord(plan, plan.steps[0]!, LATER, null), statusRecord(plan, plan.steps[1]!, LATER, built)]
    expect(again).toMatchObject({ version: '1.0.0', status: 'released', revoked_at: null, released_at: AT, updated_at: LATER })
    // Only the record's own fields: nothing of the build result beyond the ZIP.
    expect(fresh).toEqual({
      ...versions[0]!,
      status: 'released',
      file_path: '/dist/new.zip',
      file_size: 7,
      checksum: 'abc',
      checksum_md5: 'def',
      released_at: LATER,
      updated_at: LATER
    })
    expect(withRecords(versions, [fresh, again]).map((v) => [v.version, v.status])).toEqual([
      ['1.1.0', 'released'],
      ['1.0.0', 'released']
    ])
    const deprecated = planStatusChange(
      [version('1.1.0', 'released'), version('1.0.0', 'released', { revoked_at: AT })],
      ['1.0.0'],
      'deprecated'
    )
    expect(statusRecord(deprecated, deprecated.steps[0]!, LATER, null).revoked_at).toBe(AT)
  })

  it('adds a record that is new to the list, in version order', () => {
    const added = version('2.0.0', 'draft')
    expect(withRecords(VERSIONS, [added]).map((v) => v.version)).toEqual(['2.0.0', '1.2.0', '1.1.0', '1.0.1', '1.0.0', '0.9.0'])
  })

  it('refuses all or none: an unknown version, a transition the workflow forbids, the last live version, no version', () => {
    expect(refusal(() => planStatusChange(VERSIONS, ['1.2.0', '4.0.0'], 'deprecated'))).toEqual({
      kind: 'not-found',
      message: 'Plugin "hello" has no version 4.0.0.',
      hint: 'List its versions with: wprm list hello.'
    })
    expect(refusal(() => planStatusChange(VERSIONS, ['1.1.0'], 'released'))).toMatchObject({
      kind: 'invalid-transition',
      message: 'Version 1.1.0 cannot go from update_ready to released.'
    })
    expect(refusal(() => planStatusChange(VERSIONS, ['1.2.0'], 'released'))).toMatchObject({
      kind: 'invalid-transition',
      message: 'Version 1.2.0 is already released.'
    })
    expect(refusal(() => planStatusChange(VERSIONS, ['1.2.0', '1.1.0', '1.0.0'], 'deprecated'))).toMatchObject({
      kind: 'last-live-version',
      message: 'Deprecating 1.2.0, 1.1.0, 1.0.0 would leave hello with no live version: sites would have nothing to install.'
    })
    expect(refusal(() => planStatusChange(VERSIONS, [], 'released')).kind).toBe('usage')
    expect(refusal(() => planStatusChange(VERSIONS, ['1.2'], 'released')).kind).toBe('invalid-version')
    // A plugin with nothing live may stay so.
    expect(planStatusChange([version('1.0.0', 'deprecated')], ['1.0.0'], 'released').latestAfter).toBe('1.0.0')
  })
})
