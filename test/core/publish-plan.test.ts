import { describe, expect, it } from 'vitest'
import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../src-preload/api.js'
import type { PlanInput, RemoteZip } from '../../src-main/core/remote/publish-plan.js'
import { planPublish, publishTargets } from '../../src-main/core/remote/publish-plan.js'
import { WprmError } from '../../src-shared/errors.js'

const plugin = { slug: 'hello', name: 'Hello', manifest_version: 2, main_file: 'hello.php' } as PluginRecord
const server = {
  kind: 'sftp',
  name: 'prod',
  host: 'updates.example.com',
  remote_root: '/srv/plugins',
  public_url: 'https://updates.example.com/plugins/'
} as ServerProfile
const sha = (c: string): string => c.repeat(64)

function version(v: string, status: PluginVersionRecord['status'], extra: Partial<PluginVersionRecord> = {}): PluginVersionRecord {
  return {
    plugin: plugin.slug,
    version: v,
    status,
    changelog: `Changes of ${v}`,
    version_code: 0,
    min_api_version: null,
    min_platform_version: null,
    min_php_version: null,
    force_update: false,
    file_path: `/dist/hello-v${v}.zip`,
    file_size: 1000 + Number(v.split('.')[1]),
    checksum: sha(v.split('.')[1]!),
    checksum_md5: 'b'.repeat(32),
    released_at: '2026-01-10T12:00:00.000Z',
    revoked_at: null,
    allowed_files: [],
    ...extra
  } as PluginVersionRecord
}

/** On the server with the released bytes. */
const same = (v: PluginVersionRecord): RemoteZip => ({ size: v.file_size!, sha256: v.checksum })

const v10 = version('1.0.0', 'deprecated')
const v11 = version('1.1.0', 'released')
const v12 = version('1.2.0', 'update_ready')
const v13 = version('1.3.0', 'draft', { checksum: null, file_path: null, file_size: null })
const versions = [v10, v11, v12, v13]

function input(zips: ReadonlyMap<string, RemoteZip>, extra: Partial<PlanInput> & { readonly manifestVersion?: number } = {}): PlanInput {
  const { manifestVersion = 0, ...rest } = extra
  return {
    plugin,
    versions,
    server,
    remote: { manifestVersion, zips },
    local: { zipsHere: new Set(['1.1.0', '1.2.0']), latestZip: { mainFile: '<?php /* Plugin Name: Hello */', readme: null } },
    now: new Date('2026-02-01T00:00:00Z'),
    by: { user: 'ann', host: 'ws-a', workstation: 'a1' },
    ...rest
  }
}

function refusal(run: () => unknown): WprmError {
  try {
    run()
  } catch (error) {
    if (error instanceof WprmError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('planPublish', () => {
  it('uploads the live ZIPs the server lacks, points the link at the newest live version and lists what will be there', () => {
    const plan = planPublish(input(new Map([['1.0.0', same(v10)]])))
    expect(plan).toMatchObject({
      slug: 'hello',
      dir: '/srv/plugins/hello',
      latest: '1.2.0',
      link: { name: 'hello-latest.zip', target: 'hello-v1.2.0.zip' },
      manifestUrl: 'https://updates.example.com/plugins/hello/info.json',
      retire: []
    })
    expect(plan.zips).toEqual([
      { version: '1.1.0', name: 'hello-v1.1.0.zip', action: 'upload', localPath: '/dist/hello-v1.1.0.zip', size: 1001, sha256: sha('1') },
      { version: '1.2.0', name: 'hello-v1.2.0.zip', action: 'upload', localPath: '/dist/hello-v1.2.0.zip', size: 1002, sha256: sha('2') }
    ])
    // The workstation's manifest version (2) is ahead of the server's (0): the next one is 3.
    expect(plan.manifest).toMatchObject({
      version: '1.2.0',
      manifest_version: 3,
      sha256: sha('2'),
      generated_at: '2026-02-01T00:00:00.000Z'
    })
    // The deprecated 1.0.0 is on the server and stays listed; the draft is not.
    expect(plan.manifest.versions.map((v) => v.version)).toEqual(['1.2.0', '1.1.0', '1.0.0'])
  })

  it('skips the ZIPs the server has with the released bytes, and counts on from the server manifest', () => {
    const plan = planPublish(
      input(
        new Map([
          ['1.1.0', same(v11)],
          ['1.2.0', same(v12)]
        ]),
        { manifestVersion: 7 }
      )
    )
    expect(plan.zips.map((z) => [z.version, z.action])).toEqual([
      ['1.1.0', 'skip'],
      ['1.2.0', 'skip']
    ])
    expect(plan.manifest.manifest_version).toBe(8)
    // 1.0.0 is not on the server: not listed.
    expect(plan.manifest.versions.map((v) => v.version)).toEqual(['1.2.0', '1.1.0'])
  })

  it('refuses a ZIP on the server with other bytes, with or without its checksum read back', () => {
    const otherBytes = refusal(() => planPublish(input(new Map([['1.1.0', { size: 1001, sha256: sha('f') }]]))))
    expect(otherBytes.kind).toBe('remote-conflict')
    expect(otherBytes.message).toBe(
      `The server already has hello-v1.1.0.zip with other bytes (1001 bytes, SHA-256 ffffffffffff…; the release is 1001 bytes, 111111111111…). A released ZIP is never overwritten.`
    )
    expect(otherBytes.hint).toContain('/srv/plugins/hello/hello-v1.1.0.zip on updates.example.com')
    const otherSize = refusal(() => planPublish(input(new Map([['1.2.0', { size: 5, sha256: null }]]))))
    expect(otherSize.message).toContain('hello-v1.2.0.zip with other bytes (5 bytes; the release is 1002 bytes')
  })

  it('refuses a live version whose ZIP is neither on the server nor here', () => {
    const missing = refusal(() =>
      planPublish(input(new Map(), { local: { zipsHere: new Set(['1.2.0']), latestZip: { mainFile: null, readme: null } } }))
    )
    expect(missing.kind).toBe('zip-missing')
    expect(missing.message).toBe('The ZIP of live version 1.1.0 is neither on the server nor here (/dist/hello-v1.1.0.zip).')
  })

  it('retires deprecated ZIPs: dropped from the manifest, deleted after it', () => {
    const plan = planPublish(input(new Map([['1.0.0', same(v10)]]), { retire: ['1.0.0'] }))
    expect(plan.retire).toEqual([{ version: '1.0.0', name: 'hello-v1.0.0.zip' }])
    expect(plan.manifest.versions.map((v) => v.version)).toEqual(['1.2.0', '1.1.0'])
  })

  it('refuses to publish without a live version, and to retire a live one, before anything else', () => {
    expect(refusal(() => publishTargets(plugin, [v10, v13])).kind).toBe('last-live-version')
    expect(() => planPublish(input(new Map(), { retire: ['1.1.0'] }))).toThrow('refusing to remove live version 1.1.0')
  })

  it('is a plain value: the same input gives the same plan', () => {
    const remote = new Map([['1.0.0', same(v10)]])
    expect(planPublish(input(remote))).toEqual(planPublish(input(remote)))
  })
})
