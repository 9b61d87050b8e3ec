import { createHash } from 'node:crypto'
import { readlink, stat } from 'node:fs/promises'
import path from 'node:path'
import posixPath from 'node:path/posix'
import type { PluginRecord, PluginVersionRecord, ServerProfile, VerifyCheck, VerifyReport } from '../../../src-shared/model.js'
import { hashFile } from '../build/checksums.js'
import { WprmError } from '../errors.js'
import type { Manifest } from './manifest.js'
import { MANIFEST_FILE, publicUrl } from './manifest.js'
import { latestLinkName, zipFileName } from '../build/zip-names.js'
import { readConstant, readHeader } from '../source/plugin-source.js'
import type { SecretProvider, SessionOptions } from './sftp-session.js'
import { SftpSession } from './sftp-session.js'
import { isLive, latestLive } from '../../../src-shared/versions.js'
import { inspectPluginZip } from '../build/zip-inspect.js'

/** How many checks the checklist has, so a face can show "3 of 8". */
export const CHECKLIST_LENGTH = 8

/** What a verification needs. */
export interface VerifyRequest {
  readonly plugin: PluginRecord
  readonly versions: readonly PluginVersionRecord[]
  readonly version: PluginVersionRecord
  readonly server: ServerProfile | null
  readonly secrets: SecretProvider
  readonly onCheck?: (check: VerifyCheck) => void
  readonly session?: SessionOptions
  readonly httpTimeoutMs?: number
}

/** A check's outcome before it is timed and numbered. */
type Outcome = { readonly ok: boolean; readonly detail: string }

const pass = (detail: string): Outcome => ({ ok: true, detail })
const fail = (detail: string): Outcome => ({ ok: false, detail })

function bytes(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unknown size' : `${n.toLocaleString('en-US')} bytes`
}

async function fetchBytes(url: string, timeoutMs: number): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' })
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) }
}

const NOT_PUBLISHED = 'not published: the plugin has no server (choose one in its Publishing settings, or `wprm plugin set <slug> --server NAME`)'

/**
 * Runs the release checklist for one version against the local dist folder, the server over SFTP and
 * the public URL over HTTP. Every check says what it saw; one failing does not stop the others.
 */
export async function verifyRelease(request: VerifyRequest): Promise<VerifyReport> {
  const { plugin, version, server } = request
  const latest = latestLive(request.versions)
  const zipName = zipFileName(plugin.slug, version.version)
  const remoteDir = server === null ? null : posixPath.join(server.remote_root, plugin.slug)
  const timeoutMs = request.httpTimeoutMs ?? 30_000
  const checks: VerifyCheck[] = []

  const run = async (title: string, body: () => Promise<Outcome>): Promise<void> => {
    const started = performance.now()
    let outcome: Outcome
    try {
      outcome = await body()
    } catch (error) {
      outcome = fail(error instanceof WprmError ? `${error.message} ${error.hint}` : (error as Error).message)
    }
    const check: VerifyCheck = { id: checks.length + 1, title, ok: outcome.ok, detail: outcome.detail, ms: Math.round(performance.now() - started) }
    checks.push(check)
    request.onCheck?.(check)
  }

  let session: SftpSession | null = null
  let sessionError: string | null = null
  const remote = async (): Promise<SftpSession> => {
    if (sessionError !== null) throw new Error(sessionError)
    if (session === null) {
      try {
        session = await SftpSession.open(server!, request.secrets, request.session)
      } catch (error) {
        sessionError = error instanceof WprmError ? `${error.message} ${error.hint}` : (error as Error).message
        throw error
      }
    }
    return session
  }

  let manifest: Manifest | null = null
  try {
    await run(`The ZIP of ${version.version} exists locally and on the server, with the recorded size`, async () => {
      const local = version.file_path === null ? null : await stat(version.file_path).catch(() => null)
      const localPart = local === null ? `local: missing (${version.file_path ?? 'no path recorded'})` : `local: ${bytes(local.size)}`
      if (server === null) return fail(`${localPart}; server: ${NOT_PUBLISHED}`)
      const remoteStats = await (await remote()).lstat(posixPath.join(remoteDir!, zipName))
      const remotePart = remoteStats === null ? `server: missing (${server.host}:${posixPath.join(remoteDir!, zipName)})` : `server: ${bytes(remoteStats.size)}`
      const ok = local !== null && remoteStats !== null && local.size === version.file_size && remoteStats.size === version.file_size
      return { ok, detail: `recorded ${bytes(version.file_size)}; ${localPart}; ${remotePart}` }
    })

    await run(`${latestLinkName(plugin.slug)} points to the newest live version${latest ? ` (${latest.version})` : ''}, locally and on the server`, async () => {
      if (latest === null) return fail('there is no live version')
      const expected = zipFileName(plugin.slug, latest.version)
      const localTarget = await readlink(path.join(plugin.dist_dir, latestLinkName(plugin.slug))).catch(() => null)
      const localTargetOk = localTarget === expected && (await stat(path.join(plugin.dist_dir, expected)).then(() => true, () => false))
      const localPart = `local → ${localTarget ?? 'no link'}`
      if (server === null) return fail(`${localPart}; server: ${NOT_PUBLISHED}`)
      const s = await remote()
      const remoteTarget = await s.readlink(posixPath.join(remoteDir!, latestLinkName(plugin.slug)))
      const remoteTargetOk = remoteTarget === expected && (await s.lstat(posixPath.join(remoteDir!, expected))) !== null
      return { ok: localTargetOk && remoteTargetOk, detail: `expected → ${expected}; ${localPart}; server → ${remoteTarget ?? 'no link'}` }
    })

    await run('The download URL answers 200 with the recorded size and SHA-256', async () => {
      if (server === null) return fail(NOT_PUBLISHED)
      const url = publicUrl(server, plugin.slug, zipName)
      const { status, body } = await fetchBytes(url, timeoutMs)
      const sha = createHash('sha256').update(body).digest('hex')
      const ok = status === 200 && body.length === version.file_size && sha === version.checksum
      const shaPart = sha === version.checksum ? `SHA-256 ${sha.slice(0, 16)}… as recorded` : `SHA-256 ${sha.slice(0, 16)}…, recorded ${version.checksum?.slice(0, 16) ?? 'none'}…`
      return { ok, detail: `${url} → HTTP ${status}, ${bytes(body.length)} (recorded ${bytes(version.file_size)}), ${shaPart}` }
    })

    await run('The manifest names the expected latest version, its download URL and checksum', async () => {
      if (server === null) return fail(NOT_PUBLISHED)
      if (latest === null) return fail('there is no live version')
      const url = publicUrl(server, plugin.slug, MANIFEST_FILE)
      const { status, body } = await fetchBytes(url, timeoutMs)
      if (status !== 200) return fail(`${url} → HTTP ${status}`)
      try {
        manifest = JSON.parse(body.toString('utf8')) as Manifest
      } catch {
        return fail(`${url} is not valid JSON`)
      }
      const expectedUrl = publicUrl(server, plugin.slug, zipFileName(plugin.slug, latest.version))
      const problems = [
        manifest.version !== latest.version ? `version ${manifest.version}, expected ${latest.version}` : null,
        manifest.download_url !== expectedUrl ? `download_url ${manifest.download_url}, expected ${expectedUrl}` : null,
        manifest.sha256 !== latest.checksum ? `sha256 ${String(manifest.sha256).slice(0, 16)}…, expected ${latest.checksum?.slice(0, 16)}…` : null
      ].filter((p): p is string => p !== null)
      return problems.length === 0
        ? pass(`manifest #${manifest.manifest_version}: version ${manifest.version}, ${manifest.download_url}, sha256 ${manifest.sha256.slice(0, 16)}…${manifest.force_update ? ', force update' : ''}`)
        : fail(problems.join('; '))
    })

    await run("The manifest's name is the plugin's name", async () => {
      if (manifest === null) return fail(server === null ? NOT_PUBLISHED : 'no manifest could be read (see the check before)')
      return manifest.name === plugin.name ? pass(`"${manifest.name}"`) : fail(`"${manifest.name}", expected "${plugin.name}"`)
    })

    const zip = version.file_path === null ? null : await inspectPluginZip(version.file_path, plugin.slug, plugin.main_file).catch((error: unknown) => error as Error)

    await run(`Inside the ZIP, the Version header${plugin.version_constant ? ` and ${plugin.version_constant}` : ''} say ${version.version}`, async () => {
      if (zip === null) return fail('no ZIP recorded')
      if (zip instanceof Error) return fail(zip.message)
      if (zip.mainFile === null) return fail(`${plugin.slug}/${plugin.main_file} is not in the ZIP`)
      const header = readHeader(zip.mainFile, 'Version')
      const constant = plugin.version_constant === null ? null : readConstant(zip.mainFile, plugin.version_constant)
      const topOk = zip.topFolders.length === 1 && zip.topFolders[0] === plugin.slug
      const ok = header === version.version && (plugin.version_constant === null || constant === version.version) && topOk
      const constantPart = plugin.version_constant === null ? 'no version constant configured' : `${plugin.version_constant} = ${constant ?? 'not defined'}`
      return { ok, detail: `Version: ${header ?? 'missing'}; ${constantPart}; top folder ${zip.topFolders.join(', ')}` }
    })

    await run('Expected strings are in the main file, forbidden ones are not', async () => {
      if (zip === null || zip instanceof Error || zip.mainFile === null) return fail('the main file could not be read from the ZIP')
      const text = zip.mainFile
      const count = (needle: string): number => text.split(needle).length - 1
      if (plugin.expected_strings.length === 0 && plugin.forbidden_strings.length === 0) {
        return pass('none configured (add them in the plugin\'s Publishing settings, or `wprm plugin set <slug> --expect TEXT --forbid TEXT`)')
      }
      const parts = [
        ...plugin.expected_strings.map((s) => ({ ok: count(s) > 0, text: `"${s}" found ${count(s)}×` })),
        ...plugin.forbidden_strings.map((s) => ({ ok: count(s) === 0, text: count(s) === 0 ? `"${s}" absent` : `forbidden "${s}" found ${count(s)}×` }))
      ]
      return { ok: parts.every((p) => p.ok), detail: parts.map((p) => p.text).join('; ') }
    })

    await run('The database record is complete and consistent', async () => {
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
        else if (actual.sha256 !== version.checksum || actual.md5 !== version.checksum_md5 || actual.size !== version.file_size) problems.push('the local ZIP does not match its recorded checksums')
      }
      return problems.length === 0
        ? pass(`${version.status}, ${bytes(version.file_size)}, sha256 ${version.checksum!.slice(0, 16)}…, md5 ${version.checksum_md5}, released ${version.released_at}`)
        : fail(problems.join('; '))
    })
  } finally {
    await (session as SftpSession | null)?.close()
  }
  return { slug: plugin.slug, version: version.version, ok: checks.every((c) => c.ok), checks }
}
