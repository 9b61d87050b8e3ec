import type { ParseArgsConfig } from 'node:util'
import type { ApiError, Result, ServerAuth, VersionStatus, WprmApi } from '../../src-preload/api.js'
import { VERSION_STATUSES } from '../../src-preload/api.js'
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
  formatVersionList
} from './format.js'

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
  const passwordEnv = optionalString(values, 'password-env')
  const agent = values.agent === true
  const chosen = [key !== undefined, passwordEnv !== undefined, agent].filter(Boolean).length
  if (chosen !== 1) throw new UsageError('give exactly one of --key FILE, --agent, --password-env VAR')
  if (key !== undefined) return { kind: 'key', key_path: key, passphrase_env: optionalString(values, 'passphrase-env') ?? null }
  if (optionalString(values, 'passphrase-env') !== undefined) throw new UsageError('--passphrase-env goes with --key')
  return agent ? { kind: 'agent' } : { kind: 'password', password_env: passwordEnv! }
}

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
    args: '<source-dir> [--slug S] [--name N] [--main-file F] [--version-constant C] [--dist-dir D]',
    summary: 'Register a plugin from its source folder (header read, slug and name filled).',
    options: {
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
          distDir: optionalString(values, 'dist-dir')
        }),
        (plugin) => `Added ${plugin.slug}.\n${formatPlugin(plugin)}`
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
    args: '<slug> <version> [--changelog TEXT] [--status draft|released|update_ready] [--force-update] [--min-php V] [--min-wp V] [--min-api V] [--allow PATH…]',
    summary:
      "Add a version: three fields, the rest is filled (the changelog from readme.txt's entry when not given). A live status builds the ZIP at once.",
    options: {
      changelog: { type: 'string' },
      allow: { type: 'string', multiple: true },
      status: { type: 'string' },
      'force-update': { type: 'boolean' },
      'min-php': { type: 'string' },
      'min-wp': { type: 'string' },
      'min-api': { type: 'string' }
    },
    positionals: [2, 2],
    run: async (api, [slug, version], values) => {
      const changelog = optionalString(values, 'changelog')
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
          allow: stringList(values, 'allow')
        }),
        (result) => (result.builds.length === 0 ? `Added ${slug} ${version} as draft.` : formatStatusChange(result))
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
    args: '<slug> [--server NAME | --no-server] [--expect TEXT…] [--forbid TEXT…] [--version-constant NAME]',
    summary: "Change a plugin's server, the strings its ZIP's text files must (not) contain, or its version constant.",
    options: {
      server: { type: 'string' },
      'no-server': { type: 'boolean' },
      expect: { type: 'string', multiple: true },
      forbid: { type: 'string', multiple: true },
      'version-constant': { type: 'string' }
    },
    positionals: [1, 1],
    run: async (api, [slug], values) => {
      if (values.server !== undefined && values['no-server'] === true) throw new UsageError('give --server or --no-server, not both')
      const constant = optionalString(values, 'version-constant')
      return present(
        await api.setPlugin({
          slug: slug!,
          server: values['no-server'] === true ? null : optionalString(values, 'server'),
          expectedStrings: stringList(values, 'expect'),
          forbiddenStrings: stringList(values, 'forbid'),
          versionConstant: constant === undefined ? undefined : constant === '' ? null : constant
        }),
        (plugin) => `Updated ${plugin.slug}.\n${formatPlugin(plugin)}`
      )
    }
  },
  {
    words: ['server', 'add'],
    args: '<name> --host H [--port P] --user U (--key FILE [--passphrase-env VAR] | --agent | --password-env VAR) --remote-root DIR --public-url URL [--accept-host-key SHA256:…]',
    summary: 'Add an update server. Secrets are read from the named environment variable, never stored.',
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      key: { type: 'string' },
      agent: { type: 'boolean' },
      'password-env': { type: 'string' },
      'passphrase-env': { type: 'string' },
      'remote-root': { type: 'string' },
      'public-url': { type: 'string' },
      'accept-host-key': { type: 'string' }
    },
    positionals: [1, 1],
    run: async (api, [name], values) => {
      const required = (option: string): string => {
        const value = optionalString(values, option)
        if (value === undefined) throw new UsageError(`server add needs --${option}`)
        return value
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
          acceptHostKey: optionalString(values, 'accept-host-key')
        }),
        (server) => `Added server ${server.name}; host key ${server.host_key_fingerprint} is pinned.`
      )
    }
  },
  {
    words: ['server', 'list'],
    args: '',
    summary: 'List the server profiles with their pinned host keys.',
    options: {},
    positionals: [0, 0],
    run: async (api) => present(await api.listServers(), formatServers)
  },
  {
    words: ['server', 'test'],
    args: '<name>',
    summary: 'Log in, write a probe file, and read it back over the public URL.',
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
    args: '<slug> [--break-lock]',
    summary: "Publish the plugin's current state (finishes an interrupted publish).",
    options: { 'break-lock': { type: 'boolean' } },
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
  }
]
