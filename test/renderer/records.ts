import type { PluginDetails, PluginRecord, PluginVersionRecord, SourceStatus, VerifyCheck, VerifyReport } from '../../src-preload/api'

// Small record builders for the store tests: only the fields a test cares about are given.

const AT = '2025-01-01T00:00:00.000Z'

/** A plugin record. */
export function plugin(slug = 'hello', overrides: Partial<PluginRecord> = {}): PluginRecord {
  return {
    slug,
    name: 'Hello',
    platform: 'wordpress',
    source_dir: `/src/${slug}`,
    main_file: `${slug}.php`,
    version_constant: 'HELLO_VERSION',
    dist_dir: `/data/dist/${slug}`,
    expected_strings: [],
    forbidden_strings: [],
    signing_key: null,
    manifest_expiry_days: 30,
    manifest_expires: null,
    server: 'prod',
    manifest_version: 0,
    published_at: null,
    created_at: AT,
    updated_at: AT,
    ...overrides
  }
}

/** A version record; built (file, checksum) unless it is a draft. */
export function version(
  v: string,
  status: PluginVersionRecord['status'],
  overrides: Partial<PluginVersionRecord> = {}
): PluginVersionRecord {
  const [major, minor, patch] = v.split('.').map(Number) as [number, number, number]
  const built = status !== 'draft'
  return {
    plugin: 'hello',
    version: v,
    status,
    changelog: `Changes in ${v}`,
    version_code: major * 10000 + minor * 100 + patch,
    min_api_version: null,
    min_platform_version: '6.0',
    min_php_version: '7.4',
    force_update: false,
    file_path: built ? `/data/dist/hello/hello-v${v}.zip` : null,
    file_size: built ? 1000 : null,
    checksum: built ? 'a'.repeat(64) : null,
    checksum_md5: built ? 'b'.repeat(32) : null,
    released_at: built ? AT : null,
    revoked_at: null,
    allowed_files: [],
    created_at: AT,
    updated_at: AT,
    ...overrides
  }
}

/** A plugin's details with the given versions (newest first, as the API answers). */
export function details(versions: PluginVersionRecord[], overrides: Partial<PluginRecord> = {}): PluginDetails {
  return {
    plugin: plugin('hello', overrides),
    versions,
    source: { header_version: '1.0.0', constant_version: '1.0.0', requires_wp: '6.0', requires_php: '7.4', name: 'Hello' },
    source_error: null
  }
}

/** A source status as the watcher reports it. */
export function sourceStatus(slug: string, checkedAt: string, changed: string[] = []): SourceStatus {
  return {
    slug,
    state: 'ok',
    source: { header_version: '1.0.0', constant_version: '1.0.0', requires_wp: '6.0', requires_php: '7.4', name: 'Hello' },
    last_built: '1.0.0',
    changed_files: changed,
    warnings: [],
    checked_at: checkedAt
  }
}

/** A check of the checklist. */
export function check(id: number, ok = true): VerifyCheck {
  return { id, title: `Check ${id}`, ok, detail: ok ? 'fine' : 'wrong', ms: 1 }
}

/** A whole report of nine checks. */
export function report(v: string, ok = true): VerifyReport {
  return { slug: 'hello', version: v, ok, checks: Array.from({ length: 9 }, (_, i) => check(i + 1, ok || i !== 3)) }
}
