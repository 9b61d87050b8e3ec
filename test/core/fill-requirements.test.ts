import { describe, expect, it } from 'vitest'
import type { PluginVersionRecord } from '../../src-preload/api.js'
import { fillRequirements } from '../../src-main/core/ops/releases.js'

const input = { slug: 'hello', version: '1.1.0', changelog: 'x' }
const header = { requires_wp: '6.0', requires_php: '7.4' }
const previous = (fields: Partial<PluginVersionRecord>) =>
  ({ version: '1.0.0', min_api_version: null, min_platform_version: null, min_php_version: null, ...fields }) as PluginVersionRecord

describe('fillRequirements', () => {
  it('takes the given value, trimmed, else the previous version, else the header', () => {
    expect(fillRequirements({ ...input, minPlatformVersion: ' 6.2\n' }, null, header, 'hello.php')).toEqual({
      min_api_version: null,
      min_platform_version: '6.2',
      min_php_version: '7.4'
    })
    expect(fillRequirements(input, previous({ min_php_version: '8.0', min_api_version: '2.0' }), header, 'hello.php')).toEqual({
      min_api_version: '2.0',
      // The previous version had none: the header's, as before the rules.
      min_platform_version: '6.0',
      min_php_version: '8.0'
    })
  })

  it('refuses a bad value wherever it comes from, naming the source', () => {
    expect(() => fillRequirements(input, null, { ...header, requires_wp: 'latest WP' }, 'hello.php')).toThrow(
      'The header "Requires at least: latest WP" in hello.php is not a WordPress version'
    )
    expect(() => fillRequirements(input, previous({ min_php_version: '7.x' }), header, 'hello.php')).toThrow(
      'that 1.0.0 requires, which the new version would inherit'
    )
    // A bad inherited value is no obstacle when the user gives a good one.
    expect(
      fillRequirements({ ...input, minPhpVersion: '8.1' }, previous({ min_php_version: '7.x' }), header, 'hello.php').min_php_version
    ).toBe('8.1')
  })
})
