import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import posixPath from 'node:path/posix'
import type { AddServerInput, ServerAuth, ServerProfile, ServerTestResult, SetServerInput, SftpServer } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { assertFingerprint, knownHostFingerprints, probeHostKey } from '../remote/host-keys.js'
import type { ReleaseContext } from './context.js'
import { requireServer } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { sequentialChecks } from '../remote/checklist-runner.js'
import { SftpSession, sftpServer } from '../remote/sftp-session.js'
import { normalizePublicUrl } from '../../../src-shared/input-rules.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function usage(message: string, hint: string): never {
  throw new WprmError('usage', message, hint)
}

/** Checks a new profile's fields; returns the normalized profile without its host key. */
async function validateProfile(input: AddServerInput): Promise<Omit<SftpServer, 'host_key_fingerprint' | 'created_at' | 'updated_at'>> {
  if (!NAME.test(input.name))
    usage(`"${input.name}" is not a valid server name.`, 'Use letters, digits, ".", "-" and "_", e.g. production.')
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
 * Adds an update server. Its host key is pinned now: the fingerprint the user accepted, or the one
 * known_hosts already trusts; an unknown key is shown and must be accepted explicitly.
 */
export async function addServer(ctx: ReleaseContext, input: AddServerInput): Promise<ServerProfile> {
  const profile = await validateProfile(input)
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
  return ctx.store.transact(`add server ${profile.name}`, (db) => {
    if (db.servers.some((s) => s.name === profile.name)) {
      throw new WprmError(
        'already-exists',
        `A server "${profile.name}" already exists.`,
        `Choose another name, or remove it first: wprm server remove ${profile.name}.`
      )
    }
    const at = ctx.now().toISOString()
    const server: SftpServer = { ...profile, host_key_fingerprint: seen, created_at: at, updated_at: at }
    db.servers.push(server)
    recordActivity(db, {
      at,
      plugin: '',
      version: null,
      action: 'server.add',
      summary: `Added server ${server.name} (${server.user}@${server.host}:${server.port}, host key ${seen})`,
      changes: { server: [null, server.name] }
    })
    return server
  })
}

/** Changes a server profile's settings that need no new login: its access logs. */
export function setServer(ctx: ReleaseContext, input: SetServerInput): Promise<ServerProfile> {
  const accessLogs = input.accessLogs === undefined ? undefined : validateAccessLogs(input.accessLogs)
  return ctx.store.transact(`update server ${input.name}`, (db) => {
    const before = requireServer(db, input.name)
    if (accessLogs === undefined) return before
    const at = ctx.now().toISOString()
    const after: ServerProfile = { ...before, access_logs: accessLogs, updated_at: at }
    db.servers = db.servers.map((s) => (s.name === before.name ? after : s))
    recordActivity(db, {
      at,
      plugin: '',
      version: null,
      action: 'server.update',
      summary: `Server ${before.name} reads install statistics from ${accessLogs.length === 0 ? 'no access log' : accessLogs.join(', ')}`,
      changes: { access_logs: [before.access_logs, accessLogs] }
    })
    return after
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
 * "Test connection": logs in, proves the remote root is writable, and proves the public URL serves it
 * (a probe file written over SFTP must come back over HTTP).
 */
export async function testServer(ctx: ReleaseContext, name: string): Promise<ServerTestResult> {
  const server = sftpServer(requireServer(await ctx.store.read(), name), 'Test connection')
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
