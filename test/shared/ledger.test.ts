import { describe, expect, it } from 'vitest'
import type { Ledger, LedgerState } from '../../src-shared/ledger.js'
import { assertServerNotAhead, describeDifferences, nextLedger, serverTruth } from '../../src-shared/ledger.js'
import type { PluginVersionRecord } from '../../src-shared/model.js'
import { planPull } from '../../src-shared/pull-plan.js'
import { WprmError } from '../../src-shared/errors.js'

const ann = { user: 'ann', host: 'ws-a', workstation: 'aaaa' }
const bob = { user: 'bob', host: 'ci-1', workstation: 'bbbb' }

function record(version: string, status: PluginVersionRecord['status'], extra: Partial<PluginVersionRecord> = {}): PluginVersionRecord {
  const built = status !== 'draft'
  return {
    plugin: 'hello',
    allowed_files: [],
    version,
    status,
    changelog: `Changes in ${version}`,
    version_code: 0,
    min_api_version: null,
    min_platform_version: '6.0',
    min_php_version: '7.4',
    force_update: false,
    file_path: built ? `/dist/hello-v${version}.zip` : null,
    file_size: built ? 100 : null,
    checksum: built ? version.replace(/\./g, '').padEnd(64, 'a') : null,
    checksum_md5: built ? 'b'.repeat(32) : null,
    released_at: built ? '2026-01-01T00:00:00.000Z' : null,
    revoked_at: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra
  }
}

function ledgerOf(versions: readonly PluginVersionRecord[], manifestVersion: number, by = ann, base: LedgerState | null = null): Ledger {
  return nextLedger({
    slug: 'hello',
    plugin: { name: 'Hello', main_file: 'hello.php', version_constant: 'HELLO_VERSION' },
    versions,
    onServer: new Set(versions.filter((v) => v.status !== 'draft').map((v) => v.version)),
    base,
    manifestVersion,
    by,
    at: `2026-01-0${manifestVersion}T00:00:00.000Z`,
    zipName: (v) => `hello-v${v}.zip`
  })
}

const head = (l: Ledger): LedgerState => serverTruth(l, l.manifest_version).state!

function refusal(run: () => unknown): WprmError {
  try {
    run()
  } catch (error) {
    if (error instanceof WprmError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('the ledger', () => {
  it('keeps every published version, who published it first and who changed it last, and never drafts', () => {
    const first = ledgerOf([record('1.1.0', 'draft'), record('1.0.0', 'released')], 1)
    expect(first.versions.map((v) => v.version)).toEqual(['1.0.0'])
    expect(first.previous).toBeNull()
    const second = ledgerOf([record('1.1.0', 'released'), record('1.0.0', 'released')], 2, bob, head(first))
    expect(second.versions.map((v) => [v.version, v.published.user, v.changed.user, v.changed.manifest_version])).toEqual([
      ['1.1.0', 'bob', 'bob', 2],
      ['1.0.0', 'ann', 'ann', 1]
    ])
    expect(second.previous?.manifest_version).toBe(1)
    const third = ledgerOf(
      [record('1.1.0', 'deprecated', { revoked_at: '2026-01-03T00:00:00.000Z' }), record('1.0.0', 'released')],
      3,
      ann,
      head(second)
    )
    expect(third.versions[0]).toMatchObject({
      status: 'deprecated',
      revoked_at: '2026-01-03T00:00:00.000Z',
      published: { user: 'bob' },
      changed: { user: 'ann' }
    })
    // A version the records lack is carried over: a ledger never loses one.
    expect(ledgerOf([record('1.1.0', 'released')], 4, ann, head(third)).versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0'])
  })

  it("takes as the truth the state whose number is the manifest's: a ledger one step ahead is a publish cut before its manifest", () => {
    const one = ledgerOf([record('1.0.0', 'released')], 1)
    const two = ledgerOf([record('1.1.0', 'released'), record('1.0.0', 'released')], 2, ann, head(one))
    expect(serverTruth(two, 2)).toMatchObject({ manifest_version: 2, problem: null, state: { manifest_version: 2 } })
    expect(serverTruth(two, 1)).toMatchObject({ manifest_version: 1, problem: null, state: { manifest_version: 1 } })
    expect(serverTruth(two, 1).state!.versions.map((v) => v.version)).toEqual(['1.0.0'])
    expect(serverTruth(one, 0)).toEqual({ manifest_version: 0, state: null, problem: null })
    expect(serverTruth(null, 0)).toEqual({ manifest_version: 0, state: null, problem: null })
    expect(serverTruth(null, 3).problem).toContain('no ledger')
    expect(serverTruth(two, 5)).toMatchObject({ manifest_version: 5, state: null, problem: expect.stringContaining('#5') })
  })

  it('refuses a publish from a workstation behind the server, or one whose records would drop a published version', () => {
    const server = ledgerOf([record('1.1.0', 'released'), record('1.0.0', 'deprecated', { revoked_at: 'x' })], 4, bob)
    const truth = serverTruth(server, 4)
    const stale = [record('1.0.0', 'released')]
    const ahead = refusal(() => assertServerNotAhead(truth, { slug: 'hello', manifest_version: 3 }, stale, 'updates.example.com'))
    expect(ahead.kind).toBe('server-ahead')
    expect(ahead.message).toBe(
      'updates.example.com has manifest #4 of hello (last published by bob@ci-1 at 2026-01-04T00:00:00.000Z), newer than #3 that this workstation last saw: 1.1.0 released, 1.0.0 revoked. Nothing was changed.'
    )
    expect(ahead.hint).toContain('wprm pull hello')
    const dropped = refusal(() =>
      assertServerNotAhead(truth, { slug: 'hello', manifest_version: 4 }, [record('1.1.0', 'draft'), ...stale], 'h')
    )
    expect(dropped.message).toContain('1.1.0 (released, SHA-256 110aaaaaaaaa…), which this workstation has only as a draft')
    // Up to date: nothing to refuse.
    assertServerNotAhead(truth, { slug: 'hello', manifest_version: 4 }, [record('1.1.0', 'released'), record('1.0.0', 'deprecated')], 'h')
    expect(describeDifferences(truth.state, [record('1.1.0', 'released'), record('1.0.0', 'deprecated')])).toEqual(['1.0.0 revoked'])
  })
})

describe('planPull', () => {
  const zipPath = (name: string) => `/here/${name}`
  const server = head(
    ledgerOf([record('1.2.0', 'update_ready'), record('1.1.0', 'deprecated', { revoked_at: 'r' }), record('1.0.0', 'released')], 5, bob)
  )

  it("takes the server's versions, keeps local drafts, and lists the ZIPs to hold here", () => {
    const plan = planPull({
      slug: 'hello',
      local: [record('1.3.0', 'draft'), record('1.0.0', 'released')],
      state: server,
      zipPath,
      now: 'now'
    })
    expect(plan.conflicts).toEqual([])
    expect(plan.added).toEqual(['1.2.0', '1.1.0'])
    expect(plan.kept).toEqual(['1.3.0'])
    expect(plan.updated).toEqual(['1.0.0'])
    expect(plan.records.map((r) => [r.version, r.status, r.revoked_at, r.file_path])).toEqual([
      ['1.3.0', 'draft', null, null],
      ['1.2.0', 'update_ready', null, '/here/hello-v1.2.0.zip'],
      ['1.1.0', 'deprecated', 'r', '/here/hello-v1.1.0.zip'],
      ['1.0.0', 'released', null, '/here/hello-v1.0.0.zip']
    ])
    expect(plan.zips.map((z) => z.version)).toEqual(['1.2.0', '1.1.0', '1.0.0'])
  })

  it("adopts a draft that says what the server's release says (a publish that landed but was never recorded)", () => {
    const plan = planPull({
      slug: 'hello',
      local: [record('1.2.0', 'draft', { changelog: 'Changes in 1.2.0' })],
      state: server,
      zipPath,
      now: 'now'
    })
    expect(plan.conflicts).toEqual([])
    expect(plan.updated).toEqual(['1.2.0'])
  })

  it('reports a never-published local change that clashes, and leaves it as it is', () => {
    const draft = record('1.2.0', 'draft', { changelog: 'Something else' })
    const rebuilt = record('1.0.0', 'released', { checksum: 'c'.repeat(64) })
    const plan = planPull({ slug: 'hello', local: [draft, rebuilt], state: server, zipPath, now: 'now' })
    expect(plan.conflicts.map((c) => c.version)).toEqual(['1.2.0', '1.0.0'])
    expect(plan.records).toContain(draft)
    expect(plan.records).toContain(rebuilt)
  })
})
