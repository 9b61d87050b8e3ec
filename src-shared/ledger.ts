import type { PluginVersionRecord, StagedRollout, VersionStatus } from './model.js'
import { WprmError } from './errors.js'
import { compareVersions } from './versions.js'

/**
 * The release ledger: what the update server holds beside `info.json` so that any workstation can take
 * over. Every version ever published to that server with everything a workstation records about it,
 * who published it and from where, and the manifest version each state belongs to.
 *
 * Pure rules only (the file is read and written in src-main/core/remote/ledger.ts): which state is the
 * truth, the next ledger a publish writes, and the refusals of a publish that would drop what sites see.
 */

/** The ledger's own format name; a reader that does not know it should not guess. */
export const LEDGER_FORMAT = 'wprm-ledger/1'

/** Who publishes: the login and machine, and the data folder (one workstation, or one CI run). */
export interface Workstation {
  readonly user: string
  readonly host: string
  /** The data folder's own random id (`<data>/workstation.json`). */
  readonly workstation: string
}

/** Who did something, from where, when, and in which manifest it went live. */
export interface LedgerActor extends Workstation {
  readonly at: string
  readonly manifest_version: number
}

/** One published version, as the ledger keeps it. */
export interface LedgerVersion {
  readonly version: string
  readonly status: Exclude<VersionStatus, 'draft'>
  readonly version_code: number
  readonly changelog: string
  readonly min_php_version: string | null
  /** Lowest WordPress version (`Requires at least`). */
  readonly min_platform_version: string | null
  readonly min_api_version: string | null
  readonly force_update: boolean
  /** The ZIP's file name beside the ledger. */
  readonly file_name: string
  /** The ZIP is on the server (false once retention removed it; the entry stays). */
  readonly on_server: boolean
  readonly size: number
  readonly sha256: string
  readonly md5: string
  readonly released_at: string | null
  readonly revoked_at: string | null
  /** Its staged rollout (absent in ledgers from before rollouts: none). */
  readonly rollout?: StagedRollout | null
  /** A stepping stone (absent in ledgers from before them: false). */
  readonly required?: boolean
  /** Who published it first. */
  readonly published: LedgerActor
  /** Who made the latest change to this entry (its status, changelog, …). */
  readonly changed: LedgerActor
}

/** What the ledger keeps of the plugin itself, so that a workstation without it can import it. */
export interface LedgerPlugin {
  readonly name: string
  readonly main_file: string
  readonly version_constant: string | null
}

/** The published state of a plugin as of one manifest. */
export interface LedgerState {
  readonly manifest_version: number
  /** Who wrote this state. */
  readonly published: LedgerActor
  readonly plugin: LedgerPlugin
  /** Every version ever published here, newest first. */
  readonly versions: readonly LedgerVersion[]
}

/** `ledger.json`: the newest state and the one before it. */
export interface Ledger extends LedgerState {
  readonly format: typeof LEDGER_FORMAT
  readonly slug: string
  /**
   * The state before this one. The ledger is written just before the manifest: while `info.json` still
   * carries the previous manifest_version (a publish cut between the two renames), this is the truth.
   */
  readonly previous: LedgerState | null
}

/** What the server holds for a plugin, as every reader must take it. */
export interface ServerTruth {
  /** The manifest_version sites see (0: nothing published). */
  readonly manifest_version: number
  /** The ledger's state for that manifest; null when nothing is published, or when `problem` says why not. */
  readonly state: LedgerState | null
  /** Why the server's state cannot be read in full (an `info.json` without a ledger, or one that does not match it). */
  readonly problem: string | null
}

/** The newest state a ledger holds, without its envelope. */
export function ledgerHead(ledger: Ledger): LedgerState {
  return { manifest_version: ledger.manifest_version, published: ledger.published, plugin: ledger.plugin, versions: ledger.versions }
}

/**
 * The truth from the two files: the ledger's state whose number is the manifest's. `manifestVersion` is
 * the one in `info.json` (0 when there is none or it is not ours). A ledger one step ahead of the manifest
 * comes from a publish cut after the ledger's rename and before the manifest's: its newest state never
 * went live, and the state before it is what sites see.
 */
export function serverTruth(ledger: Ledger | null, manifestVersion: number): ServerTruth {
  if (ledger === null) {
    return manifestVersion === 0
      ? { manifest_version: 0, state: null, problem: null }
      : {
          manifest_version: manifestVersion,
          state: null,
          problem: `the server has manifest #${manifestVersion} but no ledger (published by an older wprm, or by hand)`
        }
  }
  if (ledger.manifest_version === manifestVersion) return { manifest_version: manifestVersion, state: ledgerHead(ledger), problem: null }
  const previous = ledger.previous
  if (previous === null && manifestVersion === 0) return { manifest_version: 0, state: null, problem: null }
  if (previous !== null && previous.manifest_version === manifestVersion)
    return { manifest_version: manifestVersion, state: previous, problem: null }
  return {
    manifest_version: Math.max(manifestVersion, ledger.manifest_version),
    state: null,
    problem: `the server's manifest is #${manifestVersion} but its ledger describes #${ledger.manifest_version}`
  }
}

/** What a version record says that the ledger keeps: compared to tell a change from none. */
function sameEntry(a: Omit<LedgerVersion, 'published' | 'changed'>, b: LedgerVersion): boolean {
  return (
    a.status === b.status &&
    a.changelog === b.changelog &&
    a.min_php_version === b.min_php_version &&
    a.min_platform_version === b.min_platform_version &&
    a.min_api_version === b.min_api_version &&
    a.force_update === b.force_update &&
    a.on_server === b.on_server &&
    a.sha256 === b.sha256 &&
    a.released_at === b.released_at &&
    a.revoked_at === b.revoked_at &&
    JSON.stringify(a.rollout ?? null) === JSON.stringify(b.rollout ?? null) &&
    (a.required ?? false) === (b.required ?? false)
  )
}

/** What `nextLedger` needs: the records being published and the state they follow. */
export interface NextLedgerInput {
  readonly slug: string
  readonly plugin: LedgerPlugin
  /** Every version of the plugin, in the state to publish. */
  readonly versions: readonly PluginVersionRecord[]
  /** The versions whose ZIP is on the server once the publish is done. */
  readonly onServer: ReadonlySet<string>
  /** The server's state this publish follows (null: the first publish). */
  readonly base: LedgerState | null
  readonly manifestVersion: number
  readonly by: Workstation
  readonly at: string
  readonly zipName: (version: string) => string
}

/**
 * The ledger a publish writes: every built, non-draft version, with who published it first kept from
 * the state before, and who changed it stamped where this publish changes it. An entry of the state
 * before that the records lack is carried over as it was: a ledger never loses a version.
 */
export function nextLedger(input: NextLedgerInput): Ledger {
  const actor: LedgerActor = { ...input.by, at: input.at, manifest_version: input.manifestVersion }
  const before = new Map((input.base?.versions ?? []).map((entry) => [entry.version, entry]))
  const entries: LedgerVersion[] = []
  for (const record of input.versions) {
    if (record.status === 'draft' || record.checksum === null || record.checksum_md5 === null || record.file_size === null) continue
    const fields = {
      version: record.version,
      status: record.status,
      version_code: record.version_code,
      changelog: record.changelog,
      min_php_version: record.min_php_version,
      min_platform_version: record.min_platform_version,
      min_api_version: record.min_api_version,
      force_update: record.force_update,
      file_name: input.zipName(record.version),
      on_server: input.onServer.has(record.version),
      size: record.file_size,
      sha256: record.checksum,
      md5: record.checksum_md5,
      released_at: record.released_at,
      revoked_at: record.revoked_at,
      rollout: record.rollout ?? null,
      required: record.required === true
    }
    const old = before.get(record.version)
    before.delete(record.version)
    const unchanged = old !== undefined && sameEntry(fields, old)
    entries.push({ ...fields, published: old?.published ?? actor, changed: unchanged ? old.changed : actor })
  }
  entries.push(...before.values())
  entries.sort((a, b) => compareVersions(b.version, a.version))
  return {
    format: LEDGER_FORMAT,
    slug: input.slug,
    manifest_version: input.manifestVersion,
    published: actor,
    plugin: input.plugin,
    versions: entries,
    previous: input.base
  }
}

/** How a ledger entry differs from this workstation's record of it, in words; null when it does not. */
function differenceOf(entry: LedgerVersion, local: PluginVersionRecord | undefined): string | null {
  if (local === undefined || local.status === 'draft')
    return `${entry.version} ${entry.status}${entry.revoked_at !== null ? ' (revoked)' : ''}`
  if (entry.revoked_at !== null && local.revoked_at === null) return `${entry.version} revoked`
  if (entry.status !== local.status) return `${entry.version} now ${entry.status}`
  if (entry.changelog !== local.changelog) return `${entry.version}'s changelog edited`
  if (JSON.stringify(entry.rollout ?? null) !== JSON.stringify(local.rollout ?? null)) return `${entry.version}'s rollout changed`
  return null
}

/** What the server knows and this workstation does not, in a few words ("5.1.0 released, 5.0.4 revoked"). */
export function describeDifferences(state: LedgerState | null, local: readonly PluginVersionRecord[]): string[] {
  if (state === null) return []
  const byVersion = new Map(local.map((v) => [v.version, v]))
  return state.versions.map((entry) => differenceOf(entry, byVersion.get(entry.version))).filter((d): d is string => d !== null)
}

/**
 * The compare-and-swap of a publish, checked under the server's lock before anything changes: refused
 * when the server's manifest is newer than the one this workstation last saw (another workstation
 * published since), or when the records would leave out a version the server has published (a version
 * a site may run must stay listed, with its bytes).
 */
export function assertServerNotAhead(
  truth: ServerTruth,
  plugin: { readonly slug: string; readonly manifest_version: number },
  versions: readonly PluginVersionRecord[],
  host: string
): void {
  const pull = `Run \`wprm pull ${plugin.slug}\` to take in the server's state, then run this command again.`
  if (truth.manifest_version > plugin.manifest_version) {
    const what = describeDifferences(truth.state, versions)
    const who =
      truth.state === null
        ? ''
        : ` (last published by ${truth.state.published.user}@${truth.state.published.host} at ${truth.state.published.at})`
    throw new WprmError(
      'server-ahead',
      `${host} has manifest #${truth.manifest_version} of ${plugin.slug}${who}, newer than #${plugin.manifest_version} that this workstation last saw${what.length > 0 ? `: ${what.join(', ')}` : ''}. Nothing was changed.`,
      truth.problem === null
        ? pull
        : `${pull} (${truth.problem}: publish once from the workstation that has the records to write the ledger.)`
    )
  }
  if (truth.state === null) return
  const byVersion = new Map(versions.map((v) => [v.version, v]))
  for (const entry of truth.state.versions) {
    const local = byVersion.get(entry.version)
    if (local !== undefined && local.status !== 'draft' && local.checksum === entry.sha256) continue
    throw new WprmError(
      'server-ahead',
      `${host} has published ${plugin.slug} ${entry.version} (${entry.status}, SHA-256 ${entry.sha256.slice(0, 12)}…), which this workstation ${local === undefined ? 'does not have' : local.status === 'draft' ? 'has only as a draft' : `has with other bytes (${local.checksum?.slice(0, 12) ?? 'none'}…)`}; publishing would drop it from what sites see. Nothing was changed.`,
      pull
    )
  }
}
