import type { WprmApi } from '../src-preload/api.js'
import type { TargetKind } from '../src-preload/api.js'
import { SECRET_KINDS, TARGET_KINDS, VERSION_STATUSES } from '../src-preload/api.js'
import { WprmError } from './core/errors.js'

type FieldKind =
  | 'string'
  | 'string?'
  | 'nullable-string?'
  | 'boolean?'
  | 'number?'
  | 'strings'
  | 'strings?'
  | 'status'
  | 'status?'
  | 'auth'
  | 'secret-kind'

type Fields = Readonly<Record<string, FieldKind>>

/** A payload whose fields depend on its `kind` (a missing kind is the first one, as `addServer` takes `sftp`). */
interface ByKind {
  readonly byKind: { readonly [K in TargetKind]: Fields }
}

/** The fields each method takes; anything else in a payload is refused. */
const INPUT_FIELDS: { readonly [M in keyof WprmApi]: Fields | ByKind | null } = {
  listPlugins: null,
  addPlugin: {
    sourceDir: 'string',
    slug: 'string?',
    name: 'string?',
    mainFile: 'string?',
    versionConstant: 'string?',
    distDir: 'string?',
    server: 'string?'
  },
  getPlugin: { slug: 'string' },
  addVersion: {
    slug: 'string',
    version: 'string',
    changelog: 'string?',
    status: 'status?',
    forceUpdate: 'boolean?',
    minPhpVersion: 'string?',
    minPlatformVersion: 'string?',
    minApiVersion: 'string?',
    allow: 'strings?',
    required: 'boolean?'
  },
  changeStatus: { slug: 'string', versions: 'strings', status: 'status', allow: 'strings?' },
  getVersion: { slug: 'string', version: 'string' },
  suggestNextVersions: { slug: 'string' },
  bumpSource: { slug: 'string', version: 'string' },
  pruneZips: { slug: 'string', keep: 'number?' },
  listActivity: { slug: 'string?', limit: 'number?' },
  restoreDatabaseBackup: null,
  setPlugin: {
    slug: 'string',
    server: 'nullable-string?',
    expectedStrings: 'strings?',
    forbiddenStrings: 'strings?',
    versionConstant: 'nullable-string?',
    signingKey: 'nullable-string?',
    expiryDays: 'number?',
    newSlug: 'string?'
  },
  listServers: null,
  addServer: {
    byKind: {
      sftp: {
        kind: 'string?',
        name: 'string',
        host: 'string',
        port: 'number?',
        user: 'string',
        auth: 'auth',
        remoteRoot: 'string',
        publicUrl: 'string',
        acceptHostKey: 'string?',
        accessLogs: 'strings?'
      },
      s3: {
        kind: 'string',
        name: 'string',
        endpoint: 'string?',
        region: 'string?',
        bucket: 'string',
        keyPrefix: 'string?',
        publicUrl: 'string',
        pathStyle: 'boolean?',
        accessKeyEnv: 'string?',
        secretKeyEnv: 'string?',
        mutableMaxAge: 'string?'
      },
      local: { kind: 'string', name: 'string', root: 'string', publicUrl: 'string', accessLogs: 'strings?' }
    }
  },
  setServer: { name: 'string', accessLogs: 'strings?', publicUrl: 'string?', mutableMaxAge: 'string?' },
  removeServer: { name: 'string' },
  testServer: { name: 'string' },
  publish: { slug: 'string', breakStaleLock: 'boolean?' },
  verify: { slug: 'string', version: 'string?' },
  rollback: { slug: 'string', to: 'string' },
  getSourceStatus: { slug: 'string' },
  getSecretStatus: { server: 'string' },
  storeSecret: { server: 'string', kind: 'secret-kind', value: 'string', allowWeakStorage: 'boolean?' },
  deleteSecret: { server: 'string', kind: 'secret-kind' },
  installUpdater: { slug: 'string' },
  pull: { slugs: 'strings?' },
  importPlugin: { server: 'string', slug: 'string', sourceDir: 'string?', distDir: 'string?' },
  removeVersion: { slug: 'string', version: 'string' },
  editVersion: { slug: 'string', version: 'string', changelog: 'string' },
  setRollout: {
    slug: 'string',
    version: 'string?',
    percent: 'string?',
    schedule: 'string?',
    halt: 'boolean?',
    resume: 'boolean?',
    includeForced: 'boolean?'
  },
  removePlugin: { slug: 'string', keepServer: 'boolean?' },
  pullStats: { slug: 'string?' },
  getStats: { slug: 'string', days: 'number?' },
  previewFiles: { slug: 'string', version: 'string?' },
  generateSigningKey: { name: 'string?' },
  importSigningKey: { name: 'string' },
  listSigningKeys: null,
  rotateSigningKey: { slug: 'string', to: 'string' }
}

const isShortString = (value: unknown): value is string => typeof value === 'string' && value.length <= 65536
const isNullableString = (value: unknown): boolean => value === null || isShortString(value)

/** A server's authentication: one of three shapes, with nothing else in it. */
function isAuth(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const auth = value as Record<string, unknown>
  const keys = Object.keys(auth).sort().join(',')
  switch (auth.kind) {
    case 'key':
      return keys === 'key_path,kind,passphrase_env' && isShortString(auth.key_path) && isNullableString(auth.passphrase_env)
    case 'key-env':
      return keys === 'key_env,kind,passphrase_env' && isShortString(auth.key_env) && isNullableString(auth.passphrase_env)
    case 'agent':
      return keys === 'kind'
    case 'password':
      return keys === 'kind,password_env' && isNullableString(auth.password_env)
    default:
      return false
  }
}

function fits(kind: FieldKind, value: unknown): boolean {
  if (kind.endsWith('?') && value === undefined) return true
  switch (kind) {
    case 'string':
    case 'string?':
      return isShortString(value)
    case 'nullable-string?':
      return isNullableString(value)
    case 'auth':
      return isAuth(value)
    case 'secret-kind':
      return typeof value === 'string' && (SECRET_KINDS as readonly string[]).includes(value)
    case 'boolean?':
      return typeof value === 'boolean'
    case 'number?':
      return typeof value === 'number' && Number.isFinite(value)
    case 'strings':
    case 'strings?':
      return Array.isArray(value) && value.length <= 1000 && value.every((v) => typeof v === 'string' && v.length <= 256)
    case 'status':
    case 'status?':
      return typeof value === 'string' && (VERSION_STATUSES as readonly string[]).includes(value)
  }
}

const isByKind = (shape: Fields | ByKind): shape is ByKind => typeof shape.byKind === 'object'

/** The fields of a payload of this `kind`; an unknown kind is refused like an unknown field. */
function fieldsOfKind(method: string, shape: ByKind, kind: unknown): Fields {
  const chosen = kind ?? TARGET_KINDS[0]
  if (typeof chosen !== 'string' || !(TARGET_KINDS as readonly string[]).includes(chosen))
    throw new WprmError(
      'usage',
      `${method}: "kind" must be one of ${TARGET_KINDS.join(', ')}.`,
      'This is a bug in the window; please report it.'
    )
  return shape.byKind[chosen as TargetKind]
}

/**
 * Checks a payload that came over IPC against the method's input shape. The renderer is treated as
 * untrusted: a payload with a wrong type or an unknown field never reaches the core.
 */
export function validateInput<M extends keyof WprmApi>(method: M, payload: unknown): Parameters<WprmApi[M]> {
  const shape = INPUT_FIELDS[method]
  if (shape === null) {
    if (payload !== undefined) throw new WprmError('usage', `${method} takes no input.`, 'This is a bug in the window; please report it.')
    return [] as unknown as Parameters<WprmApi[M]>
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new WprmError('usage', `${method} needs an object.`, 'This is a bug in the window; please report it.')
  }
  const record = payload as Record<string, unknown>
  const fields = isByKind(shape) ? fieldsOfKind(method, shape, record.kind) : shape
  for (const key of Object.keys(record)) {
    if (!(key in fields))
      throw new WprmError('usage', `${method} does not take "${key}".`, 'This is a bug in the window; please report it.')
  }
  for (const [key, kind] of Object.entries(fields)) {
    if (!fits(kind, record[key]))
      throw new WprmError('usage', `${method}: "${key}" is missing or of the wrong type.`, 'This is a bug in the window; please report it.')
  }
  return [record] as unknown as Parameters<WprmApi[M]>
}
