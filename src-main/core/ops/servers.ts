import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import posixPath from 'node:path/posix'
import type {
  AddLocalServerInput,
  AddS3ServerInput,
  AddServerInput,
  AddSftpServerInput,
  LocalServer,
  S3Server,
  ServerAuth,
  ServerProfile,
  ServerTestResult,
  SetServerInput,
  SftpServer
} from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { assertFingerprint, knownHostFingerprints, probeHostKey } from '../remote/host-keys.js'
import type { ReleaseContext } from './context.js'
import { requireServer } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { sequentialChecks } from '../remote/checklist-runner.js'
import { SftpSession } from '../remote/sftp-session.js'
import { openStore } from '../remote/targets/open-store.js'
import type { ObjectStore } from '../remote/targets/object-store.js'
import { testS3Target } from '../remote/targets/s3-target-test.js'
import { assertWritableFolder, testLocalTarget } from '../remote/targets/local-target-test.js'
import { normalizeLocalTarget, normalizeMutableMaxAge, normalizePublicUrl, normalizeS3Target } from '../../../src-shared/input-rules.js'
import { targetSummary } from '../../../src-shared/server-targets.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function usage(message: string, hint: string): never {
  throw new WprmError('usage', message, hint)
}

/** A new profile before it is saved: everything but its timestamps. */
type NewProfile =
  | Omit<SftpServer, 'created_at' | 'updated_at'>
  | Omit<S3Server, 'created_at' | 'updated_at'>
  | Omit<LocalServer, 'created_at' | 'updated_at'>

/** Checks a new SFTP profile's fields; returns the normalized profile without its host key. */
async function validateSftpProfile(
  input: AddSftpServerInput
): Promise<Omit<SftpServer, 'host_key_fingerprint' | 'created_at' | 'updated_at'>> {
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(input.host))
    usage(`"${input.host}" is not a host name or address.`, 'Give a host such as updates.example.com or 203.0.113.7.')
  const port = input.port ?? 22
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    usage(`Port ${port} is not a TCP port.`, 'Give a port from 1 to 65535 (SSH is usually 22).')
  if (input.user.trim() === '' || /\s/.test(input.user))
    usage('The user name is empty or has spaces.', 'Give the SSH user, e.g. --user deploy.')
  if (!posixPath.isAbsolute(input.remoteRoot))
    usage(`The remote root "${input.remoteRoot}" is not an absolute path.`, 'Give the folder on the server, e.g. /var/www/updates/plugins.')
  // No credentials, query or fragment: every site receives the download URLs made from it.
  const publicUrl = normalizePublicUrl(input.publicUrl)
  const auth = await validateAuth(input.auth)
  return {
    kind: 'sftp',
    name: input.name,
    host: input.host,
    port,
    user: input.user,
    auth,
    remote_root: posixPath.normalize(input.remoteRoot),
    public_url: publicUrl,
    access_logs: validateAccessLogs(input.accessLogs ?? [])
  }
}

/**
 * An SFTP profile with its host key pinned: the fingerprint the user accepted, or the one known_hosts already
 * trusts; an unknown key is shown and must be accepted explicitly.
 */
async function sftpProfile(input: AddSftpServerInput): Promise<NewProfile> {
  const profile = await validateSftpProfile(input)
  const accepted = input.acceptHostKey === undefined ? null : assertFingerprint(input.acceptHostKey)
  const seen = await probeHostKey(profile.host, profile.port)
  if (accepted !== null && accepted !== seen) {
    throw new WprmError(
      'host-key-changed',
      `${profile.host}:${profile.port} shows the host key ${seen}, not the ${accepted} you accepted. Nothing was saved.`,
      "Check the fingerprint with the server's administrator; never accept a key you have not confirmed.",
      { fingerprint: seen }
    )
  }
  if (accepted === null && !(await knownHostFingerprints(profile.host, profile.port)).includes(seen)) {
    throw new WprmError(
      'host-key-unknown',
      `First connection to ${profile.host}:${profile.port}: its host key is ${seen}, which you have not accepted yet. Nothing was saved.`,
      `Confirm it with the server's administrator (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the server), then run again with --accept-host-key ${seen}.`,
      { fingerprint: seen }
    )
  }
  return { ...profile, host_key_fingerprint: seen }
}

/**
 * An `s3` profile: the bucket's coordinates and the names of the variables with its keys, never the keys. Nothing
 * is sent yet (`server test` does, with the keys the app or the environment has then).
 */
function s3Profile(input: AddS3ServerInput): NewProfile {
  const target = normalizeS3Target(input)
  // A CDN's logs are not read yet: an s3 profile has no access logs.
  return { ...target, name: input.name, access_logs: [] }
}

/** A `local` profile: a folder that exists and that this user can write (its web server's to serve). */
async function localProfile(input: AddLocalServerInput): Promise<NewProfile> {
  const target = normalizeLocalTarget(input)
  const accessLogs = validateAccessLogs(input.accessLogs ?? [])
  await assertWritableFolder(target.root)
  return { ...target, name: input.name, access_logs: accessLogs }
}

/** What the activity log says about a new profile. */
function addedSummary(server: ServerProfile): string {
  if (server.kind === 'sftp')
    return `Added server ${server.name} (${server.user}@${server.host}:${server.port}, host key ${server.host_key_fingerprint})`
  return `Added server ${server.name} (${targetSummary(server)}, public URL ${server.public_url})`
}

/** At most this many logs per server: each one costs a stat on every pull. */
const MAX_ACCESS_LOGS = 16

/** Access log paths: absolute, normalized, no duplicates. */
function validateAccessLogs(paths: readonly string[]): string[] {
  if (paths.length > MAX_ACCESS_LOGS)
    usage(`${paths.length} access logs is too many.`, `Give at most ${MAX_ACCESS_LOGS}: the logs of the host that serves the updates.`)
  const normalized: string[] = []
  for (const given of paths) {
    if (!posixPath.isAbsolute(given) || given.includes('\0') || given.length > 1024 || given.endsWith('/'))
      usage(
        `The access log "${given}" is not an absolute file path on the server.`,
        'Give the log file itself, e.g. /var/log/nginx/access.log (its rotated .1 and .gz copies are found beside it).'
      )
    const clean = posixPath.normalize(given)
    if (!normalized.includes(clean)) normalized.push(clean)
  }
  return normalized
}

async function validateAuth(auth: ServerAuth): Promise<ServerAuth> {
  const checkEnv = (name: string | null): void => {
    if (name !== null && !ENV_NAME.test(name))
      usage(
        `"${name}" is not an environment variable name.`,
        'Name the variable that holds the secret, e.g. WPRM_SFTP_PASSWORD; never the secret itself.'
      )
  }
  switch (auth.kind) {
    case 'key': {
      const keyPath = path.resolve(auth.key_path)
      if (
        !(await stat(keyPath).then(
          (s) => s.isFile(),
          () => false
        ))
      )
        usage(`The key file ${keyPath} does not exist.`, 'Give the path of your private key, e.g. ~/.ssh/id_ed25519.')
      checkEnv(auth.passphrase_env)
      return { kind: 'key', key_path: keyPath, passphrase_env: auth.passphrase_env }
    }
    case 'key-env':
      if (auth.key_env === '')
        usage('--key-env needs the name of a variable.', 'Name the variable that holds the private key, e.g. WPRM_SSH_KEY.')
      checkEnv(auth.key_env)
      checkEnv(auth.passphrase_env)
      return auth
    case 'password':
      checkEnv(auth.password_env)
      return auth
    case 'agent':
      return auth
  }
}

/**
 * Adds an update server of any target kind (`sftp` when none is given). Nothing is saved unless every field
 * holds; an SFTP server's host key is pinned now. Secrets are never part of a profile.
 */
export async function addServer(ctx: ReleaseContext, input: AddServerInput): Promise<ServerProfile> {
  if (!NAME.test(input.name))
    usage(`"${input.name}" is not a valid server name.`, 'Use letters, digits, ".", "-" and "_", e.g. production.')
  const profile = input.kind === 's3' ? s3Profile(input) : input.kind === 'local' ? await localProfile(input) : await sftpProfile(input)
  return ctx.store.transact(`add server ${profile.name}`, (db) => {
    if (db.servers.some((s) => s.name === profile.name)) {
      throw new WprmError(
        'already-exists',
        `A server "${profile.name}" already exists.`,
        `Choose another name, or remove it first: wprm server remove ${profile.name}.`
      )
    }
    const at = ctx.now().toISOString()
    const server: ServerProfile = { ...profile, created_at: at, updated_at: at }
    db.servers.push(server)
    recordActivity(db, {
      at,
      plugin: '',
      version: null,
      action: 'server.add',
      summary: addedSummary(server),
      changes: { server: [null, server.name] }
    })
    return server
  })
}

/** What a `setServer` changes, each as [before, after], for the activity log. */
type ServerChanges = Record<string, readonly [unknown, unknown]>

/**
 * Changes a server profile's settings that need no new login: its access logs, its public URL (the next publish
 * writes download URLs under it), and an `s3` target's max-age for the files that change.
 */
export function setServer(ctx: ReleaseContext, input: SetServerInput): Promise<ServerProfile> {
  const accessLogs = input.accessLogs === undefined ? undefined : validateAccessLogs(input.accessLogs)
  const publicUrl = input.publicUrl === undefined ? undefined : normalizePublicUrl(input.publicUrl)
  const maxAge = input.mutableMaxAge === undefined ? undefined : normalizeMutableMaxAge(input.mutableMaxAge)
  return ctx.store.transact(`update server ${input.name}`, (db) => {
    const before = requireServer(db, input.name)
    if (maxAge !== undefined && before.kind !== 's3')
      usage(
        `--max-age is for s3 servers; ${before.name} is ${before.kind}.`,
        "Set how long caches keep info.json in your web server's config."
      )
    if (accessLogs !== undefined && accessLogs.length > 0 && before.kind === 's3')
      usage(
        `${before.name} is an s3 bucket: wprm does not read CDN logs yet.`,
        'Leave out --access-log; install statistics come from nginx or Apache logs on sftp and local servers.'
      )
    const changes: ServerChanges = {}
    const said: string[] = []
    let after: ServerProfile = before
    if (accessLogs !== undefined) {
      after = { ...after, access_logs: accessLogs }
      changes.access_logs = [before.access_logs, accessLogs]
      said.push(`reads install statistics from ${accessLogs.length === 0 ? 'no access log' : accessLogs.join(', ')}`)
    }
    if (publicUrl !== undefined && publicUrl !== before.public_url) {
      after = { ...after, public_url: publicUrl }
      changes.public_url = [before.public_url, publicUrl]
      said.push(`is served at ${publicUrl}`)
    }
    if (maxAge !== undefined && after.kind === 's3' && maxAge !== after.mutable_max_age) {
      changes.mutable_max_age = [after.mutable_max_age, maxAge]
      after = { ...after, mutable_max_age: maxAge }
      said.push(`lets caches keep info.json and the ledger ${maxAge} s`)
    }
    if (said.length === 0) return before
    const at = ctx.now().toISOString()
    after = { ...after, updated_at: at }
    const saved = after
    db.servers = db.servers.map((s) => (s.name === before.name ? saved : s))
    recordActivity(db, {
      at,
      plugin: '',
      version: null,
      action: 'server.update',
      summary: `Server ${before.name} ${said.join('; ')}`,
      changes
    })
    return saved
  })
}

/** Removes a server profile that no plugin uses. */
export function removeServer(ctx: ReleaseContext, name: string): Promise<ServerProfile> {
  return ctx.store.transact(`remove server ${name}`, (db) => {
    const server = requireServer(db, name)
    const users = db.plugins.filter((p) => p.server === name).map((p) => p.slug)
    if (users.length > 0) {
      throw new WprmError(
        'usage',
        `Server ${name} is used by ${users.join(', ')}.`,
        `Move them first: wprm plugin set <slug> --server OTHER (or --no-server).`
      )
    }
    db.servers = db.servers.filter((s) => s.name !== name)
    recordActivity(db, {
      at: ctx.now().toISOString(),
      plugin: '',
      version: null,
      action: 'server.remove',
      summary: `Removed server ${name}`,
      changes: { server: [name, null] }
    })
    return server
  })
}

/**
 * "Test connection", by target kind: over SFTP, logs in, proves the remote root is writable and the public URL
 * serves it; on a bucket, writes, reads and deletes a probe object and GETs it anonymously through the public URL;
 * on a local folder, writes a probe file, reads it through the public URL and removes it.
 */
export async function testServer(ctx: ReleaseContext, name: string): Promise<ServerTestResult> {
  const server = requireServer(await ctx.store.read(), name)
  if (server.kind === 'sftp') return testSftpServer(ctx, server)
  if (server.kind === 'local') return testLocalTarget(name, server, await openStore(server, ctx.secrets))
  const { checks, run } = sequentialChecks()
  const opening: { store: ObjectStore | null } = { store: null }
  // Missing keys are a failed first check (saying where to put them), not an error without a report.
  await run(`Sign in to ${targetSummary(server)}`, async () => {
    opening.store = await openStore(server, ctx.secrets)
    return `found an access key pair for the bucket ${server.bucket}`
  })
  const store = opening.store
  if (store === null) return { server: name, ok: false, checks }
  try {
    const rest = await testS3Target(name, server, store)
    return { server: name, ok: rest.ok, checks: [...checks, ...rest.checks.map((c) => ({ ...c, id: c.id + checks.length }))] }
  } finally {
    store.close()
  }
}

/** The SFTP "Test connection": a probe file written over SFTP must come back over HTTP. */
async function testSftpServer(ctx: ReleaseContext, server: SftpServer): Promise<ServerTestResult> {
  const name = server.name
  const { checks, run } = sequentialChecks()
  let session: SftpSession | null = null
  try {
    const connected = await run(`Log in to ${server.user}@${server.host}:${server.port}`, async () => {
      session = await SftpSession.open(server, ctx.secrets, ctx.sessionOptions)
      return `host key ${server.host_key_fingerprint} as pinned; logged in with ${server.auth.kind}`
    })
    const probeName = `.wprm-probe-${randomBytes(6).toString('hex')}.txt`
    const probeBody = randomBytes(16).toString('hex')
    const writable = await run(`Write to ${server.remote_root}`, async () => {
      if (!connected) throw new Error('skipped: the login failed')
      await session!.mkdirp(server.remote_root)
      await session!.writeFile(posixPath.join(server.remote_root, probeName), Buffer.from(probeBody))
      return `wrote ${probeName}`
    })
    await run(`Serve ${server.public_url}`, async () => {
      if (!writable) throw new Error('skipped: the probe file could not be written')
      const url = new URL(probeName, server.public_url).toString()
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) })
      const text = await response.text()
      if (response.status !== 200 || text !== probeBody) {
        throw new Error(
          `${url} → HTTP ${response.status}${response.status === 200 ? ' with other content' : ''}: the public URL does not serve ${server.remote_root}`
        )
      }
      return `${url} → HTTP 200 with the probe's content`
    })
    if (writable) await session!.unlink(posixPath.join(server.remote_root, probeName)).catch(() => undefined)
  } finally {
    await (session as SftpSession | null)?.close()
  }
  return { server: name, ok: checks.every((c) => c.ok), checks }
}
