import { describe, expect, it } from 'vitest'
import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../src-preload/api.js'
import { MANIFEST_BUDGET_BYTES, publishableManifest, serializeManifest } from '../../src-main/core/remote/manifest.js'
import { MAX_CHANGELOG_LENGTH } from '../../src-shared/input-rules.js'
import { MAX_MANIFEST_BYTES, manifestProblem } from '../../src-shared/manifest-schema.js'

const plugin = { slug: 'hello', name: 'Hello', manifest_version: 0 } as PluginRecord
const server = { public_url: 'https://updates.example.com/plugins/' } as ServerProfile

/** `count` released versions, 1.0.0 upwards, each with a changelog of `length` characters that HTML escaping makes longer. */
function releases(count: number, length: number): PluginVersionRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const v = `${Math.floor(i / 100) + 1}.${i % 100}.0`
    return {
      plugin: 'hello',
      version: v,
      status: 'released',
      changelog: `${v}: ${'Fixed "quotes" & <tags>. '.repeat(length / 25)}`.slice(0, length),
      version_code: 0,
      min_api_version: null,
      min_platform_version: '6.0',
      min_php_version: '7.4',
      force_update: false,
      file_path: `/dist/hello-v${v}.zip`,
      file_size: 40_000 + i,
      checksum: i.toString(16).padStart(64, '0'),
      checksum_md5: 'b'.repeat(32),
      released_at: '2026-01-10T12:00:00.000Z',
      revoked_at: null
    } as PluginVersionRecord
  })
}

function manifestOf(versions: readonly PluginVersionRecord[], budget?: number) {
  return publishableManifest(
    {
      plugin,
      versions,
      onServer: new Set(versions.map((v) => v.version)),
      server,
      zip: { mainFile: null, readme: null },
      manifestVersion: 3,
      now: new Date('2026-01-12T00:00:00Z')
    },
    budget
  )
}

describe('the manifest size budget', () => {
  it('is half the updater cap', () => {
    expect(MANIFEST_BUDGET_BYTES).toBe(MAX_MANIFEST_BYTES / 2)
  })

  it('keeps a small manifest whole and says nothing', () => {
    const { manifest, bytes, notes } = manifestOf(releases(12, 400))
    expect(notes).toEqual([])
    expect(bytes).toBe(Buffer.byteLength(serializeManifest(manifest)))
    expect(manifest.sections.changelog.match(/<h4>/g)).toHaveLength(12)
  })

  it('trims the changelog of many long versions to the newest that fit, keeps every version in versions[], and says so', () => {
    // 200 versions of 8,000 characters: about 2.4 MB with every changelog, past the updater's cap.
    const versions = releases(200, 8_000)
    const { manifest, bytes, notes } = manifestOf(versions)
    expect(bytes).toBeLessThanOrEqual(MANIFEST_BUDGET_BYTES)
    expect(bytes).toBe(Buffer.byteLength(serializeManifest(manifest)))
    expect(manifest.versions).toHaveLength(200)
    const listed = [...manifest.sections.changelog.matchAll(/<h4>([^<]+)<\/h4>/g)].map((m) => m[1])
    expect(listed.length).toBeGreaterThan(10)
    expect(listed.length).toBeLessThan(200)
    // The newest ones, in order: the latest is 2.99.0, then down.
    expect(listed.slice(0, 2)).toEqual(['2.99.0', '2.98.0'])
    expect(manifest.sections.changelog).toContain(`<p><em>${200 - listed.length} older versions are not listed here.</em></p>`)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(
      new RegExp(
        `^The changelog in the manifest lists the newest ${listed.length} of 200 versions: all of them would make it [\\d,]+ bytes, over its budget of 1,048,576\\. Every version is still in versions\\[\\]\\.$`
      )
    )
    // The case: whole, it would be over the updater's cap, which sites refuse without a word.
    expect(Number(/would make it ([\d,]+) bytes/.exec(notes[0]!)![1]!.replace(/,/g, ''))).toBeGreaterThan(MAX_MANIFEST_BYTES)
    expect(serializeManifest(manifestOf(versions).manifest)).toBe(serializeManifest(manifest))
    expect(manifestProblem(JSON.parse(serializeManifest(manifest)), 'hello')).toBeNull()
  })

  it('fits the longest changelogs a version may have', () => {
    const { bytes, notes } = manifestOf(releases(60, MAX_CHANGELOG_LENGTH))
    expect(bytes).toBeLessThanOrEqual(MANIFEST_BUDGET_BYTES)
    expect(notes).toHaveLength(1)
  })

  it('refuses, naming the way out, when versions[] alone is over the budget', () => {
    expect(() => manifestOf(releases(40, 100), 20_000)).toThrow(
      expect.objectContaining({
        kind: 'manifest-invalid',
        message: expect.stringMatching(
          /^The manifest of hello would be [\d,]+ bytes even with the changelog of its newest version alone, over its budget of 20,000/
        ),
        hint: 'It lists 40 versions whose ZIPs are on the server: remove old deprecated ones with wprm prune hello --keep 10.'
      })
    )
  })
})

describe('a manifest the updater would refuse is never made', () => {
  it('names the field and the value', () => {
    const versions = releases(3, 50).map((v, i) => (i === 2 ? { ...v, min_platform_version: 'latest WP' } : v))
    expect(() => manifestOf(versions)).toThrow(
      expect.objectContaining({
        kind: 'manifest-invalid',
        message:
          'The manifest of hello would be refused by the updater on every site: "requires" is not a version (it is "latest WP"). Nothing was published.',
        hint: 'It is the requirement recorded for 1.2.0 (wprm show hello 1.2.0), from before wprm checked them: release a new version with --min-wp 6.1.'
      })
    )
    const spaced = releases(2, 50).map((v, i) => (i === 0 ? { ...v, version: ' 0.9.0' } : v))
    expect(() => manifestOf(spaced)).toThrow(/"versions\[1\]\.version" is not a version \(it is " 0\.9\.0"\)/)
  })
})
