import { describe, expect, it } from 'vitest'
import { WprmError } from '../../src-shared/errors.js'
import {
  MAX_CHANGELOG_LENGTH,
  assertConstantName,
  assertMainFilePath,
  normalizeChangelog,
  normalizePublicUrl,
  normalizeRequirement
} from '../../src-shared/input-rules.js'
import { newVersionProblem, normalizeVersion } from '../../src-shared/versions.js'

function refusal(action: () => unknown): WprmError {
  try {
    action()
  } catch (error) {
    if (error instanceof WprmError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('versions at the door', () => {
  it('stores the trimmed form, and shows what was typed on one line when refusing', () => {
    expect(normalizeVersion(' 1.2.4')).toBe('1.2.4')
    expect(normalizeVersion('1.2.5\n')).toBe('1.2.5')
    expect(normalizeVersion('\t2.0.0 \r\n')).toBe('2.0.0')
    const inside = refusal(() => normalizeVersion('1.2\n.5'))
    expect(inside.message).toBe('"1.2\\n.5" is not a valid version: it is not MAJOR.MINOR.PATCH.')
    expect(refusal(() => normalizeVersion('1. 2.5')).kind).toBe('invalid-version')
  })

  it("gives the New-version form addVersion's words", () => {
    expect(newVersionProblem(' 1.3.0 ', ['1.2.0'])).toBeNull()
    expect(newVersionProblem('1.2', [])).toBe(
      '"1.2" is not a valid version: it needs three parts. Write all three parts, for example 1.2.0 for "1.2".'
    )
    expect(newVersionProblem('1.1.0', ['1.2.0'])).toMatch(/^Version 1\.1\.0 is not higher than 1\.2\.0/)
    expect(newVersionProblem('1.2.0 ', ['1.2.0'])).toMatch(/^Version 1\.2\.0 already exists\./)
  })
})

describe('requirements', () => {
  it.each(['6.1', '7.4', '5.5.1', '8', ' 6.1 ', '6.1\n'])('accepts %j', (value) => {
    expect(normalizeRequirement('wp', value, { kind: 'input' })).toBe(value.trim())
  })

  it.each(['latest WP', '6.x', '6.1-beta', 'v6.1', '6.1.1.1', '', '  ', '6..1', '>=7.4', '1234567.0'])('refuses %j', (value) => {
    const error = refusal(() => normalizeRequirement('php', value, { kind: 'input' }))
    expect(error.kind).toBe('invalid-version')
    expect(error.message).toMatch(/^--min-php ".*" is not a PHP version: /)
    expect(error.hint).toContain('--min-php 7.4')
  })

  it('names the header or the version a bad value came from', () => {
    const header = refusal(() => normalizeRequirement('wp', 'latest WP', { kind: 'header', file: 'hello.php' }))
    expect(header).toMatchObject({
      kind: 'source-invalid',
      message: expect.stringContaining('"Requires at least: latest WP" in hello.php')
    })
    const inherited = refusal(() => normalizeRequirement('wp', 'latest WP', { kind: 'previous', version: '1.2.0' }))
    expect(inherited.message).toContain('that 1.2.0 requires, which the new version would inherit')
    expect(inherited.hint).toBe('Give the new version its own, e.g. --min-wp 6.1.')
  })
})

describe('the changelog', () => {
  it('is trimmed, and refused when empty or longer than the manifest can carry', () => {
    expect(normalizeChangelog('  Fixed it.\n')).toBe('Fixed it.')
    expect(refusal(() => normalizeChangelog(' \n ')).message).toBe('The changelog is empty.')
    expect(normalizeChangelog('x'.repeat(MAX_CHANGELOG_LENGTH))).toHaveLength(MAX_CHANGELOG_LENGTH)
    expect(refusal(() => normalizeChangelog('x'.repeat(MAX_CHANGELOG_LENGTH + 1))).message).toBe(
      'The changelog has 20,001 characters; at most 20,000 fit.'
    )
  })
})

describe('public URLs', () => {
  it.each([
    ['https://updates.example.com/plugins', 'https://updates.example.com/plugins/'],
    [' https://updates.example.com/plugins/ ', 'https://updates.example.com/plugins/'],
    ['http://127.0.0.1:8080/u/', 'http://127.0.0.1:8080/u/'],
    ['HTTPS://Updates.Example.com/P/', 'https://updates.example.com/P/']
  ])('stores %j as %j', (input, stored) => {
    expect(normalizePublicUrl(input)).toBe(stored)
  })

  it.each([
    ['http://alice:s3cret@updates.example.com/', /has a user name or password in it/],
    ['https://alice@updates.example.com/', /has a user name or password/],
    ['https://@updates.example.com/', /has a user name or password/],
    ['https://updates.example.com/plugins/?token=1', /has a query/],
    ['https://updates.example.com/plugins/?', /has a query/],
    ['https://updates.example.com/plugins/#top', /has a fragment/],
    ['ftp://updates.example.com/', /is ftp, not http\(s\)/],
    ['updates.example.com/plugins', /is not a URL/],
    ['https://updates.example.com/a b/', /has a space in it/],
    ['https://updates.exa\nmple.com/', /has a control character \(U\+000A\)/],
    [`https://updates.example.com/${'a'.repeat(1100)}/`, /longer than 1024/]
  ])('refuses %j', (input, message) => {
    const error = refusal(() => normalizePublicUrl(input))
    expect(error.kind).toBe('usage')
    expect(error.message).toMatch(message)
    expect(error.message.split('\n')).toHaveLength(1)
  })
})

describe('main file and version constant', () => {
  it.each(['my-plugin.php', 'My Plugin.PHP'])('accepts %j', (name) => expect(assertMainFilePath(name)).toBe(name))

  it.each([
    ['../other.php', /leads outside the plugin folder/],
    ['/etc/passwd.php', /is an absolute path/],
    ['C:plugin.php', /is an absolute path/],
    ['inc\\main.php', /has a backslash/],
    ['includes/main.php', /is not at the top of the plugin folder/],
    ['readme.txt', /is not a \.php file/],
    ['', /is empty/],
    ['main\n.php', /control character/]
  ])('refuses %j', (name, message) => {
    const error = refusal(() => assertMainFilePath(name))
    expect(error.kind).toBe('source-invalid')
    expect(error.message).toMatch(message)
  })

  it('accepts PHP constant names only', () => {
    expect(assertConstantName('MY_PLUGIN_VERSION')).toBe('MY_PLUGIN_VERSION')
    expect(refusal(() => assertConstantName('1ST')).kind).toBe('usage')
    expect(refusal(() => assertConstantName("X'); evil('")).message).toContain('is not a PHP constant name')
  })
})
