import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { AddVersionInput, ChangeStatusResult, PluginRecord, PluginVersionRecord, VersionStatus } from '../../../src-shared/model.js'
import { buildJob } from '../../../src-shared/jobs.js'
import { isLive } from '../../../src-shared/versions.js'
import { buildVersionZip } from '../build/packager.js'
import { WprmError } from '../errors.js'

/**
 * "Nothing needs doing": a command run again after it succeeded (a retried CI job, or the command an
 * interruption's hint names, once the reconcile took in what reached the server) answers success instead
 * of failing, but only for the same version with the same bytes.
 */

/**
 * Builds the version from the source once more, in a scratch folder, and refuses when the bytes are not
 * the released ones: "already released" is true only of this source. A plugin imported without its source
 * has nothing to compare; its release stands as it is.
 */
export async function assertSameBytes(plugin: PluginRecord, record: PluginVersionRecord): Promise<void> {
  if (record.checksum === null) return
  const sourceThere = await stat(plugin.source_dir).then(
    (s) => s.isDirectory(),
    () => false
  )
  if (!sourceThere) return
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wprm-same-bytes-'))
  try {
    const build = await buildVersionZip({
      plugin: { ...plugin, dist_dir: scratch },
      version: record.version,
      job: buildJob(plugin.slug, record.version)
    })
    if (build.checksum !== record.checksum) {
      throw new WprmError(
        'zip-conflict',
        `${plugin.slug} ${record.version} is already ${record.status}, but the source now builds other bytes (SHA-256 ${build.checksum.slice(0, 12)}…, released ${record.checksum.slice(0, 12)}…). Nothing was changed.`,
        `A released version never changes: release the source as a new version (wprm next ${plugin.slug}).`
      )
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * A status change every named version already has: the answer of a command that has nothing to do, or
 * null when there is something to do (the planner then says what, or why not).
 */
export async function alreadyInStatus(
  plugin: PluginRecord,
  versions: readonly PluginVersionRecord[],
  targets: readonly string[],
  status: VersionStatus
): Promise<ChangeStatusResult | null> {
  const records = targets.map((version) => versions.find((v) => v.version === version))
  if (records.length === 0 || records.some((r) => r === undefined || r.status !== status)) return null
  const found = records as PluginVersionRecord[]
  if (isLive(status)) for (const record of found) await assertSameBytes(plugin, record)
  return { versions: found, builds: [], publish: null, already: true }
}

/**
 * `version add` of a version that exists: done already when it has the same changelog and the asked
 * status (with the same bytes); `release` when it is that very draft and a live status is asked; null when
 * it is another version of the same number (refused as before).
 */
export async function repeatedAdd(
  plugin: PluginRecord,
  existing: PluginVersionRecord | undefined,
  input: AddVersionInput
): Promise<{ readonly kind: 'done'; readonly result: ChangeStatusResult } | { readonly kind: 'release' } | null> {
  // Without a changelog the readme's entry is taken: a rerun is the same version whatever it says now.
  if (existing === undefined || (input.changelog !== undefined && existing.changelog !== input.changelog.trim())) return null
  if ((input.forceUpdate ?? false) !== existing.force_update) return null
  const status = input.status ?? 'draft'
  if (existing.status === status) {
    if (isLive(status)) await assertSameBytes(plugin, existing)
    return { kind: 'done', result: { versions: [existing], builds: [], publish: null, already: true } }
  }
  return existing.status === 'draft' && isLive(status) ? { kind: 'release' } : null
}
