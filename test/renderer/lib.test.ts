import { describe, expect, it } from 'vitest'
import { shortChecksum, shortPath } from '../../src-renderer/src/lib/format'
import { formatBytes } from '../../src-shared/format'
import { reportFileName, reportToJson, reportToMarkdown } from '../../src-renderer/src/lib/report'
import { planRollback, previewRollback, rollbackCandidates } from '../../src-shared/rollback-plan'
import { compareVersions, latestLive, versionCodeOrNull } from '../../src-shared/versions'
import { report, version } from './records'

describe('renderer helpers', () => {
  it('compute version codes and order versions with the shared rules', () => {
    expect(versionCodeOrNull('1.2.3')).toBe(10203)
    expect(versionCodeOrNull('1.100.0')).toBeNull()
    expect(versionCodeOrNull('v1.2.0')).toBeNull()
    expect(['1.10.0', '1.9.0', '2.0.0'].sort(compareVersions)).toEqual(['1.9.0', '1.10.0', '2.0.0'])
    expect(latestLive([version('2.0.0', 'draft'), version('1.1.0', 'update_ready'), version('1.0.0', 'released')])?.version).toBe('1.1.0')
  })

  it('plan a rollback: what is revoked, what is live again, and which versions can be chosen', () => {
    const versions = [
      version('1.2.0', 'released'),
      version('1.1.0', 'update_ready'),
      version('1.0.1', 'deprecated'),
      version('1.0.0', 'released'),
      version('0.9.0', 'draft')
    ]
    expect(rollbackCandidates(versions).map((v) => v.version)).toEqual(['1.1.0', '1.0.1', '1.0.0'])
    // The screen plans with the core's own planner (src-shared/rollback-plan.ts).
    const plan = planRollback(versions, '1.0.1')
    expect(plan.revoke.map((v) => v.version)).toEqual(['1.2.0', '1.1.0'])
    expect(plan.reactivate).toBe(true)
    expect(plan.currentLatest?.version).toBe('1.2.0')
    expect(previewRollback(versions, '1.0.0')?.reactivate).toBe(false)
    expect(previewRollback(versions, '3.0.0')).toBeNull()
    expect(previewRollback(versions, '1.2.0')).toBeNull()
    expect(rollbackCandidates([version('1.0.0', 'released', { file_path: null })])).toEqual([])
  })

  it('write the report as Markdown and JSON', () => {
    const r = report('1.0.0', false)
    const md = reportToMarkdown(r, new Date('2025-01-01T00:00:00Z'))
    expect(md).toContain('# Verification of hello 1.0.0')
    expect(md).toContain('**Some checks failed**: 8 of 9')
    expect(md).toContain('- ✗ **Check 4** — wrong')
    expect(JSON.parse(reportToJson(r))).toEqual(r)
    expect(reportFileName(r, 'md')).toBe('hello-1.0.0-verification.md')
  })

  it('format sizes, checksums and paths', () => {
    expect(formatBytes(629)).toBe('629 B')
    expect(formatBytes(2048)).toBe('2.0 KiB')
    expect(formatBytes(null)).toBe('—')
    expect(shortChecksum('0123456789abcdef')).toBe('0123456789ab')
    expect(shortPath('/home/me/src/plugins/hello', 2)).toBe('…/plugins/hello')
    expect(shortPath('/src/hello', 3)).toBe('/src/hello')
  })
})
