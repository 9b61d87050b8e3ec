import { createHash } from 'node:crypto'
import { cp, lstat, mkdir, readFile, readdir, readlink, symlink, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AddSftpServerInput, ApiError, ErrorKind, Result } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { MAX_CHANGELOG_LENGTH } from '../../src-shared/input-rules.js'
import { runCli } from '../cli/run-cli.js'
import { mainFileText, makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'

/**
 * The bad-input catalogue (issue 11): every row is a command a user could type, spawned as `wprm --json`,
 * with the exit code (2 usage, 1 refused), the error kind, a phrase of its message or hint, and a check
 * that nothing changed: the lane's whole folder (database bytes, dist folders, sources) and the server's
 * folder, before and after.
 *
 * Speed: one update server for the file, and two lanes (a data folder, its sources and its remote root
 * each, made once through the real API) that take the rows in turn, so the rows run two at a time and
 * a change is always pinned on the row that made it.
 */

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }

/** One data folder with its plugins' sources and its own folder on the server. */
interface Lane {
  readonly root: string
  readonly dataDir: string
  readonly remoteRoot: string
  readonly profile: AddSftpServerInput
  /** The source folder of a plugin by slug. */
  source(slug: string): string
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`setup failed: ${result.error.kind}: ${result.error.message}`)
  return result.value
}

/** The broken sources: each passes `plugin add` (only the main file is read then) and is refused when built. */
const BROKEN_SOURCES: Readonly<Record<string, (dir: string) => Promise<void>>> = {
  backslash: (dir) => writeFile(path.join(dir, 'lib\\evil.php'), '<?php'),
  newline: (dir) => writeFile(path.join(dir, 'notes\nmore.txt'), 'x'),
  'case-clash': async (dir) => {
    await writeFile(path.join(dir, 'README.md'), 'a')
    await writeFile(path.join(dir, 'Readme.md'), 'b')
  },
  huge: async (dir) => {
    // Sparse: 4 GiB to the scan, nothing on the disk.
    await mkdir(path.join(dir, 'media'))
    await writeFile(path.join(dir, 'media', 'video.mp4'), '')
    await truncate(path.join(dir, 'media', 'video.mp4'), 4 * 2 ** 30)
  },
  'link-out': (dir) => symlink('/etc/hostname', path.join(dir, 'hostname')),
  'bad-header': (dir) =>
    writeFile(path.join(dir, 'bad-header.php'), mainFileText().replace('Requires at least: 6.0', 'Requires at least: latest WP')),
  'bad-php': (dir) => writeFile(path.join(dir, 'bad-php.php'), mainFileText().replace('Requires PHP: 7.4', 'Requires PHP: 7.x'))
}

/** A lane through the real API: `good` released and published on `prod`, the broken plugins added, no server. */
async function makeLane(name: string): Promise<Lane> {
  const root = path.join(temp.dir, name)
  const dataDir = path.join(root, 'data')
  const profile = await server.profile(name)
  const source = (slug: string): string => path.join(root, 'src', slug)
  await writePluginFolder(source('good'), { 'helper.php': '<?php // no header', 'includes/x.php': '<?php' }, 'good')
  const api = createApi({ dataDir })
  value(await api.addPlugin({ sourceDir: source('good') }))
  for (const [slug, breakIt] of Object.entries(BROKEN_SOURCES)) {
    await writePluginFolder(source(slug), {}, slug)
    await breakIt(source(slug))
    value(await api.addPlugin({ sourceDir: source(slug) }))
  }
  value(await api.addServer({ ...profile, name: 'prod' }))
  value(await api.setPlugin({ slug: 'good', server: 'prod' }))
  value(await api.addVersion({ slug: 'good', version: '1.0.0', changelog: 'First', status: 'released' }))
  return { root, dataDir, remoteRoot: profile.remoteRoot, profile: { ...profile, name: 'prod' }, source }
}

/** Every file, folder and link under `dir` with its content's hash (size and mtime for big files); locks left out. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (at: string): Promise<void> => {
    for (const name of (await readdir(at)).sort()) {
      const full = path.join(at, name)
      const rel = path.relative(dir, full)
      // Lock files come and go with every command, refused or not; what they guard is what counts.
      if (name === 'wprm.lock' || path.basename(at) === 'locks') continue
      const stats = await lstat(full)
      if (stats.isSymbolicLink()) out[rel] = `link → ${await readlink(full)}`
      else if (stats.isDirectory()) {
        out[`${rel}/`] = 'folder'
        await walk(full)
      } else if (stats.size > 16 * 2 ** 20) out[rel] = `${stats.size} bytes, mtime ${stats.mtimeMs}`
      else
        out[rel] = createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
    }
  }
  await walk(dir)
  return out
}

/** Hands out the lanes one row at a time each. */
class LanePool {
  private readonly waiting: ((lane: Lane) => void)[] = []
  constructor(private readonly free: Lane[]) {}

  async with<T>(body: (lane: Lane) => Promise<T>): Promise<T> {
    const lane = this.free.pop() ?? (await new Promise<Lane>((resolve) => this.waiting.push(resolve)))
    try {
      return await body(lane)
    } finally {
      const next = this.waiting.shift()
      if (next) next(lane)
      else this.free.push(lane)
    }
  }
}

let lanes: LanePool

beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-bad-input-')
  lanes = new LanePool(await Promise.all([makeLane('lane-a'), makeLane('lane-b')]))
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

/** `server add prod2 …` with the lane's working profile, some options replaced (null: left out). */
function serverAdd(lane: Lane, overrides: Readonly<Record<string, string | null>> = {}, name = 'prod2'): string[] {
  const options: Record<string, string | null> = {
    '--host': lane.profile.host,
    '--port': String(lane.profile.port),
    '--user': lane.profile.user,
    '--key': server.sshd.privateKeyPath,
    '--remote-root': lane.remoteRoot,
    '--public-url': lane.profile.publicUrl,
    '--accept-host-key': server.sshd.hostKeyFingerprint,
    ...overrides
  }
  return ['server', 'add', name, ...Object.entries(options).flatMap(([option, v]) => (v === null ? [] : v === '' ? [option] : [option, v]))]
}

/** `server add cdn --kind s3 …` with a bucket's working options, some replaced (null: left out). */
function s3Add(overrides: Readonly<Record<string, string | null>> = {}): string[] {
  return optionArgs(['server', 'add', 'cdn'], {
    '--kind': 's3',
    '--bucket': 'plugin-updates',
    '--endpoint': 'http://127.0.0.1:7480',
    '--public-url': 'https://cdn.example.com/plugins/',
    ...overrides
  })
}

/** `server add here --kind local …` with the lane's own folder as the root, some options replaced (null: left out). */
function localAdd(lane: Lane, overrides: Readonly<Record<string, string | null>> = {}): string[] {
  return optionArgs(['server', 'add', 'here'], {
    '--kind': 'local',
    '--root': lane.root,
    '--public-url': 'http://127.0.0.1:8080/u/',
    ...overrides
  })
}

/** Words and options (null: left out, '': a flag). */
function optionArgs(words: readonly string[], options: Readonly<Record<string, string | null>>): string[] {
  return [...words, ...Object.entries(options).flatMap(([option, v]) => (v === null ? [] : v === '' ? [option] : [option, v]))]
}

/** A copy of the lane's data folder whose database `edit` changes: a record written before the rules. */
async function legacyDataDir(lane: Lane, label: string, edit: (db: LegacyDatabase) => void): Promise<string> {
  const dir = path.join(lane.root, `data-${label}`)
  await cp(lane.dataDir, dir, { recursive: true, verbatimSymlinks: true })
  const file = path.join(dir, 'wprm.json')
  const db = JSON.parse(await readFile(file, 'utf8')) as LegacyDatabase
  edit(db)
  await writeFile(file, JSON.stringify(db))
  return dir
}

/** The parts of the database file a legacy row edits. */
interface LegacyDatabase {
  versions: { version: string; min_platform_version: string | null; [key: string]: unknown }[]
}

/** One bad input: what is typed, and how wprm must refuse it. */
interface Row {
  readonly name: string
  readonly args: (lane: Lane) => readonly string[]
  readonly exit: 1 | 2
  readonly kind: ErrorKind
  /** A phrase of the message (or of the hint). */
  readonly phrase: string | RegExp
  /** Another data folder for this row (made before the "before" fingerprint). */
  readonly dataDir?: (lane: Lane) => Promise<string>
}

const row = (
  name: string,
  exit: 1 | 2,
  kind: ErrorKind,
  phrase: string | RegExp,
  args: (lane: Lane) => readonly string[],
  dataDir?: Row['dataDir']
): Row => ({ name, args, exit, kind, phrase, dataDir })

const released = (slug: string) => () => ['version', 'add', slug, '1.0.0', '--changelog', 'x', '--status', 'released']
const add =
  (version: string, ...more: string[]) =>
  () => ['version', 'add', 'good', version, '--changelog', 'Fixed', ...more]

const ROWS: readonly Row[] = [
  // ---- versions ----
  row('a version with v', 1, 'invalid-version', 'starts with "v"', add('v1.2.0')),
  row('a version of two parts', 1, 'invalid-version', 'it needs three parts', add('1.2')),
  row('a leading zero', 1, 'invalid-version', 'leading zero', add('01.2.0')),
  row('a pre-release tag sites compare differently', 1, 'invalid-version', 'pre-release tag is not -alpha.N', add('1.2.0-beta1')),
  row('a MINOR of 100', 1, 'invalid-version', 'would collide', add('1.100.0')),
  row('a line break inside the version', 1, 'invalid-version', '"1.2\\n.5" is not a valid version', add('1.2\n.5')),
  row('a space inside the version', 1, 'invalid-version', 'is not MAJOR.MINOR.PATCH', add('1. 2.0')),
  row('an empty version', 1, 'invalid-version', 'it is empty', add('')),
  row('a version that exists', 1, 'already-exists', 'Version 1.0.0 already exists', add('1.0.0')),
  row('a lower version', 1, 'version-not-higher', 'not higher than 1.0.0', add('0.9.0')),
  row('a version that exists, with spaces around it', 1, 'already-exists', 'Version 1.0.0 already exists', add(' 1.0.0 ')),
  row('an empty changelog', 2, 'usage', 'The changelog is empty', () => ['version', 'add', 'good', '1.2.0', '--changelog', ' \n ']),
  row('a changelog too long for the manifest', 2, 'usage', 'at most 20,000 fit', () => [
    'version',
    'add',
    'good',
    '1.2.0',
    '--changelog',
    'x'.repeat(MAX_CHANGELOG_LENGTH + 1)
  ]),
  row('no changelog', 2, 'usage', 'The changelog is empty, and readme.txt has no entry for 1.2.0', () => [
    'version',
    'add',
    'good',
    '1.2.0'
  ]),
  row('a new version as deprecated', 1, 'invalid-transition', 'cannot start as deprecated', add('1.2.0', '--status', 'deprecated')),
  row('an unknown status', 2, 'usage', '--status must be one of', add('1.2.0', '--status', 'live')),
  // ---- requirements ----
  row('--min-wp in words', 1, 'invalid-version', '--min-wp "latest WP" is not a WordPress version', add('1.2.0', '--min-wp', 'latest WP')),
  row('--min-wp with a tag', 1, 'invalid-version', 'is not a WordPress version', add('1.2.0', '--min-wp', '6.1-beta')),
  row('--min-wp of four parts', 1, 'invalid-version', 'one to three numbers', add('1.2.0', '--min-wp', '6.1.1.1')),
  row('--min-php with an x', 1, 'invalid-version', '--min-php "7.x" is not a PHP version', add('1.2.0', '--min-php', '7.x')),
  row('--min-php as a range', 1, 'invalid-version', 'is not a PHP version', add('1.2.0', '--min-php', '>=7.4')),
  row('an empty --min-php', 1, 'invalid-version', 'leave the option out', add('1.2.0', '--min-php', '')),
  row('--min-api with a v', 1, 'invalid-version', '--min-api "v2" is not a API version', add('1.2.0', '--min-api', 'v2')),
  row('a "Requires at least" header in words', 1, 'source-invalid', 'The header "Requires at least: latest WP" in bad-header.php', () => [
    'version',
    'add',
    'bad-header',
    '1.0.0',
    '--changelog',
    'x'
  ]),
  row('a "Requires PHP" header with an x', 1, 'source-invalid', 'The header "Requires PHP: 7.x"', () => [
    'version',
    'add',
    'bad-php',
    '1.0.0',
    '--changelog',
    'x'
  ]),
  row(
    'a bad requirement inherited from a record made before the rules',
    1,
    'invalid-version',
    'which the new version would inherit',
    add('1.2.0'),
    (lane) => legacyDataDir(lane, 'inherit', (db) => (db.versions[0]!.min_platform_version = 'latest WP'))
  ),
  // ---- other commands that take a version ----
  row('release a two-part version', 1, 'invalid-version', 'three parts', () => ['release', 'good', '1.2']),
  row('release a version that does not exist', 1, 'not-found', 'no version 9.9.9', () => ['release', 'good', '9.9.9']),
  row('deprecate the last live version', 1, 'last-live-version', 'would leave good with no live version', () => [
    'deprecate',
    'good',
    '1.0.0'
  ]),
  row('roll back to a v-version', 1, 'invalid-version', 'starts with "v"', () => ['rollback', 'good', '--to', 'v1.0.0']),
  row('bump to a pre-release', 1, 'invalid-version', 'pre-release', () => ['bump', 'good', '1.2.0-rc1']),
  // ---- rollouts ----
  row('a rollout as a fraction', 2, 'usage', 'that is 10 %: write 10', () => ['rollout', 'good', '1.0.0', '--percent', '0.1']),
  row('a rollout at 0 %', 2, 'usage', '0 % is not a kill switch', () => ['rollout', 'good', '1.0.0', '--percent', '0']),
  row('a rollout over 100 %', 2, 'usage', 'is more than 100 %', () => ['rollout', 'good', '1.0.0', '--percent', '150']),
  row('a rollout in words', 2, 'usage', 'is not a percentage', () => ['rollout', 'good', '1.0.0', '--percent', 'half']),
  row('a schedule that goes down', 2, 'usage', 'does not come after 25 %', () => [
    'rollout',
    'good',
    '1.0.0',
    '--schedule',
    '25%@0h,5%@24h'
  ]),
  row('a schedule without times', 2, 'usage', 'is not a step of a schedule', () => ['rollout', 'good', '1.0.0', '--schedule', '5%,50%']),
  row('two rollout changes at once', 2, 'usage', 'Give one of --percent', () => ['rollout', 'good', '1.0.0', '--percent', '5', '--halt']),
  row('a rollout of a version on every site', 1, 'invalid-transition', 'already live on every site', () => [
    'rollout',
    'good',
    '1.0.0',
    '--percent',
    '10'
  ]),
  row('a halt with no rollout', 1, 'not-found', 'has no rollout in progress', () => ['rollout', 'good', '--halt']),
  row('bump to a word', 1, 'invalid-version', 'is not a valid version', () => ['bump', 'good', 'latest']),
  row('verify a two-part version', 1, 'invalid-version', 'three parts', () => ['verify', 'good', '1.0']),
  row('prune keeping one', 2, 'usage', '3', () => ['prune', 'good', '--keep', '1']),
  row('prune keeping a word', 2, 'usage', '--keep takes a whole number', () => ['prune', 'good', '--keep', 'all']),
  row('activity with a zero limit', 2, 'usage', '--limit takes a positive whole number', () => ['activity', '--limit', '0']),
  row('next with an unknown part', 2, 'usage', 'next takes patch, minor or major', () => ['next', 'good', 'huge']),
  // ---- plugin add ----
  row('a source folder that does not exist', 1, 'source-invalid', 'does not exist', (l) => ['plugin', 'add', path.join(l.root, 'nope')]),
  row('a source that is a file', 1, 'source-invalid', 'is not a folder', (l) => ['plugin', 'add', path.join(l.source('good'), 'good.php')]),
  row('--main-file ../other.php', 1, 'source-invalid', 'leads outside the plugin folder', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    '../other.php'
  ]),
  row('--main-file as an absolute path', 1, 'source-invalid', 'is an absolute path', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    path.join(l.source('good'), 'good.php')
  ]),
  row('--main-file in a sub-folder', 1, 'source-invalid', 'not at the top of the plugin folder', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    'includes/x.php'
  ]),
  row('--main-file with a backslash', 1, 'source-invalid', 'has a backslash', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    'includes\\x.php'
  ]),
  row('--main-file that is not PHP', 1, 'source-invalid', 'is not a .php file', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    'readme.txt'
  ]),
  row('--main-file that does not exist', 1, 'source-invalid', 'The main file missing.php is not in', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    'missing.php'
  ]),
  row('--main-file without a Plugin Name header', 1, 'source-invalid', 'helper.php has no "Plugin Name:" header', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--main-file',
    'helper.php'
  ]),
  row('--version-constant that the main file lacks', 1, 'source-invalid', 'does not define the version constant NOPE_VERSION', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--version-constant',
    'NOPE_VERSION'
  ]),
  row('--version-constant that is not a name', 2, 'usage', 'is not a PHP constant name', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--version-constant',
    "X'); evil('"
  ]),
  row('--dist-dir inside the source', 2, 'usage', 'is inside the source folder', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--dist-dir',
    path.join(l.source('good'), 'dist')
  ]),
  row('--dist-dir that is the source', 2, 'usage', 'every ZIP would contain the earlier ZIPs', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'g2',
    '--dist-dir',
    l.source('good')
  ]),
  row(
    'a data folder inside the source',
    2,
    'usage',
    'every ZIP would contain the database',
    (l) => ['plugin', 'add', l.source('good'), '--slug', 'g2'],
    async (l) => path.join(l.source('good'), '.wprm-data')
  ),
  row('a slug with capitals and a space', 2, 'usage', 'is not a valid plugin slug', (l) => [
    'plugin',
    'add',
    l.source('good'),
    '--slug',
    'My Plugin'
  ]),
  row('a plugin whose source is added again', 1, 'already-exists', 'is already the source of plugin "good"', (l) => [
    'plugin',
    'add',
    l.source('good')
  ]),
  row('plugin set a constant the main file lacks', 1, 'source-invalid', 'does not define the version constant NOPE', () => [
    'plugin',
    'set',
    'good',
    '--version-constant',
    'NOPE'
  ]),
  row('plugin set an unknown server', 1, 'not-found', 'There is no server "nope"', () => ['plugin', 'set', 'good', '--server', 'nope']),
  row('plugin set an empty expected string', 2, 'usage', 'is empty', () => ['plugin', 'set', 'good', '--expect', '']),
  // ---- server add ----
  row('a public URL with a user and password', 2, 'usage', 'has a user name or password in it', (l) =>
    serverAdd(l, { '--public-url': `http://alice:s3cret@127.0.0.1:${new URL(l.profile.publicUrl).port}/x/` })
  ),
  row('a public URL with a query', 2, 'usage', 'has a query', (l) => serverAdd(l, { '--public-url': `${l.profile.publicUrl}?token=1` })),
  row('a public URL with a fragment', 2, 'usage', 'has a fragment', (l) => serverAdd(l, { '--public-url': `${l.profile.publicUrl}#top` })),
  row('a public URL over ftp', 2, 'usage', 'is ftp, not http(s)', (l) => serverAdd(l, { '--public-url': 'ftp://127.0.0.1/x/' })),
  row('a public URL without a scheme', 2, 'usage', 'is not a URL', (l) => serverAdd(l, { '--public-url': 'updates.example.com/plugins' })),
  row('a public URL with a line break', 2, 'usage', 'has a control character (U+000A)', (l) =>
    serverAdd(l, { '--public-url': 'https://updates.exa\nmple.com/' })
  ),
  row('a relative remote root', 2, 'usage', 'is not an absolute path', (l) => serverAdd(l, { '--remote-root': 'www/plugins' })),
  row('a port out of range', 2, 'usage', 'Port 70000 is not a TCP port', (l) => serverAdd(l, { '--port': '70000' })),
  row('a host with a space', 2, 'usage', 'is not a host name or address', (l) => serverAdd(l, { '--host': 'updates example.com' })),
  row('a server name with a slash', 2, 'usage', 'is not a valid server name', (l) => serverAdd(l, {}, 'prod/2')),
  row('a password given instead of its variable', 2, 'usage', 'is not an environment variable name', (l) =>
    serverAdd(l, { '--key': null, '--password-env': 's3cret!' })
  ),
  row('two ways to log in', 2, 'usage', 'give exactly one of', (l) => serverAdd(l, { '--agent': '' })),
  row('a key file that does not exist', 2, 'usage', 'does not exist', (l) => serverAdd(l, { '--key': path.join(l.root, 'no-key') })),
  row("a host key that is not the server's", 1, 'host-key-changed', 'Nothing was saved', (l) =>
    serverAdd(l, { '--accept-host-key': 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' })
  ),
  row('a server that exists', 1, 'already-exists', 'A server "prod" already exists', (l) => serverAdd(l, {}, 'prod')),
  row('removing a server in use', 2, 'usage', 'Server prod is used by good', () => ['server', 'remove', 'prod']),
  // ---- server add --kind s3 | local: refused before anything is saved, no secret ever asked for ----
  row('an unknown target kind', 2, 'usage', '--kind must be one of sftp, s3, local', (l) => serverAdd(l, { '--kind': 'ftp' })),
  row('a bucket name with capitals', 2, 'usage', '--bucket "Plugin_Updates" is not a bucket name', () =>
    s3Add({ '--bucket': 'Plugin_Updates' })
  ),
  row('a bucket that is an IP address', 2, 'usage', 'is not a bucket name', () => s3Add({ '--bucket': '192.168.1.1' })),
  row('no bucket', 2, 'usage', 'server add --kind s3 needs --bucket', () => s3Add({ '--bucket': null })),
  row('an S3 endpoint with a path', 2, 'usage', 'has a path, query or fragment', () =>
    s3Add({ '--endpoint': 'http://127.0.0.1:7480/bucket' })
  ),
  row('an S3 endpoint with keys in it', 2, 'usage', 'has a user name or password in it', () =>
    s3Add({ '--endpoint': 'https://AKIA:s3cret@s3.example.com' })
  ),
  row('a key prefix with a leading slash', 2, 'usage', 'starts with a slash', () => s3Add({ '--key-prefix': '/plugins' })),
  row('a key prefix with ..', 2, 'usage', 'has a "." or ".." folder', () => s3Add({ '--key-prefix': 'a/../b' })),
  row('a region with capitals', 2, 'usage', 'is not a region name', () => s3Add({ '--region': 'US East' })),
  row('a max-age of two days', 2, 'usage', 'is not a number of seconds from 0 to 86,400', () => s3Add({ '--max-age': '172800' })),
  row('a max-age in words', 2, 'usage', '--max-age "a minute"', () => s3Add({ '--max-age': 'a minute' })),
  row('an S3 secret given instead of its variable', 2, 'usage', 'is not the name of an environment variable', () =>
    s3Add({ '--secret-key-env': 'wJalrXUtnFEMI/K7MDENG' })
  ),
  row('path-style on and off', 2, 'usage', 'give --path-style or --no-path-style, not both', () =>
    s3Add({ '--path-style': '', '--no-path-style': '' })
  ),
  row('an SFTP option on a bucket', 2, 'usage', '--host is for --kind sftp servers, not s3', () => s3Add({ '--host': 'example.com' })),
  row('a bucket public URL with a query', 2, 'usage', 'has a query', () => s3Add({ '--public-url': 'https://cdn.example.com/?sig=1' })),
  row('a local folder that does not exist', 2, 'usage', /does not exist\. Create it \(mkdir -p .*nope\)/, (l) =>
    localAdd(l, { '--root': path.join(l.root, 'nope') })
  ),
  row('a local root that is a file', 2, 'usage', 'is not a folder', (l) => localAdd(l, { '--root': path.join(l.dataDir, 'wprm.json') })),
  row('a local root with a line break', 2, 'usage', 'has a control character', (l) => localAdd(l, { '--root': '/srv/up\ndates' })),
  row('a local folder without a public URL', 2, 'usage', 'server add --kind local needs --public-url', (l) =>
    localAdd(l, { '--public-url': null })
  ),
  row('a bucket option on a local folder', 2, 'usage', '--bucket is for --kind s3 servers, not local', (l) =>
    localAdd(l, { '--bucket': 'plugin-updates' })
  ),
  row('a local access log that is relative', 2, 'usage', 'is not an absolute file path', (l) =>
    localAdd(l, { '--access-log': 'access.log' })
  ),
  row('a max-age on an sftp server', 2, 'usage', '--max-age is for s3 servers; prod is sftp', () => [
    'server',
    'set',
    'prod',
    '--max-age',
    '30'
  ]),
  // ---- the scan ----
  row('a file name with a backslash', 1, 'source-invalid', '"lib\\\\evil.php" in the source has a backslash', released('backslash')),
  row(
    'a file name with a line break',
    1,
    'source-invalid',
    '"notes\\nmore.txt" in the source has a control character (U+000A)',
    released('newline')
  ),
  row(
    'two names that differ only in case',
    1,
    'source-invalid',
    '"README.md" and "Readme.md" in the source differ only in case',
    released('case-clash')
  ),
  row(
    'a file of 4 GiB',
    1,
    'source-invalid',
    '"media/video.mp4" in the source is 4,294,967,296 bytes (4.0 GiB): a ZIP that large needs ZIP64',
    released('huge')
  ),
  row('a link out of the source', 1, 'source-invalid', 'leads outside the source folder', released('link-out')),
  // ---- publishing: a manifest the updater would refuse is never published ----
  row(
    'publish a record whose requirement is in words',
    1,
    'manifest-invalid',
    '"requires" is not a version (it is "latest WP"). Nothing was published.',
    () => ['publish', 'good'],
    (lane) => legacyDataDir(lane, 'requires', (db) => (db.versions[0]!.min_platform_version = 'latest WP'))
  ),
  row(
    'publish a version stored with a space',
    1,
    'manifest-invalid',
    '"version" is not a version (it is " 1.0.0")',
    () => ['publish', 'good'],
    (lane) => legacyDataDir(lane, 'spaced', (db) => (db.versions[0]!.version = ' 1.0.0'))
  ),
  row('publish a plugin without a server', 2, 'usage', 'has no server to publish to', () => ['publish', 'bad-php']),
  row('publish an unknown plugin', 1, 'not-found', 'There is no plugin "nope"', () => ['publish', 'nope']),
  // ---- the command line itself ----
  row('an unknown command', 2, 'usage', 'unknown command', () => ['frobnicate']),
  row('an unknown option', 2, 'usage', "Unknown option '--frobnicate'", () => ['plugin', 'list', '--frobnicate']),
  row('too many arguments', 2, 'usage', 'wrong number of arguments', () => [
    'version',
    'add',
    'good',
    '1.2.0',
    'extra',
    '--changelog',
    'x'
  ]),
  row('--data-dir without a folder', 2, 'usage', '--data-dir needs a folder', () => ['--data-dir'])
]

describe('the bad-input catalogue', () => {
  it('has at least 60 rows, with unique names', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60)
    expect(new Set(ROWS.map((r) => r.name)).size).toBe(ROWS.length)
  })

  it.concurrent.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, r) => {
    await lanes.with(async (lane) => {
      const dataDir = r.dataDir === undefined ? lane.dataDir : await r.dataDir(lane)
      const [localBefore, remoteBefore] = await Promise.all([fingerprint(lane.root), fingerprint(lane.remoteRoot)])
      const run = await runCli(['--json', ...r.args(lane)], { dataDir })
      const printed = JSON.parse(run.stdout || 'null') as { ok: boolean; error: ApiError } | null
      expect(printed, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toMatchObject({ ok: false, error: { kind: r.kind } })
      expect(run.code, run.stderr).toBe(r.exit)
      const { message, hint } = printed!.error
      expect(hint, 'every refusal says what to do').not.toBe('')
      const words = `${message} ${hint}`
      if (typeof r.phrase === 'string') expect(words).toContain(r.phrase)
      else expect(words).toMatch(r.phrase)
      // One line on stderr, whatever the input carried (line breaks are shown escaped).
      expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1)
      expect(run.stderr).not.toContain('internal error')
      const [localAfter, remoteAfter] = await Promise.all([fingerprint(lane.root), fingerprint(lane.remoteRoot)])
      expect(localAfter, 'the database, dist folders and sources are unchanged').toEqual(localBefore)
      expect(remoteAfter, "the server's folder is unchanged").toEqual(remoteBefore)
    })
  })
})

describe('inputs taken in their stored form', () => {
  it('trims a version and requirements typed with spaces or a line break, everywhere they go', async () => {
    const lane = await makeLane('lane-trim')
    const wprm = (...args: string[]) => runCli(['--json', ...args], { dataDir: lane.dataDir })
    const first = await wprm('version', 'add', 'good', ' 1.2.4', '--changelog', 'Spaced', '--status', 'released', '--min-wp', ' 6.1 ')
    expect(first.code, first.stderr).toBe(0)
    const second = await wprm('version', 'add', 'good', '1.2.5\n', '--changelog', 'From a script', '--min-php', '8.0\n')
    expect(second.code, second.stderr).toBe(0)
    expect((await wprm('release', 'good', ' 1.2.5 ')).code).toBe(0)
    const versions = (JSON.parse((await wprm('plugin', 'show', 'good')).stdout) as { versions: Record<string, unknown>[] }).versions
    expect(versions.map((v) => [v.version, v.min_platform_version, v.min_php_version])).toEqual([
      ['1.2.5', '6.1', '8.0'],
      ['1.2.4', '6.1', '7.4'],
      ['1.0.0', '6.0', '7.4']
    ])
    const dist = await readdir(path.join(lane.dataDir, 'dist', 'good'))
    expect(dist.sort()).toEqual(['good-latest.zip', 'good-v1.0.0.zip', 'good-v1.2.4.zip', 'good-v1.2.5.zip'])
    const manifest = JSON.parse(await readFile(path.join(lane.remoteRoot, 'good', 'info.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({ version: '1.2.5', requires: '6.1', requires_php: '8.0' })
    expect(JSON.stringify(manifest)).not.toMatch(/v 1\.2|1\.2\.5\\n/)
  })
})
