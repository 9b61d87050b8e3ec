import type { ApiError, ApiEvents, VerifyCheck, VerifyReport } from '../../../src-preload/api'
import { settle } from './api-client'
import type { SliceCreator } from './types'
import { withKey } from './types'

/** Who asked for the checklist: the Verify screen, a release, or a rollback (which runs it itself). */
export type VerifyOrigin = 'verify' | 'release' | 'rollback'

/** One run of the checklist: checks fill in as they finish, then the report replaces them. */
export interface VerifyRun {
  readonly id: number
  readonly slug: string
  /** The version asked for; null: the latest live version (the core picks it). */
  readonly version: string | null
  readonly origin: VerifyOrigin
  /** `skipped`: the operation that would have run it did not get that far, or has no server. */
  readonly state: 'running' | 'done' | 'failed' | 'skipped'
  readonly checks: readonly VerifyCheck[]
  readonly report: VerifyReport | null
  readonly error: ApiError | null
}

/** The checklist per plugin (the latest run of each). */
export interface VerifySlice {
  readonly verifyRuns: Readonly<Record<string, VerifyRun>>
  /** Runs the checklist for a version (the latest live one when left out). */
  runVerify(slug: string, version?: string, origin?: VerifyOrigin): Promise<VerifyReport | null>
  /** Opens a run whose checks another call produces (rollback verifies by itself). */
  expectVerify(slug: string, version: string | null, origin: VerifyOrigin): void
  /** Ends a run opened with expectVerify: its report, or null when it did not run. */
  settleVerify(slug: string, report: VerifyReport | null): void
  /** A `check` event: one check finished. */
  receiveCheck(check: ApiEvents['check']): void
}

let nextVerifyId = 1

function sortedChecks(checks: readonly VerifyCheck[]): VerifyCheck[] {
  return [...checks].sort((a, b) => a.id - b.id)
}

/** The verify slice: runs the checklist and collects its checks as they arrive. */
export const createVerifySlice: SliceCreator<VerifySlice> =
  ({ api }) =>
  (set, get) => ({
    verifyRuns: {},

    runVerify: async (slug, version, origin = 'verify') => {
      get().expectVerify(slug, version ?? null, origin)
      const id = get().verifyRuns[slug]!.id
      const result = await settle(() => api.verify(version === undefined ? { slug } : { slug, version }))
      set((s) => {
        const run = s.verifyRuns[slug]
        if (run === undefined || run.id !== id) return {}
        const next: VerifyRun = result.ok
          ? { ...run, state: 'done', version: result.value.version, report: result.value, checks: sortedChecks(result.value.checks) }
          : { ...run, state: 'failed', error: result.error }
        return { verifyRuns: withKey(s.verifyRuns, slug, next) }
      })
      return result.ok ? result.value : null
    },

    expectVerify: (slug, version, origin) =>
      set((s) => ({
        verifyRuns: withKey(s.verifyRuns, slug, {
          id: nextVerifyId++,
          slug,
          version,
          origin,
          state: 'running',
          checks: [],
          report: null,
          error: null
        })
      })),

    settleVerify: (slug, report) =>
      set((s) => {
        const run = s.verifyRuns[slug]
        if (run === undefined || run.state !== 'running') return {}
        const next: VerifyRun =
          report === null ? { ...run, state: 'skipped' } : { ...run, state: 'done', report, checks: sortedChecks(report.checks) }
        return { verifyRuns: withKey(s.verifyRuns, slug, next) }
      }),

    receiveCheck: (event) =>
      set((s) => {
        const { slug, kind, versions } = event.job
        const run = s.verifyRuns[slug]
        // Checks of another verification of the same plugin (or late ones after the report) are not this run's.
        if (run === undefined || run.state !== 'running' || kind !== 'verify') return {}
        if (run.version !== null && versions[0] !== run.version) return {}
        if (run.checks.some((c) => c.id === event.id)) return {}
        const { job: _job, ...check } = event
        return { verifyRuns: withKey(s.verifyRuns, slug, { ...run, checks: sortedChecks([...run.checks, check]) }) }
      })
  })
