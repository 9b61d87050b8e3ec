import { describe, expect, it } from 'vitest'
import type { PluginVersionRecord, VersionStatus } from '../../src-preload/api.js'
import { VERSION_STATUSES } from '../../src-preload/api.js'
import { WprmError } from '../../src-main/core/errors.js'
import {
  assertNewVersionAllowed,
  assertTransitionAllowed,
  channelOf,
  compareVersions,
  latestLive,
  latestLiveBeta,
  normalizeVersion,
  parseVersion,
  suggestNext,
  versionCode
} from '../../src-shared/versions.js'

function refusal(action: () => unknown): WprmError {
  try {
    action()
  } catch (error) {
    if (error instanceof WprmError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('parseVersion', () => {
  it('accepts MAJOR.MINOR.PATCH', () => {
    expect(parseVersion('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 })
    expect(parseVersion('0.0.0')).toEqual({ major: 0, minor: 0, patch: 0 })
    expect(parseVersion(' 10.99.99 ')).toEqual({ major: 10, minor: 99, patch: 99 })
  })

  it.each([
    ['v1.2.0', /starts with "v"/, /1\.2\.0/],
    ['1.2', /three parts/, /1\.2\.0/],
    ['01.2.3', /leading zero/, /1\.2\.3/],
    ['', /empty/, /MAJOR\.MINOR\.PATCH/],
    ['1.2.3-beta1', /pre-release tag is not -alpha\.N, -beta\.N or -rc\.N/, /1\.2\.3-beta\.1/],
    ['1.2.3-preview.1', /pre-release tag/, /1\.2\.3-rc\.2/],
    ['1.2.3-beta.0', /pre-release tag/, /from 1 to 99/],
    ['1.2.3+build', /build tags/, /1\.2\.3/],
    ['1.2.3-beta.1+build', /build tags/, /1\.2\.3-beta\.1/],
    ['1.100.0', /MINOR part is 100 or more.*collide/, /below 100/],
    ['1.0.100', /PATCH part is 100 or more/, /below 100/],
    ['banana', /not MAJOR\.MINOR\.PATCH/, /1\.2\.0/]
  ])('refuses %j with a message that says why and what to do', (input, why, hint) => {
    const error = refusal(() => parseVersion(input))
    expect(error.kind).toBe('invalid-version')
    expect(error.message).toMatch(why)
    expect(error.hint).toMatch(hint)
  })
})

describe('pre-releases', () => {
  it('accepts -alpha.N, -beta.N and -rc.N, ordered below their release as semver and PHP order them', () => {
    expect(parseVersion('1.4.0-beta.1')).toEqual({ major: 1, minor: 4, patch: 0, prerelease: { tag: 'beta', number: 1 } })
    expect(normalizeVersion(' 1.4.0-rc.2 ')).toBe('1.4.0-rc.2')
    const sorted = ['1.4.0', '1.4.0-rc.10', '1.3.9', '1.4.0-alpha.1', '1.4.0-rc.2', '1.4.0-beta.1'].sort(compareVersions)
    expect(sorted).toEqual(['1.3.9', '1.4.0-alpha.1', '1.4.0-beta.1', '1.4.0-rc.2', '1.4.0-rc.10', '1.4.0'])
    expect(channelOf('1.4.0-rc.2')).toBe('beta')
    expect(channelOf('1.4.0')).toBe('stable')
  })

  it("carries its release's version code (the code names the release; the order is the version's)", () => {
    expect(versionCode('1.4.0-beta.1')).toBe(10400)
    expect(versionCode('1.4.0')).toBe(10400)
  })

  it('lets a stable fix follow a higher beta, and a beta only follow every version', () => {
    expect(() => assertNewVersionAllowed('1.3.1', ['1.3.0', '1.4.0-beta.1'])).not.toThrow()
    expect(() => assertNewVersionAllowed('1.4.0-beta.2', ['1.3.1', '1.4.0-beta.1'])).not.toThrow()
    expect(refusal(() => assertNewVersionAllowed('1.4.0-beta.1', ['1.4.0'])).kind).toBe('version-not-higher')
    expect(refusal(() => assertNewVersionAllowed('1.3.0-rc.1', ['1.3.0', '1.4.0-beta.1'])).kind).toBe('version-not-higher')
  })

  it('suggests the release itself after a pre-release', () => {
    expect(suggestNext('1.4.0-rc.2')).toEqual({ patch: '1.4.0', minor: '1.4.0', major: '2.0.0' })
  })

  it('keeps latestLive to stable versions: a live pre-release is the beta offer only', () => {
    const v = (version: string, status: VersionStatus): PluginVersionRecord => ({ version, status }) as PluginVersionRecord
    const versions = [v('1.3.0', 'released'), v('1.4.0-beta.1', 'released')]
    expect(latestLive(versions)?.version).toBe('1.3.0')
    expect(latestLiveBeta(versions)?.version).toBe('1.4.0-beta.1')
  })
})

describe('versionCode', () => {
  it('follows MAJOR*10000 + MINOR*100 + PATCH', () => {
    expect(versionCode('1.0.0')).toBe(10000)
    expect(versionCode('1.0.1')).toBe(10001)
    expect(versionCode('1.2.0')).toBe(10200)
    expect(versionCode('1.2.3')).toBe(10203)
    expect(versionCode('2.0.0')).toBe(20000)
    expect(versionCode('1.99.99')).toBeLessThan(versionCode('2.0.0'))
  })
})

describe('assertNewVersionAllowed', () => {
  it('allows a version higher than all others', () => {
    expect(() => assertNewVersionAllowed('1.3.0', ['1.2.9', '1.0.0'])).not.toThrow()
    expect(() => assertNewVersionAllowed('1.0.0', [])).not.toThrow()
  })

  it('refuses duplicates and versions that are not higher', () => {
    expect(refusal(() => assertNewVersionAllowed('1.2.0', ['1.2.0'])).kind).toBe('already-exists')
    const lower = refusal(() => assertNewVersionAllowed('1.1.9', ['1.2.0', '1.0.0']))
    expect(lower.kind).toBe('version-not-higher')
    expect(lower.message).toContain('1.2.0')
  })
})

describe('suggestNext', () => {
  it('suggests patch, minor and major', () => {
    expect(suggestNext('1.2.3')).toEqual({ patch: '1.2.4', minor: '1.3.0', major: '2.0.0' })
    expect(suggestNext(null)).toEqual({ patch: '1.0.0', minor: '1.0.0', major: '1.0.0' })
  })

  it('carries instead of reaching 100', () => {
    expect(suggestNext('1.2.99').patch).toBe('1.3.0')
    expect(suggestNext('1.99.99')).toEqual({ patch: '2.0.0', minor: '2.0.0', major: '2.0.0' })
  })
})

describe('status transitions', () => {
  const allowed: Record<VersionStatus, VersionStatus[]> = {
    draft: ['released', 'update_ready'],
    released: ['update_ready', 'deprecated'],
    update_ready: ['deprecated'],
    deprecated: ['released']
  }
  for (const from of VERSION_STATUSES) {
    for (const to of VERSION_STATUSES) {
      const ok = allowed[from].includes(to)
      it(`${from} → ${to} is ${ok ? 'allowed' : 'refused'}`, () => {
        if (ok) expect(() => assertTransitionAllowed('1.0.0', from, to)).not.toThrow()
        else {
          const error = refusal(() => assertTransitionAllowed('1.0.0', from, to))
          expect(error.kind).toBe('invalid-transition')
          expect(error.message).toContain(from === to ? `already ${to}` : `from ${from} to ${to}`)
        }
      })
    }
  }
})

describe('latestLive', () => {
  const record = (version: string, status: VersionStatus): PluginVersionRecord => ({ version, status }) as PluginVersionRecord
  it('is the highest released or update-ready version', () => {
    expect(
      latestLive([record('1.0.0', 'released'), record('1.2.0', 'update_ready'), record('1.3.0', 'draft'), record('1.1.0', 'released')])
        ?.version
    ).toBe('1.2.0')
    expect(latestLive([record('2.0.0', 'deprecated'), record('1.0.0', 'released')])?.version).toBe('1.0.0')
    expect(latestLive([record('1.0.0', 'draft')])).toBeNull()
  })
})
