import { createHash } from 'node:crypto'
import { readlink, stat } from 'node:fs/promises'
import path from 'node:path'
import type { PluginRecord, PluginVersionRecord, ServerProfile, VerifyCheck, VerifyReport } from '../../../src-shared/model.js'
import { hashFile } from '../build/checksums.js'
import type { ZipContents } from '../build/zip-inspect.js'
import { inspectPluginZip } from '../build/zip-inspect.js'
import { latestLinkName, zipFileName } from '../build/zip-names.js'
import type { TextHit, TextSearch } from '../build/zip-text-search.js'
import { searchZipTexts } from '../build/zip-text-search.js'
import { readConstant, readHeader } from '../source/plugin-source.js'
import { channelOf, isLive, latestLive } from '../../../src-shared/versions.js'
import { describeRollout, stableOffer } from '../../../src-shared/rollout.js'
import type { CheckTable, Outcome } from './checklist-runner.js'
import { fail, pass, runChecklist } from './checklist-runner.js'
import type { Manifest } from './manifest.js'
import { MANIFEST_FILE, manifestName, publicUrl } from './manifest.js'
import { manifestProblem, manifestSizeProblem } from '../../../src-shared/manifest-schema.js'
import type { SessionLease } from './session-pool.js'
import { SessionPool } from './session-pool.js'
import type { SecretProvider } from './secrets.js'
import type { SessionOptions } from './sftp-session.js'
import { SftpSession } from './sftp-session.js'
import type { RemoteCopies } from './remote-copies.js'
import { sftpCopies, storeCopies } from './remote-copies.js'
import { openStore } from './targets/open-store.js'
import { mutableCacheControl } from './targets/object-store.js'
import { pluginFolder } from '../../../src-shared/server-targets.js'
import { expiryState, signedMessage } from '../../../src-shared/signing.js'
import { checkSignature } from '../signing/sign-manifest.js'

/** How many checks the checklist has (re-exported from src-shared, where the checklist is defined). */
export { CHECKLIST_LENGTH } from '../../../src-shared/checklist.js'

/** What a verification needs. */
export interface VerifyRequest {
  readonly plugin: PluginRecord
  readonly versions: readonly PluginVersionRecord[]
  readonly version: PluginVersionRecord
  readonly server: ServerProfile | null
  readonly secrets: SecretProvider
  readonly onCheck?: (check: VerifyCheck) => void
  readonly session?: SessionOptions
  /** Where the connection comes from: the one a publish just used, when a pool kept it (else one of its own). */
  readonly sessions?: SessionPool
  readonly httpTimeoutMs?: number
  /** The public key of the plugin's signing key; undefined for a plugin that is not signed. */
  readonly trustedKey?: string
  readonly now?: Date
}

/** A file fetched over HTTP. */
interface Fetched {
  readonly url: string
  readonly status: number
  readonly body: Buffer
  readonly cacheControl: string | null
}

/** The manifest as sites read it over HTTP. */
type ManifestRead =
  | { readonly kind: 'http-error'; readonly url: string; readonly status: number }
  | { readonly kind: 'invalid-json'; readonly url: string }
  /** Read, but our updater would refuse it, for `reason` (the manifest schema's words). */
  | { readonly kind: 'refused'; readonly url: string; readonly reason: string }
  | { readonly kind: 'ok'; readonly url: string; readonly manifest: Manifest; readonly bytes: Buffer; readonly cacheControl: string | null }

/**
 * What the checks look at. The inputs several checks share (the SFTP session, the download, the manifest,
 * the ZIP's contents) are fetched on first use and kept: each costs one connection or request per run.
 * A failed input fails every check that needs it with the same message.
 */
interface VerifyContext {
  readonly plugin: PluginRecord
  readonly version: PluginVersionRecord
  readonly server: ServerProfile | null
  /** The newest live stable version, which the link names. */
  readonly latest: PluginVersionRecord | null
  /** The stable offer (the newest live stable version that reaches every site), which the manifest's top fields name. */
  readonly offer: PluginVersionRecord | null
  readonly zipName: string
  readonly remote: () => Promise<RemoteCopies>
  /** The version's ZIP at its public download URL. */
  readonly download: () => Promise<Fetched>
  readonly manifest: () => Promise<ManifestRead>
  /** The local ZIP's contents; null when no ZIP is recorded, the Error when it cannot be read. */
  readonly zip: () => Promise<ZipContents | Error | null>
  /** The expected and forbidden strings searched for in every text file of the local ZIP (same nulls and Errors). */
  readonly texts: () => Promise<TextSearch | Error | null>
  readonly trustedKey: string | undefined
  readonly now: Date
  readonly timeoutMs: number
}

function bytes(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unknown size' : `${n.toLocaleString('en-US')} bytes`
}

async function fetchBytes(url: string, timeoutMs: number): Promise<Fetched> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' })
  return {
    url,
    status: response.status,
    body: Buffer.from(await response.arrayBuffer()),
    cacheControl: response.headers.get('cache-control')
  }
}

/** Computes a value on first call and hands the same promise (or the same failure) to every later call. */
function once<T>(compute: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null
  return () => (value ??= compute())
}

const NOT_PUBLISHED =
  'not published: the plugin has no server (choose one in its Publishing settings, or `wprm plugin set <slug> --server NAME`)'

/** 1: the ZIP exists locally and on the server, with the recorded size. */
async function checkZipPresent(ctx: VerifyContext): Promise<Outcome> {
  const { version, server } = ctx
  const local = version.file_path === null ? null : await stat(version.file_path).catch(() => null)
  const localPart = local === null ? `local: missing (${version.file_path ?? 'no path recorded'})` : `local: ${bytes(local.size)}`
  if (server === null) return fail(`${localPart}; server: ${NOT_PUBLISHED}`)
  const remote = await ctx.remote()
  const copy = await remote.stat(ctx.zipName, version.checksum)
  const remotePart =
    copy === null
      ? `server: missing (${remote.where(ctx.zipName)})`
      : [`server: ${bytes(copy.size)}`, ...copy.facts, ...copy.problems].join(', ')
  const ok =
    local !== null && copy !== null && local.size === version.file_size && copy.size === version.file_size && copy.problems.length === 0
  return { ok, detail: `recorded ${bytes(version.file_size)}; ${localPart}; ${remotePart}` }
}

/** 2: `-latest.zip` points to the newest live version, locally and on the server. */
async function checkLatestLink(ctx: VerifyContext): Promise<Outcome> {
  const { plugin, latest, server } = ctx
  if (latest === null) return fail('there is no live version')
  const linkName = latestLinkName(plugin.slug)
  const expected = zipFileName(plugin.slug, latest.version)
  const localTarget = await readlink(path.join(plugin.dist_dir, linkName)).catch(() => null)
  const localTargetOk =
    localTarget === expected &&
    (await stat(path.join(plugin.dist_dir, expected)).then(
      () => true,
      () => false
    ))
  const localPart = `local → ${localTarget ?? 'no link'}`
  if (server === null) return fail(`${localPart}; server: ${NOT_PUBLISHED}`)
  const { target: remoteTarget, present } = await (await ctx.remote()).latest(linkName, expected, latest.checksum)
  const remoteTargetOk = remoteTarget === expected && present
  return { ok: localTargetOk && remoteTargetOk, detail: `expected → ${expected}; ${localPart}; server → ${remoteTarget ?? 'no link'}` }
}

/** 3: the download URL answers 200 with the recorded size and SHA-256. */
async function checkDownload(ctx: VerifyContext): Promise<Outcome> {
  const { version } = ctx
  if (ctx.server === null) return fail(NOT_PUBLISHED)
  const { url, status, body } = await ctx.download()
  const sha = createHash('sha256').update(body).digest('hex')
  const ok = status === 200 && body.length === version.file_size && sha === version.checksum
  const shaPart =
    sha === version.checksum
      ? `SHA-256 ${sha.slice(0, 16)}… as recorded`
      : `SHA-256 ${sha.slice(0, 16)}…, recorded ${version.checksum?.slice(0, 16) ?? 'none'}…`
  return { ok, detail: `${url} → HTTP ${status}, ${bytes(body.length)} (recorded ${bytes(version.file_size)}), ${shaPart}` }
}

/** 4: the manifest names the expected latest version, its download URL and checksum. */
async function checkManifestLatest(ctx: VerifyContext): Promise<Outcome> {
  const { plugin, offer: latest, server } = ctx
  if (server === null) return fail(NOT_PUBLISHED)
  if (latest === null) return fail('there is no live version')
  const read = await ctx.manifest()
  if (read.kind === 'http-error') return fail(`${read.url} → HTTP ${read.status}`)
  if (read.kind === 'invalid-json') return fail(`${read.url} is not valid JSON`)
  if (read.kind === 'refused') return fail(`${read.url}: the updater on sites refuses it: ${read.reason}`)
  const { manifest } = read
  const expectedUrl = publicUrl(server, plugin.slug, zipFileName(plugin.slug, latest.version))
  const problems = [
    manifest.version !== latest.version ? `version ${manifest.version}, expected ${latest.version}` : null,
    manifest.download_url !== expectedUrl ? `download_url ${manifest.download_url}, expected ${expectedUrl}` : null,
    manifest.sha256 !== latest.checksum
      ? `sha256 ${String(manifest.sha256).slice(0, 16)}…, expected ${latest.checksum?.slice(0, 16)}…`
      : null,
    // On S3 the caching is ours to set (a folder's is its web server's): a CDN passes a release on within max-age.
    server.kind === 's3' && read.cacheControl !== mutableCacheControl(server.mutable_max_age)
      ? `Cache-Control ${read.cacheControl ?? 'none'}, expected ${mutableCacheControl(server.mutable_max_age)}`
      : null
  ].filter((p): p is string => p !== null)
  return problems.length === 0
    ? pass(
        `manifest #${manifest.manifest_version}: version ${manifest.version}, ${manifest.download_url}, sha256 ${manifest.sha256.slice(0, 16)}…${manifest.force_update ? ', force update' : ''}${server.kind === 's3' ? `, Cache-Control: ${read.cacheControl}` : ''}`
      )
    : fail(problems.join('; '))
}

/** 5: the manifest's name is the plugin's name. */
async function checkManifestName(ctx: VerifyContext): Promise<Outcome> {
  if (ctx.server === null) return fail(NOT_PUBLISHED)
  // The manifest as check 4 read it: without a live version check 4 reads none, and a failed read is its to explain.
  const read = ctx.latest === null ? null : await ctx.manifest().catch(() => null)
  if (read === null || read.kind !== 'ok') return fail('no manifest could be read (see the check before)')
  const { manifest } = read
  // The manifest carries the name as safe plain text (tags stripped, entities): compare with that form.
  const expected = manifestName(ctx.plugin)
  return manifest.name === expected ? pass(`"${manifest.name}"`) : fail(`"${manifest.name}", expected "${expected}"`)
}

/** 6: inside the ZIP, the Version header (and the version constant) say the version; the top folder is the slug. */
async function checkZipVersion(ctx: VerifyContext): Promise<Outcome> {
  const { plugin, version } = ctx
  const zip = await ctx.zip()
  if (zip === null) return fail('no ZIP recorded')
  if (zip instanceof Error) return fail(zip.message)
  if (zip.mainFile === null) return fail(`${plugin.slug}/${plugin.main_file} is not in the ZIP`)
  const header = readHeader(zip.mainFile, 'Version')
  const constant = plugin.version_constant === null ? null : readConstant(zip.mainFile, plugin.version_constant)
  const topOk = zip.topFolders.length === 1 && zip.topFolders[0] === plugin.slug
  const ok = header === version.version && (plugin.version_constant === null || constant === version.version) && topOk
  const constantPart =
    plugin.version_constant === null ? 'no version constant configured' : `${plugin.version_constant} = ${constant ?? 'not defined'}`
  return { ok, detail: `Version: ${header ?? 'missing'}; ${constantPart}; top folder ${zip.topFolders.join(', ')}` }
}

/** Where a string was found, in words: "class.akismet.php:12, views/config.php:3" (the first few). */
function places(hits: readonly TextHit[]): string {
  const shown = hits.slice(0, 5).map((h) => `${h.file}:${h.line}`)
  return `${shown.join(', ')}${hits.length > shown.length ? `, … ${hits.length - shown.length} more` : ''}`
}

/** 7: expected strings are in the ZIP's text files, forbidden ones are not; says where, and what was searched. */
async function checkZipStrings(ctx: VerifyContext): Promise<Outcome> {
  const { plugin } = ctx
  if (plugin.expected_strings.length === 0 && plugin.forbidden_strings.length === 0) {
    return pass("none configured (add them in the plugin's Publishing settings, or `wprm plugin set <slug> --expect TEXT --forbid TEXT`)")
  }
  const search = await ctx.texts()
  if (search === null) return fail('no ZIP recorded')
  if (search instanceof Error) return fail(search.message)
  const hitsOf = (s: string): readonly TextHit[] => search.hits.get(s) ?? []
  const parts = [
    ...plugin.expected_strings.map((s) => {
      const hits = hitsOf(s)
      return { ok: hits.length > 0, text: hits.length > 0 ? `"${s}" found ${hits.length}× (${places(hits)})` : `expected "${s}" not found` }
    }),
    ...plugin.forbidden_strings.map((s) => {
      const hits = hitsOf(s)
      return {
        ok: hits.length === 0,
        text: hits.length === 0 ? `"${s}" absent` : `forbidden "${s}" found ${hits.length}× (${places(hits)})`
      }
    })
  ]
  const scope = `searched ${search.searched.length} text files in the ZIP${search.binary > 0 ? ` (${search.binary} binary passed over)` : ''}`
  return { ok: parts.every((p) => p.ok), detail: `${parts.map((p) => p.text).join('; ')}; ${scope}` }
}

/** 8: the database record is complete and consistent, and the local ZIP matches its checksums. */
async function checkRecord(ctx: VerifyContext): Promise<Outcome> {
  const { version } = ctx
  const problems: string[] = []
  if (!isLive(version.status) && version.status !== 'deprecated') problems.push(`status is ${version.status}`)
  if (version.file_path === null) problems.push('no file_path')
  if (version.file_size === null || version.file_size <= 0) problems.push('no file_size')
  if (version.checksum === null || !/^[0-9a-f]{64}$/.test(version.checksum)) problems.push('no valid checksum')
  if (version.checksum_md5 === null || !/^[0-9a-f]{32}$/.test(version.checksum_md5)) problems.push('no valid checksum_md5')
  if (version.released_at === null) problems.push('no released_at')
  if (problems.length === 0 && version.file_path !== null) {
    const actual = await hashFile(version.file_path).catch(() => null)
    if (actual === null) problems.push(`${version.file_path} cannot be read`)
    else if (actual.sha256 !== version.checksum || actual.md5 !== version.checksum_md5 || actual.size !== version.file_size)
      problems.push('the local ZIP does not match its recorded checksums')
  }
  return problems.length === 0
    ? pass(
        `${version.status}, ${bytes(version.file_size)}, sha256 ${version.checksum!.slice(0, 16)}…, md5 ${version.checksum_md5}, released ${version.released_at}`
      )
    : fail(problems.join('; '))
}

const NOT_SIGNED = 'not signed: the plugin has no signing key, so sites trust the server (wprm plugin set <slug> --signing-key NAME)'

/** 8: the signatures inside the manifest hold a valid signature of its message by the plugin's key. */
async function checkSignatureValid(ctx: VerifyContext): Promise<Outcome> {
  if (ctx.server === null) return fail(NOT_PUBLISHED)
  if (ctx.trustedKey === undefined) return pass(NOT_SIGNED)
  const read = await ctx.manifest()
  if (read.kind !== 'ok') return fail('no manifest to check (see check 4)')
  const verdict = checkSignature(read.bytes.toString('utf8'), [ctx.trustedKey])
  return verdict.ok
    ? pass(`${read.url}: valid Ed25519 signature by key ${verdict.keyIds.join(', ')}`)
    : fail(`${read.url}: ${verdict.problem}`)
}

/** 9: the signed manifest does not expire within the warning window. */
async function checkExpiry(ctx: VerifyContext): Promise<Outcome> {
  if (ctx.server === null) return fail(NOT_PUBLISHED)
  if (ctx.trustedKey === undefined) return pass(NOT_SIGNED)
  const read = await ctx.manifest()
  if (read.kind !== 'ok') return fail('no manifest to check (see check 4)')
  const expiry = expiryState(read.manifest.expires, ctx.now)
  if (expiry === null) return fail(`the manifest has no valid "expires": sites refuse it`)
  const when = `${read.manifest.expires} (${expiry.days < 0 ? `${Math.ceil(-expiry.days)} days ago` : `in ${Math.floor(expiry.days)} days`})`
  return expiry.state === 'ok'
    ? pass(`expires ${when}`)
    : fail(`${expiry.state === 'expired' ? 'expired' : 'expires'} ${when}: run wprm publish ${ctx.plugin.slug} --refresh`)
}

/** 11: the manifest's entry of the version carries its channel, stepping stone and rollout as recorded. */
async function checkRollout(ctx: VerifyContext): Promise<Outcome> {
  const { version } = ctx
  if (ctx.server === null) return fail(NOT_PUBLISHED)
  const read = ctx.latest === null ? null : await ctx.manifest().catch(() => null)
  if (read === null || read.kind !== 'ok') return fail('no manifest could be read (see check 4)')
  const entry = read.manifest.versions.find((v) => v.version === version.version)
  if (entry === undefined) return fail(`the manifest does not list ${version.version}`)
  const expected = { channel: channelOf(version.version), required: version.required === true, rollout: version.rollout ?? null }
  const listed = { channel: entry.channel ?? channelOf(entry.version), required: entry.required ?? false, rollout: entry.rollout ?? null }
  const problems = (['channel', 'required', 'rollout'] as const)
    .filter((key) => JSON.stringify(listed[key]) !== JSON.stringify(expected[key]))
    .map((key) => `${key} ${JSON.stringify(listed[key])}, expected ${JSON.stringify(expected[key])}`)
  const topIsIt = read.manifest.version === version.version
  if (topIsIt && expected.channel === 'beta') problems.push('the top fields (the stable offer) name a pre-release')
  const now = new Date()
  return problems.length === 0
    ? pass(
        `${expected.channel}${expected.required ? ', stepping stone' : ''}; rollout ${describeRollout(version, now)}; stable offer ${read.manifest.version}`
      )
    : fail(problems.join('; '))
}

/** The release checklist's checks, keyed to their definitions in src-shared/checklist.ts. */
const CHECKS: CheckTable<VerifyContext> = {
  'zip-present': {
    title: (c) => `The ZIP of ${c.version.version} exists locally and on the server, with the recorded size`,
    run: checkZipPresent
  },
  'latest-link': {
    title: (c) =>
      `${latestLinkName(c.plugin.slug)} points to the newest live version${c.latest ? ` (${c.latest.version})` : ''}, locally and on the server`,
    run: checkLatestLink
  },
  download: { title: () => 'The download URL answers 200 with the recorded size and SHA-256', run: checkDownload },
  'manifest-latest': {
    title: () => 'The manifest names the expected latest version, its download URL and checksum; the updater accepts it',
    run: checkManifestLatest
  },
  'manifest-name': { title: () => "The manifest's name is the plugin's name", run: checkManifestName },
  'zip-version': {
    title: (c) =>
      `Inside the ZIP, the Version header${c.plugin.version_constant ? ` and ${c.plugin.version_constant}` : ''} say ${c.version.version}`,
    run: checkZipVersion
  },
  'main-file-strings': { title: () => "Expected strings are in the ZIP's text files, forbidden ones are not", run: checkZipStrings },
  signature: { title: () => "The manifest's signature is valid with the plugin's key", run: checkSignatureValid },
  expiry: { title: () => 'The manifest does not expire within 7 days', run: checkExpiry },
  record: { title: () => 'The database record is complete and consistent', run: checkRecord },
  rollout: { title: () => "The manifest lists the version's channel, stepping stone and rollout as recorded", run: checkRollout }
}

/**
 * Runs the release checklist for one version against the local dist folder, the server over SFTP and
 * the public URL over HTTP. Every check says what it saw; one failing does not stop the others. The
 * checks run at once: with a kept connection, the SFTP ones cost one round trip, the HTTP ones those
 * of their requests (a connection and the answer), side by side.
 */
export async function verifyRelease(request: VerifyRequest): Promise<VerifyReport> {
  const { plugin, version, server } = request
  const timeoutMs = request.httpTimeoutMs ?? 30_000
  const zipName = zipFileName(plugin.slug, version.version)
  let lease: SessionLease | null = null
  let closeStore: (() => void) | null = null
  const pool = request.sessions ?? new SessionPool()
  const context: VerifyContext = {
    plugin,
    version,
    server,
    latest: latestLive(request.versions),
    offer: stableOffer(request.versions, new Date()),
    zipName,
    // Opened once for every check that looks at the server; a refused login fails each of them the same way.
    remote: once(async () => {
      if (server!.kind !== 'sftp') {
        const store = await openStore(server!, request.secrets)
        closeStore = () => store.close()
        return storeCopies(store, plugin.slug, server!.kind === 's3')
      }
      const sftp = server!
      lease = await pool.lease(sftp, () => SftpSession.open(sftp, request.secrets, request.session))
      return sftpCopies(lease.session, sftp, pluginFolder(sftp, plugin.slug))
    }),
    download: once(() => fetchBytes(publicUrl(server!, plugin.slug, zipName), timeoutMs)),
    manifest: once(async (): Promise<ManifestRead> => {
      const { url, status, body, cacheControl } = await fetchBytes(publicUrl(server!, plugin.slug, MANIFEST_FILE), timeoutMs)
      if (status !== 200) return { kind: 'http-error', url, status }
      // Sites cut a manifest off at the cap before parsing it; then judge it as our updater does.
      const tooLarge = manifestSizeProblem(body.length)
      if (tooLarge !== null) return { kind: 'refused', url, reason: tooLarge.message }
      let data: unknown
      try {
        // A signed manifest is judged by its message, as the updater parses it (src-shared/signing.ts: splitEnvelope).
        data = JSON.parse(signedMessage(body.toString('utf8')))
      } catch {
        return { kind: 'invalid-json', url }
      }
      const problem = manifestProblem(data, plugin.slug)
      return problem === null
        ? { kind: 'ok', url, manifest: data as Manifest, bytes: body, cacheControl }
        : { kind: 'refused', url, reason: problem.message }
    }),
    trustedKey: request.trustedKey,
    now: request.now ?? new Date(),
    timeoutMs,
    zip: once(async () =>
      version.file_path === null
        ? null
        : await inspectPluginZip(version.file_path, plugin.slug, plugin.main_file).catch((error: unknown) => error as Error)
    ),
    texts: once(async () =>
      version.file_path === null
        ? null
        : await searchZipTexts(version.file_path, plugin.slug, [...plugin.expected_strings, ...plugin.forbidden_strings]).catch(
            (error: unknown) => error as Error
          )
    )
  }
  try {
    const checks = await runChecklist(CHECKS, context, request.onCheck)
    return { slug: plugin.slug, version: version.version, ok: checks.every((c) => c.ok), checks }
  } finally {
    await (lease as SessionLease | null)?.release()
    ;(closeStore as (() => void) | null)?.()
  }
}
