import { link, mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Workstation } from '../../../src-shared/ledger.js'
import type { PluginRecord, PullResult, SigningKeyRecord } from '../../../src-shared/model.js'
import { targetPlace } from '../../../src-shared/server-targets.js'
import { splitEnvelope } from '../../../src-shared/signing.js'
import type { PullPlan } from '../../../src-shared/pull-plan.js'
import { planPull } from '../../../src-shared/pull-plan.js'
import { latestLive } from '../../../src-shared/versions.js'
import { hashFile } from '../build/checksums.js'
import { pointLatestLink } from '../build/packager.js'
import { clearIntent } from '../db/publish-intent.js'
import { requirePlugin, requireServer, versionsOf } from '../db/lookups.js'
import type { Database } from '../db/store.js'
import { recordActivity } from '../db/store.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { syncDirectory, tempPathFor } from '../fs/atomic-file.js'
import type { ServerFiles } from '../remote/server-files.js'
import { assertLedgerTrusted } from '../remote/signed-publish.js'
import type { ReleaseContext } from './context.js'

/**
 * Taking a server's state into the database for one plugin, shared by `pull` and by the reconcile that
 * every publishing command runs after an interruption: read the server's truth, plan (pure), download
 * the ZIPs it holds that are not here (each checked against its SHA-256), then commit in one short
 * transaction. The caller holds the plugin's lock.
 */

/** How a sync may adopt the server's state. */
export interface SyncOptions {
  /**
   * Adopt only this workstation's own publish, one manifest ahead of the database (the reconcile after an
   * interruption); anything else is left for `wprm pull`, and the sync answers null.
   */
  readonly onlyOwn?: Workstation
}

/** True when `file` holds exactly these bytes; false when there is no such file. */
async function holds(file: string, sha256: string): Promise<boolean> {
  try {
    return (await hashFile(file)).sha256 === sha256
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return false
    throw error
  }
}

/**
 * Brings the server's ZIPs into the dist folder: a file already here with the server's bytes is kept, one
 * with other bytes is refused (a released ZIP is never overwritten), a download whose bytes are not the
 * ledger's is refused naming the file. Returns the versions downloaded; on failure removes what it added.
 */
async function fetchZips(files: ServerFiles, slug: string, plan: PullPlan): Promise<string[]> {
  const { server } = files
  const added: string[] = []
  const downloaded: string[] = []
  try {
    for (const zip of plan.zips) {
      if (await holds(zip.path, zip.sha256)) continue
      if (
        await stat(zip.path).then(
          () => true,
          () => false
        )
      ) {
        throw new WprmError(
          'zip-conflict',
          `${zip.path} is here with other bytes than ${zip.file_name} on ${server.name} (SHA-256 ${zip.sha256.slice(0, 12)}…). A version's ZIP is never overwritten.`,
          'If it is a stray build of a version that was never published from here, move it away and pull again.'
        )
      }
      await mkdir(path.dirname(zip.path), { recursive: true })
      const place = files.where(slug, zip.file_name)
      const temp = tempPathFor(zip.path)
      try {
        const got = await files.download(slug, zip.file_name, temp)
        if (got.sha256 !== zip.sha256 || got.size !== zip.size) {
          throw new WprmError(
            'remote-conflict',
            `${zip.file_name} on ${place} is ${got.size} bytes with SHA-256 ${got.sha256.slice(0, 12)}…, but the ledger records ${zip.size} bytes, ${zip.sha256.slice(0, 12)}…. Nothing was taken in.`,
            `Find out who changed ${zip.file_name} on ${place}; put the released file back (a workstation that has it can: wprm publish <slug>), then pull again.`
          )
        }
        // Linked, not renamed: a file that appeared meanwhile is never replaced.
        await link(temp, zip.path)
        added.push(zip.path)
        downloaded.push(zip.version)
      } finally {
        await rm(temp, { force: true })
      }
    }
    if (added.length > 0) await syncDirectory(path.dirname(added[0]!))
    return downloaded
  } catch (error) {
    await Promise.all(added.map((file) => rm(file, { force: true })))
    throw error
  }
}

/** The refusal of a pull whose local changes clash with the server's. */
function conflictError(slug: string, plan: PullPlan): WprmError {
  const drafts = plan.conflicts.filter((c) => c.reason.includes('a draft here')).map((c) => c.version)
  return new WprmError(
    'remote-conflict',
    `${slug}: local changes that were never published clash with the server: ${plan.conflicts.map((c) => c.reason).join('; ')}. Nothing was changed here.`,
    drafts.length > 0
      ? `Remove the local draft${drafts.length > 1 ? 's' : ''} (wprm version remove ${slug} ${drafts.join(' ')}), then pull again.`
      : `Keep the server's release: move this workstation's ZIP of ${plan.conflicts.map((c) => c.version).join(', ')} away, remove the plugin here (wprm plugin remove ${slug} --keep-server) and import it again (wprm plugin import --server <name> ${slug}).`
  )
}

/**
 * Takes the server's state of `slug` into the database over an open session; null when `onlyOwn` finds
 * nothing of its own to adopt. Refuses, changing nothing, a server state it cannot read in full, one
 * older than the database's, and local changes that clash with it.
 */
export async function syncPlugin(
  ctx: ReleaseContext,
  slug: string,
  files: ServerFiles,
  options: SyncOptions = {}
): Promise<PullResult | null> {
  const snapshot = await ctx.store.read()
  const plugin = requirePlugin(snapshot, slug)
  if (plugin.server === null)
    throw new WprmError('usage', `${slug} has no server to pull from.`, `Choose one: wprm plugin set ${slug} --server NAME.`)
  const server = requireServer(snapshot, plugin.server)
  if (files.server.name !== server.name) {
    throw new WprmError(
      'invalid-transition',
      `${slug} now publishes to ${server.name}, not ${files.server.name}: its server changed while it was being pulled. Nothing was taken in.`,
      `Run \`wprm pull ${slug}\` again.`
    )
  }
  const truth = await files.readTruth(slug)
  const learned = ledgerKey(snapshot, plugin, truth.ledgerText)
  const own = options.onlyOwn
  if (own !== undefined) {
    if (truth.manifest_version <= plugin.manifest_version) {
      // Nothing of this workstation's reached sites beyond what the database records.
      await clearIntent(ctx.store.dataDir, slug)
      return null
    }
    const mine = truth.state?.published.workstation === own.workstation && truth.manifest_version === plugin.manifest_version + 1
    if (!mine) return null
  }
  // Nothing is taken from a ledger this workstation cannot trust (signed by another key, or unsigned for a signed plugin).
  const key = learned.linked ?? learned.found
  assertLedgerTrusted(truth.ledgerText, truth.manifestText, key === null ? [] : [key.public_key], slug, targetPlace(server), {
    signedHere: learned.linked !== null
  })
  const learnsKey = learned.linked === null && learned.found !== null ? learned.found.name : null
  if (truth.problem !== null) {
    throw new WprmError(
      'remote-conflict',
      `Cannot take in ${slug} from ${server.name}: ${truth.problem}.`,
      `Publish once from the workstation that has the records (wprm publish ${slug}): it writes the ledger.`
    )
  }
  if (truth.manifest_version < plugin.manifest_version && truth.manifest_version > 0) {
    throw new WprmError(
      'remote-conflict',
      `${server.name} has manifest #${truth.manifest_version} of ${slug}, older than #${plugin.manifest_version} that this workstation published (was the server restored from a backup?). Nothing was changed here.`,
      `Check the server; \`wprm publish ${slug}\` publishes this workstation's records again.`
    )
  }
  const local = versionsOf(snapshot, slug)
  const plan = planPull({
    slug,
    local,
    state: truth.state,
    zipPath: (name) => path.join(plugin.dist_dir, name),
    now: ctx.now().toISOString()
  })
  if (plan.conflicts.length > 0) {
    if (own !== undefined) return null
    throw conflictError(slug, plan)
  }
  const downloaded = await fetchZips(files, slug, plan)
  const manifestVersion = Math.max(truth.manifest_version, plugin.manifest_version)
  const result: PullResult = {
    slug,
    server: server.name,
    manifest_version_before: plugin.manifest_version,
    manifest_version: manifestVersion,
    added: plan.added,
    updated: plan.updated,
    kept: plan.kept,
    downloaded
  }
  const latest = latestLive(plan.records)
  const pointLink = async (): Promise<void> => {
    if (latest === null || latest.file_path !== null) await pointLatestLink(plugin.dist_dir, slug, latest?.version ?? null)
  }
  if (manifestVersion === plugin.manifest_version && plan.added.length + plan.updated.length === 0 && learnsKey === null) {
    // Up to date: nothing to record (the ZIPs that were missing here are back).
    await clearIntent(ctx.store.dataDir, slug)
    if (downloaded.length > 0) await pointLink()
    return result
  }
  await ctx.store.transact(`pull ${slug}`, (db) => {
    assertRecordsUnchanged(plugin, local, db, slug)
    const at = ctx.now().toISOString()
    const index = db.plugins.findIndex((p) => p.slug === slug)
    const next: PluginRecord = {
      ...plugin,
      manifest_version: manifestVersion,
      published_at: truth.state?.published.at ?? plugin.published_at,
      signing_key: learnsKey ?? plugin.signing_key,
      updated_at: at
    }
    db.plugins[index] = next
    db.versions = [...db.versions.filter((v) => v.plugin !== slug), ...plan.records]
    recordActivity(db, {
      at,
      plugin: slug,
      version: null,
      action: 'pull',
      summary: `${own === undefined ? 'Pulled' : 'Took in its own interrupted publish:'} manifest #${manifestVersion} from ${server.name}${
        plan.added.length > 0 ? `; added ${plan.added.join(', ')}` : ''
      }${plan.updated.length > 0 ? `; updated ${plan.updated.join(', ')}` : ''}${downloaded.length > 0 ? `; downloaded ${downloaded.join(', ')}` : ''}${
        learnsKey !== null ? `; signed with key ${learnsKey}, linked` : ''
      }`,
      changes: {
        manifest_version: [plugin.manifest_version, manifestVersion],
        ...(learnsKey !== null ? { signing_key: [plugin.signing_key, learnsKey] } : {})
      }
    })
  })
  await clearIntent(ctx.store.dataDir, slug)
  await pointLink()
  return result
}

/**
 * The key a server ledger is judged by: the plugin's linked key; else, when the ledger's signatures name a key
 * this data folder holds (a fresh folder that imported the key, then the plugin), that key, which the pull
 * then links: the plugin is signed from here on as well.
 */
function ledgerKey(
  db: Readonly<Database>,
  plugin: PluginRecord,
  ledgerText: string | null
): { readonly linked: SigningKeyRecord | null; readonly found: SigningKeyRecord | null } {
  const linked = plugin.signing_key === null ? null : (db.signing_keys.find((k) => k.name === plugin.signing_key) ?? null)
  if (linked !== null || ledgerText === null) return { linked, found: null }
  const signedBy = new Set((splitEnvelope(ledgerText)?.signatures ?? []).map((s) => s.keyid))
  return { linked, found: db.signing_keys.find((k) => signedBy.has(k.key_id)) ?? null }
}

/** The commit refuses when the plugin's records moved while the ZIPs came down. */
function assertRecordsUnchanged(plugin: PluginRecord, local: readonly unknown[], db: Readonly<Database>, slug: string): void {
  const now = db.plugins.find((p) => p.slug === slug)
  if (now !== undefined && JSON.stringify(now) === JSON.stringify(plugin) && JSON.stringify(versionsOf(db, slug)) === JSON.stringify(local))
    return
  throw new WprmError(
    'invalid-transition',
    `${slug} changed here while its server's state was read, so nothing was taken in.`,
    `Run \`wprm pull ${slug}\` again.`
  )
}
