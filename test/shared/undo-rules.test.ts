import { describe, expect, it } from 'vitest'
import { canChangeSlug, changelogEditPublishes, liveOnServer } from '../../src-shared/undo-rules.js'
import type { PluginRecord, PluginVersionRecord } from '../../src-shared/model.js'

// Only the fields the rules read matter; the rest is filled to make whole records.
const AT = '2025-01-01T00:00:00.000Z'

function plugin(slug: string, overrides: Partial<PluginRecord>): PluginRecord {
  return {
    slug,
    name: 'Hello',
    platform: 'wordpress',
    source_dir: `/src/${slug}`,
    main_file: `${slug}.php`,
    version_constant: null,
    dist_dir: `/data/dist/${slug}`,
    expected_strings: [],
    forbidden_strings: [],
    server: 'prod',
    manifest_version: 0,
    published_at: null,
    signing_key: null,
    manifest_expiry_days: 30,
    manifest_expires: null,
    created_at: AT,
    updated_at: AT,
    ...overrides
  }
}

function version(v: string, status: PluginVersionRecord['status']): PluginVersionRecord {
  const [major, minor, patch] = v.split('.').map(Number) as [number, number, number]
  return {
    plugin: 'hello',
    version: v,
    status,
    changelog: `Changes in ${v}`,
    version_code: major * 10000 + minor * 100 + patch,
    min_api_version: null,
    min_platform_version: null,
    min_php_version: null,
    force_update: false,
    file_path: null,
    file_size: null,
    checksum: null,
    checksum_md5: null,
    released_at: null,
    revoked_at: null,
    allowed_files: [],
    created_at: AT,
    updated_at: AT
  }
}

describe('what can still be undone', () => {
  it('a slug changes only before the first release: drafts alone, and no manifest ever published', () => {
    const fresh = plugin('hello', { manifest_version: 0 })
    expect(canChangeSlug(fresh, [])).toBe(true)
    expect(canChangeSlug(fresh, [version('1.0.0', 'draft'), version('0.9.0', 'draft')])).toBe(true)
    expect(canChangeSlug(fresh, [version('1.0.0', 'draft'), version('0.9.0', 'deprecated')])).toBe(false)
    expect(canChangeSlug(fresh, [version('1.0.0', 'released')])).toBe(false)
    // Imported without its versions yet, or all of them pulled away: the server knows the slug.
    expect(canChangeSlug(plugin('hello', { manifest_version: 3 }), [version('1.1.0', 'draft')])).toBe(false)
  })

  it('removing a plugin leaves a server in charge only once that server published a live version', () => {
    const live = version('1.0.0', 'released')
    expect(liveOnServer(plugin('hello', { server: 'prod', manifest_version: 2 }), live)).toBe(live)
    expect(liveOnServer(plugin('hello', { server: 'prod', manifest_version: 2 }), null)).toBeNull()
    expect(liveOnServer(plugin('hello', { server: 'prod', manifest_version: 0 }), live)).toBeNull()
    expect(liveOnServer(plugin('hello', { server: null, manifest_version: 2 }), live)).toBeNull()
  })

  it("a changelog edit publishes when the version left the drafts and sites read the plugin's manifest", () => {
    const released = version('1.0.0', 'released')
    const deprecated = version('0.9.0', 'deprecated')
    const draft = version('1.1.0', 'draft')
    const withServer = plugin('hello', { server: 'prod' })
    expect(changelogEditPublishes(withServer, released, [draft, released, deprecated])).toBe(true)
    expect(changelogEditPublishes(withServer, deprecated, [draft, released, deprecated])).toBe(true)
    expect(changelogEditPublishes(withServer, draft, [draft, released])).toBe(false)
    expect(changelogEditPublishes(plugin('hello', { server: null }), released, [released])).toBe(false)
    expect(changelogEditPublishes(withServer, deprecated, [deprecated])).toBe(false)
  })
})
