import { describe, expect, it } from 'vitest'
import { WprmError } from '../../src-shared/errors.js'
import {
  MAX_CHANGELOG_LENGTH,
  assertConstantName,
  assertMainFilePath,
  normalizeChangelog,
  normalizeLocalTarget,
  normalizePublicUrl,
  normalizeRequirement,
  normalizeS3Target,
  parseTargetKind
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

describe('target kinds and S3 and local targets at the door', () => {
  it('takes the three kinds and refuses others with the list', () => {
    expect(['sftp', ' S3', 'local\n'].map(parseTargetKind)).toEqual(['sftp', 's3', 'local'])
    const wrong = refusal(() => parseTargetKind('ftp'))
    expect([wrong.kind, wrong.message]).toEqual(['usage', '--kind "ftp" is not a kind of server.'])
    expect(wrong.hint).toContain('--kind s3')
  })

  it('stores an S3 target with its defaults: AWS key variables, a 60 s max-age, path-style for an own endpoint', () => {
    expect(
      normalizeS3Target({
        endpoint: 'http://127.0.0.1:7480/',
        bucket: 'updates',
        keyPrefix: 'plugins',
        publicUrl: 'https://cdn.example.com/plugins'
      })
    ).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      bucket: 'updates',
      key_prefix: 'plugins/',
      public_url: 'https://cdn.example.com/plugins/',
      path_style: true,
      access_key_env: 'AWS_ACCESS_KEY_ID',
      secret_key_env: 'AWS_SECRET_ACCESS_KEY',
      mutable_max_age: 60
    })
    // Amazon S3 itself: no endpoint, the bucket in the host name; named variables; a longer max-age.
    expect(
      normalizeS3Target({
        region: 'eu-west-1',
        bucket: 'my.updates',
        publicUrl: 'https://d111.cloudfront.net/',
        accessKeyEnv: 'CI_S3_KEY',
        secretKeyEnv: 'CI_S3_SECRET',
        mutableMaxAge: '300'
      })
    ).toMatchObject({ endpoint: null, path_style: false, key_prefix: '', access_key_env: 'CI_S3_KEY', mutable_max_age: 300 })
    expect(
      normalizeS3Target({
        endpoint: 'https://acc.r2.cloudflarestorage.com',
        region: 'auto',
        bucket: 'b12',
        publicUrl: 'https://u.example.com',
        pathStyle: false
      }).path_style
    ).toBe(false)
  })

  it('refuses endpoints, buckets, prefixes, variables and max-ages that would not work, naming the option', () => {
    const s3 = (over: Partial<Parameters<typeof normalizeS3Target>[0]>) => () =>
      normalizeS3Target({ endpoint: 'https://s3.example.com', bucket: 'updates', publicUrl: 'https://cdn.example.com/', ...over })
    const cases: [Partial<Parameters<typeof normalizeS3Target>[0]>, string][] = [
      [{ endpoint: 'https://s3.example.com/updates' }, 'The S3 endpoint "https://s3.example.com/updates" has a path, query or fragment.'],
      [
        { endpoint: 'https://key:secret@s3.example.com' },
        'The S3 endpoint "https://key:secret@s3.example.com" has a user name or password in it.'
      ],
      [{ endpoint: 'ftp://s3.example.com' }, 'The S3 endpoint "ftp://s3.example.com" is ftp, not http(s).'],
      [{ endpoint: 's3.example.com' }, 'The S3 endpoint "s3.example.com" is not a URL.'],
      [{ bucket: 'Updates' }, '--bucket "Updates" is not a bucket name.'],
      [{ bucket: 'ab' }, '--bucket "ab" is not a bucket name.'],
      [{ bucket: '192.168.1.1' }, '--bucket "192.168.1.1" is not a bucket name.'],
      [{ bucket: 'a..b' }, '--bucket "a..b" is not a bucket name.'],
      [{ keyPrefix: '/plugins' }, '--key-prefix "/plugins" starts with a slash (S3 keys do not; a CDN would see a double slash).'],
      [{ keyPrefix: 'a//b' }, '--key-prefix "a//b" has an empty folder name or a character that URLs escape.'],
      [{ keyPrefix: 'my plugins' }, '--key-prefix "my plugins" has an empty folder name or a character that URLs escape.'],
      [{ keyPrefix: 'a/../b' }, '--key-prefix "a/../b" has a "." or ".." folder.'],
      [{ region: 'EU West' }, '--region "EU West" is not a region name.'],
      [{ accessKeyEnv: 'AKIAIOSFODNN7EXAMPLE=1' }, '--access-key-env "AKIAIOSFODNN7EXAMPLE=1" is not the name of an environment variable.'],
      [{ mutableMaxAge: '90000' }, '--max-age "90000" is not a number of seconds from 0 to 86,400.'],
      [{ mutableMaxAge: '1m' }, '--max-age "1m" is not a number of seconds from 0 to 86,400.'],
      [{ publicUrl: 'https://cdn.example.com/?a=1' }, 'The public URL "https://cdn.example.com/?a=1" has a query (?…).']
    ]
    for (const [over, message] of cases) {
      const error = refusal(s3(over))
      expect([error.kind, error.message]).toEqual(['usage', message])
    }
  })

  it('stores a local target as an absolute folder with its public URL', () => {
    expect(normalizeLocalTarget({ root: '/var/www/updates/', publicUrl: 'https://updates.example.com' })).toEqual({
      kind: 'local',
      root: '/var/www/updates',
      public_url: 'https://updates.example.com/'
    })
    expect(normalizeLocalTarget({ root: 'C:\\inetpub\\updates', publicUrl: 'http://127.0.0.1/' }).root).toBe('C:\\inetpub\\updates')
    for (const [root, why] of [
      ['updates', 'is not an absolute path'],
      ['/var/www/../etc', 'has a ".." in it'],
      ['', 'is empty']
    ]) {
      const error = refusal(() => normalizeLocalTarget({ root: root!, publicUrl: 'https://u.example.com/' }))
      expect(error.message).toBe(`--root ${JSON.stringify(root)} ${why}.`)
    }
  })
})
