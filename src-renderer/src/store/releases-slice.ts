import type {
  AddVersionInput,
  ApiError,
  ChangeStatusResult,
  Job,
  JobPhase,
  NextVersions,
  PluginDetails,
  ProgressEvent,
  Result,
  VersionStatus
} from '../../../src-preload/api'
import { CHECKLIST_LENGTH } from '../../../src-shared/checklist'
import { compareVersions, isLive } from '../../../src-shared/versions'
import { JOB_PHASES } from '../lib/jobs'
import { settle } from './api-client'
import type { All, Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey, withoutKey } from './types'

/** Where one phase of a release run stands. */
export type PhaseState = 'pending' | 'active' | 'done' | 'skipped' | 'failed'

/** One phase of a run, with its latest progress. */
export interface RunPhase {
  readonly phase: JobPhase
  readonly state: PhaseState
  readonly done: number
  readonly total: number
  readonly label: string
}

/** What started a run: the new-version form, a bulk action, or the emergency form. */
export type RunOrigin = 'new-version' | 'bulk' | 'emergency'

/** A release (or other status change) as it runs: phases from `progress` events, then the verification. */
export interface ReleaseRun {
  readonly id: number
  readonly slug: string
  readonly versions: readonly string[]
  /** What the user asked for, e.g. "Release 1.2.0". */
  readonly title: string
  readonly origin: RunOrigin
  readonly state: 'running' | 'done' | 'failed'
  readonly phases: readonly RunPhase[]
  /** The phases this run is expected to go through (no build for a deprecation, no upload without a server). */
  readonly planned: readonly JobPhase[]
  readonly error: ApiError | null
  readonly result: ChangeStatusResult | null
  /** The version the checklist ran for afterwards (its report is in the verify slice). */
  readonly verifiedVersion: string | null
}

/** A bulk action waiting for the user's confirmation. */
export interface PendingBulk {
  readonly slug: string
  readonly status: VersionStatus
  readonly versions: readonly string[]
}

/** One plugin's versions, the new-version form and the release runs. */
export interface ReleasesSlice {
  readonly details: Readonly<Record<string, PluginDetails>>
  readonly detailsOps: Readonly<Record<string, Op>>
  readonly nextVersions: Readonly<Record<string, NextVersions>>
  /** Versions ticked in the table, per plugin. */
  readonly selection: Readonly<Record<string, readonly string[]>>
  readonly pendingBulk: PendingBulk | null
  readonly bulkOps: Readonly<Record<string, Op>>
  readonly newVersionOps: Readonly<Record<string, Op>>
  /** The latest run per plugin. */
  readonly runs: Readonly<Record<string, ReleaseRun>>
  /** Loads a plugin's versions, suggested next versions and source status. */
  loadPlugin(slug: string): Promise<void>
  toggleVersion(slug: string, version: string): void
  setSelection(slug: string, versions: readonly string[]): void
  /** Hides a finished run's panel. */
  dismissRun(slug: string): void
  /** Asks for confirmation of a bulk action over the selected versions. */
  requestBulk(slug: string, status: VersionStatus): void
  cancelBulk(): void
  /** Runs the confirmed bulk action. */
  confirmBulk(): Promise<boolean>
  /** Adds a version (three fields); a live status releases it at once, with progress and verification. */
  addVersion(input: AddVersionInput, origin?: RunOrigin): Promise<boolean>
  /** A `progress` event: moves the matching run's phases on. */
  receiveProgress(event: ProgressEvent): void
}

const BUILD_PHASES: readonly JobPhase[] = ['scan', 'zip', 'hash']
const PUBLISH_PHASES: readonly JobPhase[] = ['upload', 'manifest']

const BULK_TITLES: Readonly<Record<VersionStatus, string>> = {
  draft: 'Back to draft',
  released: 'Release',
  update_ready: 'Mark update ready',
  deprecated: 'Deprecate'
}

let nextRunId = 1

function freshPhases(): RunPhase[] {
  return JOB_PHASES.map((phase) => ({ phase, state: 'pending', done: 0, total: 0, label: '' }))
}

function updatePhases(phases: readonly RunPhase[], update: (p: RunPhase) => RunPhase): RunPhase[] {
  return phases.map(update)
}

/** True when a progress event's job is one of this run's jobs (each build, or the publish of all). */
function belongsTo(run: ReleaseRun, job: Job): boolean {
  if (job.slug !== run.slug) return false
  if (job.kind === 'build') return job.versions.every((v) => run.versions.includes(v))
  return job.kind === 'release' && job.versions.length === run.versions.length && job.versions.every((v, i) => v === run.versions[i])
}

/** A run's phases as the event says: earlier phases are done, this one is active with its numbers. */
export function applyProgress(phases: readonly RunPhase[], event: ProgressEvent): RunPhase[] {
  const at = JOB_PHASES.indexOf(event.phase)
  return updatePhases(phases, (p) => {
    const index = JOB_PHASES.indexOf(p.phase)
    if (index === at) return { ...p, state: 'active', done: event.done, total: event.total, label: event.label }
    // A second build (bulk release of several drafts) starts at "scan" again: later phases go back to waiting.
    if (index > at && p.state === 'active') return { ...p, state: 'pending' }
    if (index < at && (p.state === 'pending' || p.state === 'active')) return { ...p, state: 'done' }
    return p
  })
}

/** The phases once the call answered: what ran is done, what did not apply is skipped. */
function settlePhases(phases: readonly RunPhase[], result: ChangeStatusResult, verifying: boolean): RunPhase[] {
  return updatePhases(phases, (p) => {
    if (p.phase === 'verify') return verifying ? { ...p, state: 'active', label: 'Running the checklist' } : { ...p, state: 'skipped' }
    const ran = BUILD_PHASES.includes(p.phase)
      ? result.builds.length > 0
      : PUBLISH_PHASES.includes(p.phase)
        ? result.publish !== null
        : false
    if (!ran) return { ...p, state: 'skipped' }
    return { ...p, state: 'done', done: p.total > 0 ? p.total : p.done }
  })
}

/**
 * How far a run is, 0 to 1, over its planned phases; the verify phase counts finished checks.
 */
export function runFraction(run: ReleaseRun, finishedChecks: number): number {
  if (run.state === 'done') return 1
  const phases = run.phases.filter((p) => run.planned.includes(p.phase) && p.state !== 'skipped')
  if (phases.length === 0) return 0
  let sum = 0
  for (const p of phases) {
    if (p.state === 'done') sum += 1
    else if (p.state === 'active' || p.state === 'failed') {
      if (p.phase === 'verify') sum += Math.min(1, finishedChecks / CHECKLIST_LENGTH)
      else if (p.total > 0) sum += Math.min(1, p.done / p.total)
    }
  }
  return Math.min(1, sum / phases.length)
}

/** The phases after a failure: the one that was running failed, the rest never ran. */
function failPhases(phases: readonly RunPhase[]): RunPhase[] {
  return updatePhases(phases, (p) => (p.state === 'active' ? { ...p, state: 'failed' } : p))
}

/** True once any progress arrived: the job really started (a refusal by a rule answers before that). */
function started(run: ReleaseRun): boolean {
  return run.phases.some((p) => p.state !== 'pending')
}

/**
 * Runs a status change as a visible job: phases fill from progress events, then the checklist runs for
 * the released version when the plugin has a server.
 */
async function runRelease(
  get: () => All,
  set: (partial: (s: All) => Partial<All>) => void,
  slug: string,
  versions: readonly string[],
  title: string,
  origin: RunOrigin,
  status: VersionStatus,
  call: () => Promise<Result<ChangeStatusResult>>
): Promise<Result<ChangeStatusResult>> {
  const details = get().details[slug]
  const hasServer = details?.plugin.server !== null && details?.plugin.server !== undefined
  // Only drafts are built; a version already built keeps its ZIP.
  const builds = isLive(status) && versions.some((v) => (details?.versions.find((r) => r.version === v)?.status ?? 'draft') === 'draft')
  const planned = JOB_PHASES.filter((p) => (BUILD_PHASES.includes(p) ? builds : hasServer))
  const run: ReleaseRun = {
    id: nextRunId++,
    slug,
    versions,
    title,
    origin,
    state: 'running',
    phases: freshPhases(),
    planned,
    error: null,
    result: null,
    verifiedVersion: null
  }
  const patchRun = (change: (r: ReleaseRun) => ReleaseRun): void =>
    set((s) => {
      const current = s.runs[slug]
      // A newer run replaced this one: its answers must not overwrite it.
      if (current === undefined || current.id !== run.id) return {}
      return { runs: withKey(s.runs, slug, change(current)) }
    })
  // Kept to come back to if this run turns out to be a refusal with nothing to show.
  const previous = get().runs[slug]
  set((s) => ({ runs: withKey(s.runs, slug, run) }))

  const result = await settle(call)
  if (!result.ok) {
    // Another workstation published meanwhile: the plugin's screen says so, and how to catch up.
    if (result.error.kind === 'server-ahead') get().markServerAhead(slug, result.error)
    set((s) => {
      const current = s.runs[slug]
      if (current === undefined || current.id !== run.id) return {}
      // Refused before any work (a rule, a wrong version): there was no job to show, only the error.
      if (!started(current)) return { runs: previous === undefined ? withoutKey(s.runs, slug) : withKey(s.runs, slug, previous) }
      return { runs: withKey(s.runs, slug, { ...current, state: 'failed', error: result.error, phases: failPhases(current.phases) }) }
    })
    await get().loadPlugin(slug)
    return result
  }
  // The checklist runs after a publish: the released version if one went live, else what sites get now.
  const published = result.value.publish !== null
  const verifyVersion = !published ? null : isLive(status) ? [...versions].sort(compareVersions).at(-1)! : result.value.publish!.latest
  patchRun((r) => ({
    ...r,
    result: result.value,
    verifiedVersion: verifyVersion,
    phases: settlePhases(r.phases, result.value, verifyVersion !== null)
  }))
  // Reloading first shows the new statuses while the checklist runs.
  await Promise.all([get().loadPlugin(slug), get().loadPlugins()])
  if (verifyVersion !== null) {
    const report = await get().runVerify(slug, verifyVersion, 'release')
    patchRun((r) => ({
      ...r,
      phases: updatePhases(r.phases, (p) =>
        p.phase === 'verify'
          ? {
              ...p,
              state: report?.ok ? 'done' : 'failed',
              done: report?.checks.filter((c) => c.ok).length ?? 0,
              total: report?.checks.length ?? 0,
              label: report === null ? 'Could not run the checklist' : report.ok ? 'All checks passed' : 'Some checks failed'
            }
          : p
      )
    }))
  }
  patchRun((r) => ({ ...r, state: 'done' }))
  return result
}

/** The releases slice: versions table, bulk actions, new versions and release runs. */
export const createReleasesSlice: SliceCreator<ReleasesSlice> =
  ({ api }) =>
  (set, get) => ({
    details: {},
    detailsOps: {},
    nextVersions: {},
    selection: {},
    pendingBulk: null,
    bulkOps: {},
    newVersionOps: {},
    runs: {},

    loadPlugin: async (slug) => {
      set((s) => ({ detailsOps: withKey(s.detailsOps, slug, { busy: true, error: s.detailsOps[slug]?.error ?? null }) }))
      const [details, next] = await Promise.all([
        settle(() => api.getPlugin({ slug })),
        settle(() => api.suggestNextVersions({ slug })),
        get().loadSourceStatus(slug)
      ])
      set((s) => {
        if (!details.ok) return { detailsOps: withKey(s.detailsOps, slug, failed(details.error)) }
        // Versions that no longer exist cannot stay selected.
        const known = new Set(details.value.versions.map((v) => v.version))
        return {
          details: withKey(s.details, slug, details.value),
          detailsOps: withKey(s.detailsOps, slug, IDLE),
          nextVersions: next.ok ? withKey(s.nextVersions, slug, next.value) : s.nextVersions,
          selection: withKey(
            s.selection,
            slug,
            (s.selection[slug] ?? []).filter((v) => known.has(v))
          )
        }
      })
    },

    // A new selection is a new question: the answer to the previous bulk action no longer applies.
    toggleVersion: (slug, version) =>
      set((s) => {
        const current = s.selection[slug] ?? []
        const next = current.includes(version) ? current.filter((v) => v !== version) : [...current, version]
        return { selection: withKey(s.selection, slug, next), bulkOps: withKey(s.bulkOps, slug, IDLE) }
      }),

    setSelection: (slug, versions) =>
      set((s) => ({ selection: withKey(s.selection, slug, [...versions]), bulkOps: withKey(s.bulkOps, slug, IDLE) })),

    dismissRun: (slug) =>
      set((s) => {
        const run = s.runs[slug]
        // A running job stays in view: it cannot be stopped, and its outcome must be seen.
        if (run === undefined || run.state === 'running') return {}
        return { runs: withoutKey(s.runs, slug) }
      }),

    requestBulk: (slug, status) => {
      const versions = [...(get().selection[slug] ?? [])].sort((a, b) => compareVersions(b, a))
      if (versions.length === 0) return
      set((s) => ({ pendingBulk: { slug, status, versions }, bulkOps: withKey(s.bulkOps, slug, IDLE) }))
    },

    cancelBulk: () => set({ pendingBulk: null }),

    confirmBulk: async () => {
      const pending = get().pendingBulk
      if (pending === null) return false
      const { slug, status, versions } = pending
      set((s) => ({ pendingBulk: null, bulkOps: withKey(s.bulkOps, slug, BUSY) }))
      const title = `${BULK_TITLES[status]} ${versions.join(', ')}`
      const result = await runRelease(get, set, slug, versions, title, 'bulk', status, () => api.changeStatus({ slug, versions, status }))
      set((s) => ({
        bulkOps: withKey(s.bulkOps, slug, result.ok ? IDLE : failed(result.error)),
        // Done: the ticks have served their purpose. Refused: they stay, so the user can adjust them.
        selection: result.ok ? withKey(s.selection, slug, []) : s.selection
      }))
      return result.ok
    },

    addVersion: async (input, origin = 'new-version') => {
      const { slug } = input
      set((s) => ({ newVersionOps: withKey(s.newVersionOps, slug, BUSY) }))
      const status = input.status ?? 'draft'
      let result: Result<ChangeStatusResult>
      if (status === 'draft') {
        result = await settle(() => api.addVersion(input))
        if (result.ok) await Promise.all([get().loadPlugin(slug), get().loadPlugins()])
      } else {
        const title = origin === 'emergency' ? `Emergency update ${input.version}` : `Release ${input.version}`
        result = await runRelease(get, set, slug, [input.version], title, origin, status, () => api.addVersion(input))
      }
      set((s) => ({ newVersionOps: withKey(s.newVersionOps, slug, result.ok ? IDLE : failed(result.error)) }))
      return result.ok
    },

    receiveProgress: (event) =>
      set((s) => {
        const run = s.runs[event.job.slug]
        if (run === undefined || run.state !== 'running' || run.result !== null || !belongsTo(run, event.job)) return {}
        return { runs: withKey(s.runs, run.slug, { ...run, phases: applyProgress(run.phases, event) }) }
      })
  })
