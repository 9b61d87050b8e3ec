import { describe, expect, it } from 'vitest'
import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../src-preload/api.js'
import { buildManifest, publicUrl } from '../../src-main/core/remote/manifest.js'

const plugin = { slug: 'my plugin', name: 'My <Plugin>', manifest_version: 4 } as PluginRecord
const server = { public_url: 'https://updates.example.com/plugins/' } as ServerProfile
const version = (v: string, status: PluginVersionRecord['status'], extra: Partial<PluginVersionRecord> = {}): PluginVersionRecord =>
  ({
    plugin: plugin.slug,
    version: v,
    status,
    changelog: `Changes of ${v}\nsecond line`,
    version_code: 0,
    min_api_version: null,
    min_platform_version: '6.0',
    min_php_version: '7.4',
    force_update: false,
    file_path: `/dist/${v}.zip`,
    file_size: 1000,
    checksum: 'a'.repeat(64),
    checksum_md5: 'b'.repeat(32),
    released_at: '2026-01-10T12:00:00.000Z',
    revoked_at: null,
    allowed_files: [],
    ...extra
  }) as PluginVersionRecord

describe('buildManifest', () => {
  const versions = [
    version('1.0.0', 'released'),
    version('1.2.0', 'deprecated', { revoked_at: '2026-01-11T00:00:00.000Z' }),
    version('1.1.0', 'update_ready', { force_update: true, changelog: 'SECURITY: fix\nmore' }),
    version('1.3.0', 'draft', { checksum: null, file_path: null })
  ]
  const manifest = buildManifest({
    plugin,
    versions,
    onServer: new Set(['1.0.0', '1.1.0', '1.2.0']),
    server,
    zip: {
      mainFile: '<?php /* Plugin Name: X\n * Plugin URI: https://example.com/x\n * Description: Does <things>\n */',
      readme: '=== X ===\nTested up to: 6.4\n'
    },
    manifestVersion: 5,
    now: new Date('2026-01-12T00:00:00Z')
  })

  it('describes the latest live version with a versioned, URL-encoded download URL', () => {
    expect(manifest).toMatchObject({
      // Plain text, as wordpress.org's readme parser makes it: tags stripped (WordPress prints the name raw).
      name: 'My',
      version: '1.1.0',
      download_url: 'https://updates.example.com/plugins/my%20plugin/my%20plugin-v1.1.0.zip',
      homepage: 'https://example.com/x',
      tested: '6.4',
      requires: '6.0',
      requires_php: '7.4',
      autoupdate: true,
      force_update: true,
      update_ready: true,
      upgrade_notice: 'SECURITY: fix',
      manifest_version: 5,
      generated_at: '2026-01-12T00:00:00.000Z',
      revoked: ['1.2.0']
    })
    expect(manifest.download_url).not.toContain('latest')
  })

  it('lists published versions newest first; without a readme, the header describes it as plain text', () => {
    expect(manifest.versions.map((v) => [v.version, v.status, v.revoked])).toEqual([
      ['1.2.0', 'deprecated', true],
      ['1.1.0', 'update_ready', false],
      ['1.0.0', 'released', false]
    ])
    expect(manifest.versions[0]).toMatchObject({ requires: '6.0', requires_php: '7.4' })
    // The readme given has no sections: the header's Description, tags stripped (wordpress.org's plain text).
    expect(manifest.sections.description).toBe('<p>Does</p>')
    expect(manifest.sections.changelog).toContain('<h4>1.2.0 (withdrawn)</h4>')
    // A changelog is Markdown: two lines are one paragraph, as wordpress.org renders them.
    expect(manifest.sections.changelog).toContain('<p>Changes of 1.0.0\nsecond line</p>')
    expect(manifest.sections.changelog).not.toContain('1.3.0')
  })

  it('builds public URLs under the base URL', () => {
    expect(publicUrl(server, 'x', 'info.json')).toBe('https://updates.example.com/plugins/x/info.json')
  })
})
