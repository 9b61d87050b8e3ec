import type {
  Job,
  JobPhase,
  PluginRecord,
  PluginVersionRecord,
  ProgressEvent,
  PublishResult,
  ServerProfile
} from '../../../src-shared/model.js'
import type { LocalState, PlannedZip, PublishPlan, RemoteState } from './publish-plan.js'
import { planPublish } from './publish-plan.js'
import type { Workstation } from '../../../src-shared/ledger.js'
import { assertServerNotAhead } from '../../../src-shared/ledger.js'
import type { PluginTruth } from './ledger.js'
import { listedArtwork } from './publish-inputs.js'
import { assertLedgerTrusted, assertSitesWillTrust, signedFields, trustedByWorkstation } from './signed-publish.js'
import { WprmError } from '../errors.js'
import type { SessionPool } from './session-pool.js'
import type { SecretProvider } from './secrets.js'
import type { SessionOptions } from './sftp-session.js'
import type { Signing } from '../signing/sign-manifest.js'

/**
 * What every publish shares, whatever the target: the request, how the apply reports and times its phases,
 * and the message of a publish cut off partway (what reached the server, what did not).
 */

/** What a publish needs. */
export interface PublishRequest {
  readonly plugin: PluginRecord
  /** Every version of the plugin, in the state to publish. */
  readonly versions: readonly PluginVersionRecord[]
  readonly server: ServerProfile
  readonly secrets: SecretProvider
  readonly now: () => Date
  readonly job: Job
  readonly onProgress?: (event: ProgressEvent) => void
  /** Break a lock older than `staleLockMs` (a publish that died elsewhere). */
  readonly breakStaleLock?: boolean
  readonly staleLockMs?: number
  /** How long to wait for another publish of the same plugin to finish. */
  readonly lockWaitMs?: number
  /** Deprecated versions whose ZIPs leave the server (retention): dropped from the manifest, then deleted. */
  readonly retire?: readonly string[]
  readonly session?: SessionOptions
  /** Where the connection comes from: a pool keeps it for the checklist that follows (else one of its own). */
  readonly sessions?: SessionPool
  /** Who publishes, for the ledger (the data folder's workstation id). */
  readonly by?: Workstation
  /** The command an interruption's hint names: it takes in what reached the server, then finishes. */
  readonly retryCommand?: string
  /** Sign the manifest and the ledger (a plugin linked to a key): see signed-publish.ts. */
  readonly signing?: Signing
}

/** The step noted just before the manifest goes out (its rename, its PUT): past it, the new manifest may be live or not. */
export const MANIFEST_COMMIT_SENT = 'sent info.json'

/** How `applyPublishPlan` tells what it is doing: progress events, phase timing, and each step done. */
export interface ApplyHooks {
  readonly report: (phase: JobPhase, done: number, total: number, label: string) => void
  readonly timed: <T>(phase: JobPhase, body: () => Promise<T>) => Promise<T>
  /** A step that changed the server ("uploaded x.zip"), for the message of an interrupted publish. */
  readonly onStep: (step: string) => void
}

/**
 * The error of a publish cut off partway, saying what reached the server and whether the manifest (the commit
 * point) went live; any other error passes through unchanged.
 */
export function explainInterruption(error: unknown, done: readonly string[], request: PublishRequest): unknown {
  if (!(error instanceof WprmError) || error.kind !== 'publish-interrupted') return error
  const uncertain = done.includes(MANIFEST_COMMIT_SENT)
  const steps = done.filter((step) => step !== MANIFEST_COMMIT_SENT)
  return new WprmError(
    'publish-interrupted',
    `${error.message} Done: ${steps.length === 0 ? 'nothing' : steps.join(', ')}. ${
      uncertain
        ? 'Unknown: whether the new manifest went live (the connection was lost while it was written).'
        : 'Not done: the new manifest; sites still see the previous release.'
    }`,
    `Run \`${request.retryCommand ?? `wprm publish ${request.plugin.slug}`}\` again when the server is reachable: it first takes in what reached the server, then finishes the job.`
  )
}

/** Times the phases of a publish; consecutive work of the same phase adds up to one entry. */
function phaseClock(): { readonly phases: { phase: JobPhase; ms: number }[]; readonly timed: ApplyHooks['timed'] } {
  const phases: { phase: JobPhase; ms: number }[] = []
  const timed = async <T>(phase: JobPhase, body: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      return await body()
    } finally {
      const last = phases.at(-1)
      const ms = performance.now() - started
      if (last?.phase === phase) phases[phases.length - 1] = { phase, ms: last.ms + ms }
      else phases.push({ phase, ms })
    }
  }
  return { phases, timed }
}

/** A publish's progress and timing: the hooks its apply reports through, its phase times, and the steps done (for `explainInterruption`). */
export function publishHooks(request: PublishRequest): {
  readonly clock: ReturnType<typeof phaseClock>
  readonly done: string[]
  readonly hooks: ApplyHooks
} {
  const clock = phaseClock()
  const done: string[] = []
  const hooks: ApplyHooks = {
    report: (phase, doneCount, total, label) => request.onProgress?.({ job: request.job, phase, done: doneCount, total, label }),
    timed: clock.timed,
    onStep: (step) => done.push(step)
  }
  return { clock, done, hooks }
}

/**
 * The end of a publish once its manifest is live: says so, deletes the retired ZIPs (best effort: a leftover is
 * harmless, no manifest lists it) and tells what was done.
 */
export async function finishPublish(
  plan: PublishPlan,
  hooks: ApplyHooks,
  zips: { readonly uploaded: readonly string[]; readonly skipped: readonly string[] },
  remove: (name: string) => Promise<unknown>
): Promise<Omit<PublishResult, 'phases'>> {
  hooks.report('manifest', 2, 2, `Manifest #${plan.manifest.manifest_version} is live: ${plan.manifest.version}`)
  await Promise.all(plan.retire.map((retired) => remove(retired.name).catch(() => undefined)))
  return {
    slug: plan.slug,
    server: plan.server.name,
    manifest_version: plan.manifest.manifest_version,
    latest: plan.latest,
    manifest_url: plan.manifestUrl,
    uploaded: [...zips.uploaded],
    skipped: [...zips.skipped],
    notes: plan.notes,
    expires: plan.manifest.expires ?? null
  }
}

/**
 * Uploads the plan's ZIPs the server lacks, one after another (`upload` sends one and reports its bytes), with the
 * progress of the whole; the ZIPs the server has are counted as skipped.
 */
export async function uploadPlannedZips(
  plan: PublishPlan,
  hooks: ApplyHooks,
  upload: (zip: PlannedZip, onBytes: (sent: number) => void) => Promise<unknown>
): Promise<{ readonly uploaded: string[]; readonly skipped: string[] }> {
  const uploaded: string[] = []
  const skipped: string[] = []
  const totalBytes = plan.zips.reduce((sum, z) => sum + z.size, 0)
  let sentBefore = 0
  for (const zip of plan.zips) {
    if (zip.action === 'upload') {
      const before = sentBefore
      await hooks.timed('upload', () => upload(zip, (sent) => hooks.report('upload', before + sent, totalBytes, `Uploading ${zip.name}`)))
      uploaded.push(zip.version)
      hooks.onStep(`uploaded ${zip.name}`)
    } else {
      skipped.push(zip.version)
    }
    sentBefore += zip.size
  }
  hooks.report('upload', totalBytes, totalBytes, `${uploaded.length} uploaded, ${skipped.length} already there`)
  return { uploaded, skipped }
}

/**
 * The refusals every target makes on the server's truth, read under its lock, before anything on the server
 * changes: a server ahead of these records (compare-and-swap), a live manifest whose trusted keys this workstation
 * cannot sign for, a ledger it cannot trust. `where` names the target in the messages.
 */
export function refuseUntrustedTruth(request: PublishRequest, where: string, truth: PluginTruth): void {
  const { plugin } = request
  assertServerNotAhead(truth, plugin, request.versions, where)
  assertSitesWillTrust(truth.manifestText, request.signing, plugin.slug, where)
  assertLedgerTrusted(truth.ledgerText, truth.manifestText, trustedByWorkstation(request.signing), plugin.slug, where)
}

/** Plans a publish from the server's truth (after `refuseUntrustedTruth`), its ZIPs and the workstation's side. */
export function planFromTruth(request: PublishRequest, truth: PluginTruth, zips: RemoteState['zips'], local: LocalState): PublishPlan {
  const { plugin } = request
  return planPublish({
    plugin,
    versions: request.versions,
    server: request.server,
    retire: request.retire,
    remote: { manifestVersion: truth.manifest_version, zips, artwork: listedArtwork(truth.manifestText) },
    local,
    now: request.now(),
    base: truth.state,
    by: request.by ?? { user: 'unknown', host: 'unknown', workstation: 'unknown' },
    signed: signedFields(request.signing, request.now())
  })
}
