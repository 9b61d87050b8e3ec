import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ParseArgsConfig } from 'node:util'
import type { ApiError, Result, ServerAuth, ServerProfile, TargetKind, VersionStatus, WprmApi } from '../../src-preload/api.js'
import { TARGET_KINDS, VERSION_STATUSES } from '../../src-preload/api.js'
import { targetSummary } from '../../src-shared/server-targets.js'
import { blockingFindings } from '../../src-shared/file-preview.js'
import {
  formatActivity,
  formatFilePreview,
  formatPublish,
  formatRollback,
  formatServers,
  formatVerify,
  formatCheck,
  formatPlugin,
  formatPluginDetails,
  formatPluginList,
  formatStatusChange,
  formatVersion,
  formatVersionList,
  formatPull,
  formatAddedPlugin,
  formatRollout
} from './format.js'
import { formatStatsPull, formatStatsReport } from './stats-format.js'

/** What a command produced: data for `--json` and text for people, or an expected failure. */
export type Outcome =
  | {
      readonly ok: true
      readonly json: unknown
      readonly text: string
      /** Printed, but the run failed (a failed check). */ readonly failed?: boolean
    }
  | { readonly ok: false; readonly error: ApiError }

/** A usage mistake: exit code 2. */
export class UsageError extends Error {}

type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>

/** One CLI command: its words, its usage line and how it runs. */
export interface Command {
  readonly words: readonly string[]
  readonly args: string
  readonly summary: string
  readonly options: NonNullable<ParseArgsConfig['options']>
  readonly positionals: readonly [min: number, max: number]
  run(api: WprmApi, positionals: readonly string[], values: OptionValues): Promise<Outcome>
}

function present<T>(result: Result<T>, format: (value: T) => string): Outcome {
  return result.ok ? { ok: true, json: result.value, text: format(result.value) } : result
}

function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

function stringList(values: OptionValues, name: string): string[] | undefined {
  const value = values[name]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined
}

/** The authentication options of `server add`: exactly one way to log in. */
function parseAuth(values: OptionValues): ServerAuth {
  const key = optionalString(values, 'key')
  const keyEnv = optionalString(values, 'key-env')
  const passwordEnv = optionalString(values, 'password-env')
  const agent = values.agent === true
  const chosen = [key !== undefined, keyEnv !== undefined, passwordEnv !== undefined, agent].filter(Boolean).length
  if (chosen !== 1) throw new UsageError('give exactly one of --key FILE, --key-env VAR, --agent, --password-env VAR')
  if (key !== undefined) return { kind: 'key', key_path: key, passphrase_env: optionalString(values, 'passphrase-env') ?? null }
  if (keyEnv !== undefined) return { kind: 'key-env', key_env: keyEnv, passphrase_env: optionalString(values, 'passphrase-env') ?? null }
  if (optionalString(values, 'passphrase-env') !== undefined) throw new UsageError('--passphrase-env goes with --key or --key-env')
  return agent ? { kind: 'agent' } : { kind: 'password', password_env: passwordEnv! }
}

/** The options of `server add`, by the target kinds that take them (the rest are refused by name). */
const SERVER_ADD_KIND_OPTIONS: Readonly<Record<TargetKind, readonly string[]>> = {
  sftp: [
    'host',
    'port',
    'user',
    'key',
    'key-env',
    'agent',
    'password-env',
    'passphrase-env',
    'remote-root',
    'accept-host-key',
    'access-log'
  ],
  s3: ['bucket', 'endpoint', 'region', 'key-prefix', 'path-style', 'no-path-style', 'access-key-env', 'secret-key-env', 'max-age'],
  local: ['root', 'access-log']
}

const SERVER_ADD_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  kind: { type: 'string' },
  'public-url': { type: 'string' },
  ...Object.fromEntries(
    [...new Set(Object.values(SERVER_ADD_KIND_OPTIONS).flat())].map((name) => [
      name,
      ['agent', 'path-style', 'no-path-style'].includes(name)
        ? { type: 'boolean' as const }
        : name === 'access-log'
          ? { type: 'string' as const, multiple: true }
          : { type: 'string' as const }
    ])
  )
}

/** `--kind`: sftp when left out. */
function parseTargetKind(values: OptionValues): TargetKind {
  const kind = optionalString(values, 'kind') ?? 'sftp'
  if (!(TARGET_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`--kind must be one of ${TARGET_KINDS.join(', ')} (got "${kind}")`)
  return kind as TargetKind
}

/** An option of another kind is a mistake to name (a --host on a bucket would be ignored silently otherwise). */
function refuseOtherKinds(kind: TargetKind, values: OptionValues): void {
  const mine = SERVER_ADD_KIND_OPTIONS[kind]
  const stray = Object.keys(values).find(
    (option) => option !== 'kind' && option !== 'public-url' && values[option] !== undefined && !mine.includes(option)
  )
  if (stray === undefined) return
  const owner = TARGET_KINDS.find((k) => SERVER_ADD_KIND_OPTIONS[k].includes(stray))
  throw new UsageError(`--${stray} is for --kind ${owner ?? 'sftp'} servers, not ${kind}`)
}

/** Everything piped into standard input, as text. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) throw new UsageError('--changelog - reads the changelog from standard input: pipe it in')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** The changelog from --changelog TEXT, --changelog - (standard input) or --changelog-file FILE. */
async function readChangelog(values: OptionValues): Promise<string | undefined> {
  const text = optionalString(values, 'changelog')
  const file = optionalString(values, 'changelog-file')
  if (text !== undefined && file !== undefined) throw new UsageError('give --changelog or --changelog-file, not both')
  if (file !== undefined) {
    try {
      return await readFile(path.resolve(file), 'utf8')
    } catch (error) {
      const code = (error as { code?: unknown }).code
      throw new UsageError(`cannot read --changelog-file ${file}${typeof code === 'string' ? ` (${code})` : ''}`)
    }
  }
  return text === '-' ? readStdin() : text
}

/** The options that give a changelog. */
const CHANGELOG_OPTIONS = { changelog: { type: 'string' }, 'changelog-file': { type: 'string' } } as const

function parseStatus(text: string): VersionStatus {
  const status = text.replace('-', '_') as VersionStatus
  if (!VERSION_STATUSES.includes(status)) {
    throw new UsageError(`--status must be one of ${VERSION_STATUSES.join(', ')} (got "${text}")`)
  }
  return status
}

function statusCommand(word: string, status: VersionStatus, summary: string): Command {
  const builds = status !== 'deprecated'
  return {
    words: [word],
    args: builds ? '<slug> <version…> [--allow PATH…]' : '<slug> <version…>',
    summary,
    options: builds ? { allow: { type: 'string', multiple: true } } : {},
    positionals: [2, Infinity],
    run: async (api, [slug, ...versions], values) =>
      present(await api.changeStatus({ slug: slug!, versions, status, allow: stringList(values, 'allow') }), formatStatusChange)
  }
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  {
    words: ['plugin', 'add'],
    args: '<source-dir> [--slug S] [--name N] [--main-file F] [--version-constant C] [--dist-dir D] [--server NAME]',
    summary: 'Register a plugin from its source folder (header read, slug and name filled); with --server, take in what that server has.',
    options: {
      server: { type: 'string' },
      slug: { type: 'string' },
      name: { type: 'string' },
      'main-file': { type: 'string' },
      'version-constant': { type: 'string' },
      'dist-dir': { type: 'string' }
    },
    positionals: [1, 1],
    run: async (api, [sourceDir], values) =>
      present(
        await api.addPlugin({
          sourceDir: sourceDir!,
          slug: optionalString(values, 'slug'),
          name: optionalString(values, 'name'),
          mainFile: optionalString(values, 'main-file'),
          versionConstant: optionalString(values, 'version-constant'),
          distDir: optionalString(values, 'dist-dir'),
          server: optionalString(values, 'server')
        }),
        (plugin) => formatAddedPlugin(plugin, sourceDir!, values.slug !== undefined)
      )
  },
  {
    words: ['plugin', 'list'],
    args: '',
    summary: 'List the plugins with their latest live version.',
    options: {},
    positionals: [0, 0],
    run: async (api) => present(await api.listPlugins(), formatPluginList)
  },
  {
    words: ['plugin', 'show'],
    args: '<slug>',
    summary: "Show a plugin's settings, its source version and its versions.",
    options: {},
    positionals: [1, 1],
    run: async (api, [slug]) => present(await api.getPlugin({ slug: slug! }), formatPluginDetails)
  },
  {
    words: ['version', 'add'],
    args: '<slug> <version> [--changelog TEXT | --changelog - | --changelog-file FILE] [--status draft|released|update_ready] [--force-update] [--min-php V] [--min-wp V] [--min-api V] [--allow PATH…]',
    summary:
      'Add a version: three fields, the rest is filled (the changelog from readme.txt\'s entry when not given). A live status builds the ZIP at once; run again, it is "already released".',
    options: {
      ...CHANGELOG_OPTIONS,
      allow: { type: 'string', multiple: true },
      status: { type: 'string' },
      'force-update': { type: 'boolean' },
      'min-php': { type: 'string' },
      'min-wp': { type: 'string' },
      'min-api': { type: 'string' },
      required: { type: 'boolean' }
    },
    positionals: [2, 2],
    run: async (api, [slug, version], values) => {
      const changelog = await readChangelog(values)
      const statusText = optionalString(values, 'status')
      return present(
        await api.addVersion({
          slug: slug!,
          version: version!,
          changelog,
          status: statusText === undefined ? undefined : parseStatus(statusText),
          forceUpdate: values['force-update'] === true,
          minPhpVersion: optionalString(values, 'min-php'),
          minPlatformVersion: optionalString(values, 'min-wp'),
          minApiVersion: optionalString(values, 'min-api'),
          allow: stringList(values, 'allow'),
          required: values.required === true
        }),
        (result) =>
          result.already === true
            ? formatStatusChange(result)
            : result.builds.length === 0 && result.versions[0]?.status === 'draft'
              ? `Added ${slug} ${version} as draft.`
              : formatStatusChange(result)
      )
    }
  },
  statusCommand('release', 'released', 'Release one or several versions (builds their ZIPs).'),
  statusCommand('update-ready', 'update_ready', 'Mark versions update ready (sites are told promptly).'),
  statusCommand('deprecate', 'deprecated', 'Deprecate versions (the last live one is refused: roll back instead).'),
  {
    words: ['list'],
    args: '<slug>',
    summary: "List a plugin's versions, newest first.",
    options: {},
    positionals: [1, 1],
    run: async (api, [slug]) => present(await api.getPlugin({ slug: slug! }), (d) => formatVersionList(d.versions))
  },
  {
    words: ['show'],
    args: '<slug> <version>',
    summary: 'Show every field of a version.',
    options: {},
    positionals: [2, 2],
    run: async (api, [slug, version]) => present(await api.getVersion({ slug: slug!, version: version! }), formatVersion)
  },
  {
    words: ['files'],
    args: '<slug> [version]',
    summary:
      'Show what the ZIP would hold, what is left out and by which rule, what the secret guard flags, and what changed since the last release.',
    options: {},
    positionals: [1, 2],
    run: async (api, [slug, version]) => {
      const result = await api.previewFiles({ slug: slug!, version })
      if (!result.ok) return result
      const preview = result.value
      // A preview the guard would stop fails, so that a script or CI job sees it before a release.
      const blocked = blockingFindings(preview).length > 0
      return { ok: true, json: preview, text: formatFilePreview(preview), failed: blocked }
    }
  },
  {
    words: ['bump'],
    args: '<slug> <version>',
    summary: 'Write a version into the source (header, constant, readme Stable tag).',
    options: {},
    positionals: [2, 2],
    run: async (api, [slug, version]) =>
      present(await api.bumpSource({ slug: slug!, version: version! }), (r) =>
        r.changed_files.length === 0 ? `The source already says ${r.version}.` : `Wrote ${r.version} into ${r.changed_files.join(', ')}.`
      )
  },
  {
    words: ['next'],
    args: '<slug> [patch|minor|major]',
    summary: 'Suggest the next version.',
    options: {},
    positionals: [1, 2],
    run: async (api, [slug, part]) => {
      if (part !== undefined && part !== 'patch' && part !== 'minor' && part !== 'major') {
        throw new UsageError(`next takes patch, minor or major (got "${part}")`)
      }
      const result = await api.suggestNextVersions({ slug: slug! })
      if (!result.ok) return result
      const next = result.value
      if (part !== undefined) return { ok: true, json: { latest: next.latest, next: next[part] }, text: next[part] }
      return {
        ok: true,
        json: next,
        text: `latest ${next.latest ?? '-'}\npatch  ${next.patch}\nminor  ${next.minor}\nmajor  ${next.major}`
      }
    }
  },
  {
    words: ['prune'],
    args: '<slug> [--keep N]',
    summary: 'Remove ZIPs of old deprecated versions beyond the newest N (N ≥ 3); never a live one.',
    options: { keep: { type: 'string' } },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      const keepText = optionalString(values, 'keep')
      const keep = keepText === undefined ? undefined : Number(keepText)
      if (keep !== undefined && !Number.isInteger(keep)) throw new UsageError(`--keep takes a whole number (got "${keepText}")`)
      return present(await api.pruneZips({ slug: slug!, keep }), (r) =>
        r.removed.length === 0
          ? `Nothing to prune; kept ${r.kept.join(', ') || 'nothing'}.`
          : `Removed the ZIPs of ${r.removed.join(', ')}; kept ${r.kept.join(', ')}.`
      )
    }
  },
  {
    words: ['activity'],
    args: '[slug] [--limit N]',
    summary: 'Show the log of every change, newest first.',
    options: { limit: { type: 'string' } },
    positionals: [0, 1],
    run: async (api, [slug], values) => {
      const limitText = optionalString(values, 'limit')
      const limit = limitText === undefined ? 50 : Number(limitText)
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit takes a positive whole number (got "${limitText}")`)
      return present(await api.listActivity({ slug, limit }), formatActivity)
    }
  },
  {
    words: ['plugin', 'set'],
    args: '<slug> [--server NAME | --no-server] [--expect TEXT…] [--forbid TEXT…] [--version-constant NAME] [--signing-key N | --no-signing-key] [--expires-days D] [--slug NEW]',
    summary:
      "Change a plugin's server, the strings its ZIP's text files must (not) contain, its version constant, or its slug (before the first release).",
    options: {
      slug: { type: 'string' },
      server: { type: 'string' },
      'no-server': { type: 'boolean' },
      expect: { type: 'string', multiple: true },
      forbid: { type: 'string', multiple: true },
      'version-constant': { type: 'string' },
      'signing-key': { type: 'string' },
      'no-signing-key': { type: 'boolean' },
      'expires-days': { type: 'string' }
    },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      if (values.server !== undefined && values['no-server'] === true) throw new UsageError('give --server or --no-server, not both')
      if (values['signing-key'] !== undefined && values['no-signing-key'] === true)
        throw new UsageError('give --signing-key or --no-signing-key, not both')
      const constant = optionalString(values, 'version-constant')
      const daysText = optionalString(values, 'expires-days')
      const expiryDays = daysText === undefined ? undefined : Number(daysText)
      if (expiryDays !== undefined && !Number.isInteger(expiryDays))
        throw new UsageError(`--expires-days takes a whole number (got "${daysText}")`)
      return present(
        await api.setPlugin({
          slug: slug!,
          server: values['no-server'] === true ? null : optionalString(values, 'server'),
          expectedStrings: stringList(values, 'expect'),
          forbiddenStrings: stringList(values, 'forbid'),
          versionConstant: constant === undefined ? undefined : constant === '' ? null : constant,
          signingKey: values['no-signing-key'] === true ? null : optionalString(values, 'signing-key'),
          expiryDays,
          newSlug: optionalString(values, 'slug')
        }),
        (plugin) => `Updated ${plugin.slug}.\n${formatPlugin(plugin)}`
      )
    }
  },
  {
    words: ['server', 'add'],
    args: `<name> [--kind sftp] --host H [--port P] --user U (--key FILE | --key-env VAR [--passphrase-env VAR] | --agent | --password-env VAR) --remote-root DIR --public-url URL [--accept-host-key SHA256:…] [--access-log PATH…]
      | <name> --kind s3 --bucket B --public-url URL [--endpoint URL] [--region R] [--key-prefix P] [--path-style | --no-path-style] [--access-key-env VAR --secret-key-env VAR] [--max-age SECONDS]
      | <name> --kind local --root DIR --public-url URL [--access-log PATH…]`,
    summary:
      'Add an update server: a host over SFTP, an S3-compatible bucket (keys from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY unless named), or a folder this machine serves. Secrets are read from the named environment variables, never stored.',
    options: SERVER_ADD_OPTIONS,
    positionals: [1, 1],
    run: async (api, [name], values) => {
      const kind = parseTargetKind(values)
      refuseOtherKinds(kind, values)
      const required = (option: string): string => {
        const value = optionalString(values, option)
        if (value === undefined) throw new UsageError(`server add${kind === 'sftp' ? '' : ` --kind ${kind}`} needs --${option}`)
        return value
      }
      const added = (server: ServerProfile): string =>
        server.kind === 'sftp'
          ? `Added server ${server.name}; host key ${server.host_key_fingerprint} is pinned.`
          : `Added server ${server.name} (${targetSummary(server)}). Check it with: wprm server test ${server.name}`
      if (kind === 's3') {
        if (values['path-style'] === true && values['no-path-style'] === true)
          throw new UsageError('give --path-style or --no-path-style, not both')
        return present(
          await api.addServer({
            kind,
            name: name!,
            bucket: required('bucket'),
            publicUrl: required('public-url'),
            endpoint: optionalString(values, 'endpoint'),
            region: optionalString(values, 'region'),
            keyPrefix: optionalString(values, 'key-prefix'),
            pathStyle: values['path-style'] === true ? true : values['no-path-style'] === true ? false : undefined,
            accessKeyEnv: optionalString(values, 'access-key-env'),
            secretKeyEnv: optionalString(values, 'secret-key-env'),
            mutableMaxAge: optionalString(values, 'max-age')
          }),
          added
        )
      }
      if (kind === 'local') {
        return present(
          await api.addServer({
            kind,
            name: name!,
            root: path.resolve(required('root')),
            publicUrl: required('public-url'),
            accessLogs: stringList(values, 'access-log')
          }),
          added
        )
      }
      const portText = optionalString(values, 'port')
      const port = portText === undefined ? undefined : Number(portText)
      if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port takes a number (got "${portText}")`)
      return present(
        await api.addServer({
          name: name!,
          host: required('host'),
          port,
          user: required('user'),
          auth: parseAuth(values),
          remoteRoot: required('remote-root'),
          publicUrl: required('public-url'),
          acceptHostKey: optionalString(values, 'accept-host-key'),
          accessLogs: stringList(values, 'access-log')
        }),
        added
      )
    }
  },
  {
    words: ['server', 'list'],
    args: '',
    summary: 'List the server profiles: kind, target, how wprm signs in (never a secret), public URL, pinned host key.',
    options: {},
    positionals: [0, 0],
    run: async (api) => present(await api.listServers(), formatServers)
  },
  {
    words: ['server', 'test'],
    args: '<name>',
    summary: 'Sign in, write a probe file, and read it back over the public URL (a bucket: anonymously, plus its conditional writes).',
    options: {},
    positionals: [1, 1],
    run: async (api, [name]) => {
      const result = await api.testServer({ name: name! })
      if (!result.ok) return result
      return { ok: true, json: result.value, text: result.value.checks.map(formatCheck).join('\n'), failed: !result.value.ok }
    }
  },
  {
    words: ['server', 'remove'],
    args: '<name>',
    summary: 'Remove a server profile no plugin uses.',
    options: {},
    positionals: [1, 1],
    run: async (api, [name]) => present(await api.removeServer({ name: name! }), (s) => `Removed server ${s.name}.`)
  },
  {
    words: ['publish'],
    args: '<slug> [--break-lock] [--refresh]',
    summary:
      "Publish the plugin's current state (finishes an interrupted publish); --refresh says why: a signed manifest re-signed with a new expiry.",
    options: { 'break-lock': { type: 'boolean' }, refresh: { type: 'boolean' } },
    positionals: [1, 1],
    run: async (api, [slug], values) =>
      present(await api.publish({ slug: slug!, breakStaleLock: values['break-lock'] === true }), formatPublish)
  },
  {
    words: ['verify'],
    args: '<slug> [version]',
    summary: 'Run the release checklist: local files, the server over SFTP, the public URL over HTTP(S).',
    options: {},
    positionals: [1, 2],
    run: async (api, [slug, version]) => {
      const result = await api.verify({ slug: slug!, version })
      if (!result.ok) return result
      return { ok: true, json: result.value, text: formatVerify(result.value), failed: !result.value.ok }
    }
  },
  {
    words: ['rollback'],
    args: '<slug> --to <version>',
    summary: 'Make an older version live again; the newer live ones are deprecated and revoked. Publishes and verifies.',
    options: { to: { type: 'string' } },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      const to = optionalString(values, 'to')
      if (to === undefined) throw new UsageError('rollback needs --to <version>')
      const result = await api.rollback({ slug: slug!, to })
      if (!result.ok) return result
      return {
        ok: true,
        json: result.value,
        text: formatRollback(result.value),
        failed: result.value.verify !== null && !result.value.verify.ok
      }
    }
  },
  {
    words: ['key', 'generate'],
    args: '[--name N]',
    summary: 'Make an Ed25519 signing key (named release unless --name); kept in a key file encrypted with WPRM_KEY_PASSPHRASE.',
    options: { name: { type: 'string' } },
    positionals: [0, 0],
    run: async (api, _positionals, values) =>
      present(await api.generateSigningKey({ name: optionalString(values, 'name') }), (k) =>
        [
          `Made signing key ${k.name} (id ${k.key_id}), kept ${k.storage === 'file' ? `encrypted in ${k.file}` : 'in the OS secret store'}.`,
          `Public key: ${k.public_key}`,
          `Link a plugin to it: wprm plugin set <slug> --signing-key ${k.name}; then wprm updater install <slug> for the line that makes sites trust it.`
        ].join('\n')
      )
  },
  {
    words: ['key', 'import'],
    args: '<name>',
    summary: "Take in a key given in the environment (WPRM_SIGNING_KEY_<NAME>: a key file's contents or a PEM key), for CI.",
    options: {},
    positionals: [1, 1],
    run: async (api, [name]) =>
      present(
        await api.importSigningKey({ name: name! }),
        (k) => `Signing key ${k.name} (id ${k.key_id}) is known; it is read from the environment.`
      )
  },
  {
    words: ['key', 'list'],
    args: '',
    summary: 'List the signing keys: name, id, where the private half is kept, the plugins signed with it.',
    options: {},
    positionals: [0, 0],
    run: async (api) =>
      present(await api.listSigningKeys(), (keys) =>
        keys.length === 0
          ? 'No signing keys. Make one with: wprm key generate --name NAME.'
          : keys
              .map((k) => `${k.name}  id ${k.key_id}  ${k.storage}  ${k.plugins.length === 0 ? '(no plugin)' : k.plugins.join(', ')}`)
              .join('\n')
      )
  },
  {
    words: ['key', 'export-public'],
    args: '<name>',
    summary: "Print a key's public half (base64), which sites trust through the updater's register() call.",
    options: {},
    positionals: [1, 1],
    run: async (api, [name]) => {
      const result = await api.listSigningKeys()
      if (!result.ok) return result
      const key = result.value.find((k) => k.name === name)
      if (key === undefined)
        return {
          ok: false,
          error: { kind: 'not-found', message: `There is no signing key "${name!}".`, hint: 'wprm key list shows the known keys.' }
        }
      return { ok: true, json: { name: key.name, key_id: key.key_id, public_key: key.public_key }, text: key.public_key }
    }
  },
  {
    words: ['key', 'rotate'],
    args: '<slug> --to NEW',
    summary: 'Publish a manifest signed by the old and the new key that makes sites trust only the new one; also how a key is revoked.',
    options: { to: { type: 'string' } },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      const to = optionalString(values, 'to')
      if (to === undefined) throw new UsageError('key rotate needs --to <key name>')
      return present(
        await api.rotateSigningKey({ slug: slug!, to }),
        (r) => `${formatPublish(r)}\nSigned by ${r.from} and ${r.to}; sites trust ${r.to} alone from this manifest on.`
      )
    }
  },
  {
    words: ['updater', 'install'],
    args: '<slug>',
    summary: "Copy the PHP updater into the plugin's source and print the line that registers it.",
    options: {},
    positionals: [1, 1],
    run: async (api, [slug]) =>
      present(await api.installUpdater({ slug: slug! }), (r) =>
        [
          `${r.unchanged ? 'Already up to date' : 'Copied'}: ${r.file}`,
          r.registered ? 'The main file already registers it.' : 'Add this line to the main file, after the plugin header:',
          ...(r.registered ? [] : [`  ${r.line}`]),
          'And this line to the plugin header (WordPress 5.8+ then never asks wordpress.org about it):',
          `  ${r.update_uri_header}`
        ].join('\n')
      )
  },
  {
    words: ['db', 'restore-backup'],
    args: '',
    summary: 'Put the last good copy of the database back (the damaged file is kept).',
    options: {},
    positionals: [0, 0],
    run: async (api) =>
      present(
        await api.restoreDatabaseBackup(),
        (r) =>
          `Restored ${r.plugins} plugins and ${r.versions} versions from ${r.restored_from}.${r.damaged_copy ? `\nThe damaged file is kept as ${r.damaged_copy}.` : ''}`
      )
  },
  {
    words: ['pull'],
    args: '[<slug>…]',
    summary:
      "Take in the update server's state: versions, statuses, changelogs, revocations, and the ZIPs (each checked against its SHA-256).",
    options: {},
    positionals: [0, Infinity],
    run: async (api, slugs) => present(await api.pull({ slugs }), formatPull)
  },
  {
    words: ['plugin', 'import'],
    args: '<slug> --server NAME [--source DIR] [--dist-dir D]',
    summary: "Add a plugin from a server's ledger (every version and its ZIP); without --source it can be rolled back, not built.",
    options: { server: { type: 'string' }, source: { type: 'string' }, 'dist-dir': { type: 'string' } },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      const server = optionalString(values, 'server')
      if (server === undefined) throw new UsageError('plugin import needs --server NAME')
      return present(
        await api.importPlugin({
          slug: slug!,
          server,
          sourceDir: optionalString(values, 'source'),
          distDir: optionalString(values, 'dist-dir')
        }),
        (plugin) => `Imported ${plugin.slug} from ${server}.\n${formatPlugin(plugin)}`
      )
    }
  },
  {
    words: ['version', 'remove'],
    args: '<slug> <version>',
    summary: 'Remove a draft (a published version is deprecated or rolled back instead).',
    options: {},
    positionals: [2, 2],
    run: async (api, [slug, version]) =>
      present(await api.removeVersion({ slug: slug!, version: version! }), (v) => `Removed draft ${v.plugin} ${v.version}.`)
  },
  {
    words: ['version', 'edit'],
    args: '<slug> <version> (--changelog TEXT | --changelog - | --changelog-file FILE)',
    summary: "Change a version's changelog; a published version's change is published at once.",
    options: { ...CHANGELOG_OPTIONS },
    positionals: [2, 2],
    run: async (api, [slug, version], values) => {
      const changelog = await readChangelog(values)
      if (changelog === undefined) throw new UsageError('version edit needs --changelog TEXT, --changelog - or --changelog-file FILE')
      return present(await api.editVersion({ slug: slug!, version: version!, changelog }), (r) =>
        r.already === true
          ? `${slug} ${version} already has that changelog; nothing to do.`
          : [`Changed the changelog of ${slug} ${version}.`, ...(r.publish ? [formatPublish(r.publish)] : [])].join('\n')
      )
    }
  },
  {
    words: ['rollout'],
    args: '<slug> [<version>] (--percent N | --schedule 5%@0h,25%@24h,100%@72h | --halt | --resume) [--include-forced]',
    summary:
      'Roll a version out to a share of sites (a whole percent, or steps in time that sites follow themselves); sites outside are offered the previous stable version. On a draft it waits for the release. --halt and --resume take the version in rollout when none is named.',
    options: {
      percent: { type: 'string' },
      schedule: { type: 'string' },
      halt: { type: 'boolean' },
      resume: { type: 'boolean' },
      'include-forced': { type: 'boolean' }
    },
    positionals: [1, 2],
    run: async (api, [slug, version], values) =>
      present(
        await api.setRollout({
          slug: slug!,
          version,
          percent: optionalString(values, 'percent'),
          schedule: optionalString(values, 'schedule'),
          halt: values.halt === true ? true : undefined,
          resume: values.resume === true ? true : undefined,
          includeForced: values['include-forced'] === true
        }),
        (r) =>
          [`${slug} ${r.versions[0]!.version}: ${formatRollout(r.versions[0]!)}`, ...(r.publish ? [formatPublish(r.publish)] : [])].join(
            '\n'
          )
      )
  },
  {
    words: ['plugin', 'remove'],
    args: '<slug> [--keep-server]',
    summary: 'Remove a plugin from this workstation (refused while it is live on a server, unless --keep-server); ZIPs stay.',
    options: { 'keep-server': { type: 'boolean' } },
    positionals: [1, 1],
    run: async (api, [slug], values) =>
      present(
        await api.removePlugin({ slug: slug!, keepServer: values['keep-server'] === true }),
        (p) => `Removed ${p.slug} from this workstation; its ZIPs stay in ${p.dist_dir}.`
      )
  },
  {
    words: ['server', 'set'],
    args: '<name> [--access-log PATH… | --no-access-log] [--public-url URL] [--max-age SECONDS]',
    summary:
      "Name the web server's access logs that `wprm stats pull` reads (rotated .1 and .gz copies are found beside them), move the public URL (the next publish uses it), or set how long a CDN keeps an s3 server's info.json.",
    options: {
      'access-log': { type: 'string', multiple: true },
      'no-access-log': { type: 'boolean' },
      'public-url': { type: 'string' },
      'max-age': { type: 'string' }
    },
    positionals: [1, 1],
    run: async (api, [name], values) => {
      const logs = stringList(values, 'access-log')
      const none = values['no-access-log'] === true
      if (logs !== undefined && none) throw new UsageError('give --access-log PATH (one or more) or --no-access-log, not both')
      const publicUrl = optionalString(values, 'public-url')
      const maxAge = optionalString(values, 'max-age')
      if (logs === undefined && !none && publicUrl === undefined && maxAge === undefined)
        throw new UsageError('give --access-log PATH (one or more), --no-access-log, --public-url URL or --max-age SECONDS')
      return present(
        await api.setServer({
          name: name!,
          ...(none ? { accessLogs: [] } : logs === undefined ? {} : { accessLogs: logs }),
          ...(publicUrl === undefined ? {} : { publicUrl }),
          ...(maxAge === undefined ? {} : { mutableMaxAge: maxAge })
        }),
        (s) =>
          [
            ...(logs !== undefined || none
              ? [
                  s.access_logs.length === 0
                    ? `Server ${s.name} has no access log: wprm stats pull skips it.`
                    : `Server ${s.name} reads install statistics from ${s.access_logs.join(', ')}.`
                ]
              : []),
            ...(publicUrl === undefined
              ? []
              : [`Server ${s.name} is served at ${s.public_url}; the next publish writes its download URLs.`]),
            ...(maxAge === undefined || s.kind !== 's3'
              ? []
              : [`Server ${s.name} lets caches keep info.json and the ledger ${s.mutable_max_age} s.`])
          ].join('\n')
      )
    }
  },
  {
    words: ['stats', 'pull'],
    args: '[<slug>]',
    summary: "Read what is new in the access logs of the plugin's server (every server's without a slug); keeps counts only.",
    options: {},
    positionals: [0, 1],
    run: async (api, [slug]) => present(await api.pullStats(slug === undefined ? {} : { slug }), formatStatsPull)
  },
  {
    words: ['stats'],
    args: '<slug> [--days N]',
    summary: 'Show install statistics: active sites, version adoption, revoked versions, rollout times, WP and PHP shares.',
    options: { days: { type: 'string' } },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      const daysText = optionalString(values, 'days')
      const days = daysText === undefined ? undefined : Number(daysText)
      if (days !== undefined && !Number.isInteger(days)) throw new UsageError(`--days takes a whole number (got "${daysText}")`)
      return present(await api.getStats({ slug: slug!, days }), formatStatsReport)
    }
  }
]
