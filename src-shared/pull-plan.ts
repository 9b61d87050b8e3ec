import type { LedgerState, LedgerVersion } from './ledger.js'
import type { PluginVersionRecord } from './model.js'
import { compareVersions } from './versions.js'

/** A local record the server's state cannot be taken in over, and why. */
export interface PullConflict {
  readonly version: string
  readonly reason: string
}

/** A ZIP the server holds that this workstation must hold too, at `path`, with these bytes. */
export interface PulledZip {
  readonly version: string
  readonly file_name: string
  readonly path: string
  readonly size: number
  readonly sha256: string
}

/** What taking the server's state in will do to one plugin's records, worked out before anything changes. */
export interface PullPlan {
  /** Every version of the plugin afterwards, newest first. */
  readonly records: readonly PluginVersionRecord[]
  /** Versions new here. */
  readonly added: readonly string[]
  /** Versions whose record changes (status, revocation, changelog, …). */
  readonly updated: readonly string[]
  /** Local versions the server does not have, kept as they are (drafts, or releases never published there). */
  readonly kept: readonly string[]
  readonly conflicts: readonly PullConflict[]
  /** The ZIPs on the server (live and kept versions), to download where they are not here already. */
  readonly zips: readonly PulledZip[]
}

/** The fields a user gives a draft: when a draft says what the server's release says, it is that release. */
function sameIntent(local: PluginVersionRecord, entry: LedgerVersion): boolean {
  return local.changelog.trim() === entry.changelog.trim() && local.force_update === entry.force_update
}

/** The record for a ledger entry, keeping what only this workstation knows (when it was first recorded here). */
function recordOf(
  slug: string,
  entry: LedgerVersion,
  local: PluginVersionRecord | undefined,
  filePath: string | null,
  now: string
): PluginVersionRecord {
  const record: PluginVersionRecord = {
    plugin: slug,
    allowed_files: local?.allowed_files ?? [],
    version: entry.version,
    status: entry.status,
    changelog: entry.changelog,
    version_code: entry.version_code,
    min_api_version: entry.min_api_version,
    min_platform_version: entry.min_platform_version,
    min_php_version: entry.min_php_version,
    force_update: entry.force_update,
    file_path: filePath,
    file_size: entry.size,
    checksum: entry.sha256,
    checksum_md5: entry.md5,
    released_at: entry.released_at,
    revoked_at: entry.revoked_at,
    // Only when there is one: a record without rollout or stepping stone keeps the shape it had before them.
    ...(entry.rollout !== undefined && entry.rollout !== null ? { rollout: entry.rollout } : {}),
    ...(entry.required === true ? { required: true } : {}),
    created_at: local?.created_at ?? entry.published.at,
    updated_at: local?.updated_at ?? now
  }
  // An unchanged record stays the same record (its updated_at too).
  if (local !== undefined && JSON.stringify({ ...local, updated_at: '' }) === JSON.stringify({ ...record, updated_at: '' })) return local
  return { ...record, updated_at: now }
}

/**
 * Plans taking a server's state into a workstation's records: the server's published versions replace
 * what the workstation has of them (the server is newer), a local draft the server never had is kept, and
 * a local change that was never published and conflicts with the server is reported, not overwritten: a
 * draft of a version the server released with another changelog, or a release with other bytes.
 * `zipPath` names where a version's ZIP lives here.
 */
export function planPull(input: {
  readonly slug: string
  readonly local: readonly PluginVersionRecord[]
  readonly state: LedgerState | null
  readonly zipPath: (fileName: string) => string
  readonly now: string
}): PullPlan {
  const local = new Map(input.local.map((v) => [v.version, v]))
  const entries = input.state?.versions ?? []
  const records: PluginVersionRecord[] = []
  const added: string[] = []
  const updated: string[] = []
  const conflicts: PullConflict[] = []
  const zips: PulledZip[] = []
  for (const entry of entries) {
    const mine = local.get(entry.version)
    local.delete(entry.version)
    if (mine !== undefined && mine.status === 'draft' && !sameIntent(mine, entry)) {
      conflicts.push({
        version: entry.version,
        reason: `${entry.version} is a draft here with another changelog or force-update, and the server has it ${entry.status}`
      })
      records.push(mine)
      continue
    }
    if (mine !== undefined && mine.status !== 'draft' && mine.checksum !== entry.sha256) {
      conflicts.push({
        version: entry.version,
        reason: `${entry.version} is ${mine.status} here with other bytes (SHA-256 ${mine.checksum?.slice(0, 12) ?? 'none'}…) than the server's (${entry.sha256.slice(0, 12)}…)`
      })
      records.push(mine)
      continue
    }
    const zipPath = input.zipPath(entry.file_name)
    // A ZIP the server no longer keeps stays here if it still is (same bytes: checked above).
    const filePath = entry.on_server ? zipPath : mine?.checksum === entry.sha256 ? mine.file_path : null
    if (entry.on_server)
      zips.push({ version: entry.version, file_name: entry.file_name, path: zipPath, size: entry.size, sha256: entry.sha256 })
    const record = recordOf(input.slug, entry, mine, filePath, input.now)
    records.push(record)
    if (mine === undefined) added.push(entry.version)
    else if (record !== mine) updated.push(entry.version)
  }
  const kept = [...local.values()]
  records.push(...kept)
  records.sort((a, b) => compareVersions(b.version, a.version))
  return {
    records,
    added,
    updated,
    kept: kept.map((v) => v.version).sort(compareVersions),
    conflicts,
    zips
  }
}
