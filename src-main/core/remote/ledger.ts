import path from 'node:path/posix'
import type { Ledger, LedgerState, LedgerVersion, ServerTruth } from '../../../src-shared/ledger.js'
import { LEDGER_FORMAT, serverTruth } from '../../../src-shared/ledger.js'
import { signedMessage } from '../../../src-shared/signing.js'
import { MANIFEST_FILE } from './manifest.js'
import type { SftpSession } from './sftp-session.js'

/** The ledger's file name, beside `info.json` under `<remote root>/<slug>/`. */
export const LEDGER_FILE = 'ledger.json'

const isString = (v: unknown): v is string => typeof v === 'string'
const isNullableString = (v: unknown): boolean => v === null || typeof v === 'string'
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

function isActor(v: unknown): boolean {
  const a = v as Record<string, unknown> | null
  return (
    typeof a === 'object' &&
    a !== null &&
    isString(a.user) &&
    isString(a.host) &&
    isString(a.workstation) &&
    isString(a.at) &&
    isCount(a.manifest_version)
  )
}

function isRollout(v: unknown): boolean {
  const r = v as Record<string, unknown> | null
  return (
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.steps) &&
    r.steps.length > 0 &&
    r.steps.every((s: unknown) => {
      const step = s as Record<string, unknown> | null
      return typeof step === 'object' && step !== null && Number.isInteger(step.percent) && isString(step.at)
    }) &&
    isNullableString(r.halted_at) &&
    typeof r.forced === 'boolean'
  )
}

function isEntry(v: unknown): v is LedgerVersion {
  const e = v as Record<string, unknown> | null
  return (
    typeof e === 'object' &&
    e !== null &&
    isString(e.version) &&
    (e.status === 'released' || e.status === 'update_ready' || e.status === 'deprecated') &&
    isCount(e.version_code) &&
    isString(e.changelog) &&
    isNullableString(e.min_php_version) &&
    isNullableString(e.min_platform_version) &&
    isNullableString(e.min_api_version) &&
    typeof e.force_update === 'boolean' &&
    isString(e.file_name) &&
    !e.file_name.includes('/') &&
    typeof e.on_server === 'boolean' &&
    isCount(e.size) &&
    isString(e.sha256) &&
    /^[0-9a-f]{64}$/.test(e.sha256) &&
    isString(e.md5) &&
    isNullableString(e.released_at) &&
    isNullableString(e.revoked_at) &&
    (e.rollout === undefined || e.rollout === null || isRollout(e.rollout)) &&
    (e.required === undefined || typeof e.required === 'boolean') &&
    isActor(e.published) &&
    isActor(e.changed)
  )
}

function isState(v: unknown): v is LedgerState {
  const s = v as Record<string, unknown> | null
  const plugin = s?.plugin as Record<string, unknown> | undefined
  return (
    typeof s === 'object' &&
    s !== null &&
    isCount(s.manifest_version) &&
    isActor(s.published) &&
    typeof plugin === 'object' &&
    plugin !== null &&
    isString(plugin.name) &&
    isString(plugin.main_file) &&
    isNullableString(plugin.version_constant) &&
    Array.isArray(s.versions) &&
    s.versions.every(isEntry)
  )
}

/** A ledger's text as read from a server, or null when it is not a ledger of ours for that slug. */
export function parseLedger(text: string, slug: string): Ledger | null {
  let value: unknown
  try {
    // A signed ledger: its message (the signatures member is not part of the ledger).
    value = JSON.parse(signedMessage(text))
  } catch {
    return null
  }
  const ledger = value as Record<string, unknown> | null
  if (typeof ledger !== 'object' || ledger === null || ledger.format !== LEDGER_FORMAT || ledger.slug !== slug) return null
  if (!isState(ledger) || !(ledger.previous === null || isState(ledger.previous))) return null
  return value as Ledger
}

/** The manifest version in `info.json`'s text; 0 when it is not a manifest of ours. */
export function manifestVersionOf(text: string | null): number {
  if (text === null) return 0
  try {
    const value = (JSON.parse(text) as { manifest_version?: unknown }).manifest_version
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0
  } catch {
    return 0
  }
}

/** What a server holds for a plugin, as read: the truth of its manifest and ledger, and their texts. */
export type PluginTruth = ServerTruth & {
  readonly ledger: Ledger | null
  readonly manifestText: string | null
  readonly ledgerText: string | null
}

/**
 * Takes the truth from a plugin's manifest and ledger as `readPair` reads them (both at once, on any target),
 * with what else it returns (a store's ETag). Under the publish lock the pair is consistent; without it (a pull),
 * a publish may write between the two reads, so a pair that does not match is read again.
 */
export async function readTruthPair<Extra extends object>(
  slug: string,
  readPair: () => Promise<{ readonly manifestText: string | null; readonly ledgerText: string | null } & Extra>
): Promise<PluginTruth & Extra> {
  for (let attempt = 1; ; attempt++) {
    const pair = await readPair()
    const { manifestText, ledgerText } = pair
    const ledger = ledgerText === null ? null : parseLedger(ledgerText, slug)
    const truth =
      ledgerText !== null && ledger === null
        ? {
            manifest_version: manifestVersionOf(manifestText),
            state: null,
            problem: `${LEDGER_FILE} on the server is not a ledger of ${slug}`
          }
        : serverTruth(ledger, manifestVersionOf(manifestText))
    if (truth.problem === null || ledger === null || attempt >= 3) return { ...pair, ...truth, ledger }
  }
}

/** Reads what an SFTP server holds for a plugin in `dir` (the two files in one round trip): see readTruthPair. */
export function readServerTruth(session: SftpSession, dir: string, slug: string): Promise<PluginTruth> {
  return readTruthPair(slug, async () => {
    const [manifestText, ledgerText] = await Promise.all([
      session.readText(path.join(dir, MANIFEST_FILE)),
      session.readText(path.join(dir, LEDGER_FILE))
    ])
    return { manifestText, ledgerText }
  })
}

/** The ledger's text, readable by people, one field per line: what an unsigned publish writes, and what a signed one signs. */
export function ledgerText(ledger: Ledger): string {
  return `${JSON.stringify(ledger, null, 2)}\n`
}

/** The ledger as an unsigned publish writes it to the server (a signed one: signed-publish.ts). */
export function ledgerBytes(ledger: Ledger): Buffer {
  return Buffer.from(ledgerText(ledger))
}
