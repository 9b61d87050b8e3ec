import type { ChecklistKey } from '../../../src-shared/checklist.js'
import { CHECKLIST } from '../../../src-shared/checklist.js'
import type { VerifyCheck } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'

/** A check's outcome before it is timed and numbered. */
export interface Outcome {
  readonly ok: boolean
  readonly detail: string
}

/** A passed check that says what it saw. */
export const pass = (detail: string): Outcome => ({ ok: true, detail })

/** A failed check that says what it saw. */
export const fail = (detail: string): Outcome => ({ ok: false, detail })

/** One check function of a table: its title for this run (naming the actual version), and the check. */
export interface CheckSpec<C> {
  readonly title: (context: C) => string
  readonly run: (context: C) => Promise<Outcome>
}

/** One check function per checklist entry: the compiler refuses a table that misses one. */
export type CheckTable<C> = { readonly [K in ChecklistKey]: CheckSpec<C> }

/** What a failure says in a report: a WprmError's hint is part of what to do next. */
export function describeFailure(error: unknown): string {
  return error instanceof WprmError ? `${error.message} ${error.hint}` : error instanceof Error ? error.message : String(error)
}

/**
 * Runs a table's checks all at once (they share their inputs through the context, each fetched once),
 * timing each on its own, numbering it from its checklist entry and reporting it in checklist order: a
 * check is reported as soon as it and every check before it are done, so the faces see 1, 2, 3… as
 * before. A check that throws fails with what it threw; one failing does not stop the others, so a
 * report always has every check.
 */
export async function runChecklist<C>(
  table: CheckTable<C>,
  context: C,
  onCheck?: (check: VerifyCheck) => void
): Promise<readonly VerifyCheck[]> {
  const running = CHECKLIST.map(async (definition): Promise<VerifyCheck> => {
    const spec = table[definition.key]
    const started = performance.now()
    // The general title stands in if building this run's title is what failed.
    let title: string = definition.title
    let outcome: Outcome
    try {
      title = spec.title(context)
      outcome = await spec.run(context)
    } catch (error) {
      outcome = fail(describeFailure(error))
    }
    return { id: definition.id, title, ok: outcome.ok, detail: outcome.detail, ms: Math.round(performance.now() - started) }
  })
  const checks: VerifyCheck[] = []
  for (const pending of running) {
    const check = await pending
    checks.push(check)
    onCheck?.(check)
  }
  return checks
}

/**
 * Checks run one after another, each depending on the ones before ("Test connection": log in, then write,
 * then read over HTTP). `run` times and numbers a check and records it; one that throws fails with what it
 * threw and `run` answers false, so the caller skips what needs it, and the report stays whole.
 */
export function sequentialChecks(): {
  readonly checks: readonly VerifyCheck[]
  readonly run: (title: string, body: () => Promise<string>) => Promise<boolean>
} {
  const checks: VerifyCheck[] = []
  const run = async (title: string, body: () => Promise<string>): Promise<boolean> => {
    const started = performance.now()
    let ok = true
    let detail: string
    try {
      detail = await body()
    } catch (error) {
      ok = false
      detail = describeFailure(error)
    }
    checks.push({ id: checks.length + 1, title, ok, detail, ms: Math.round(performance.now() - started) })
    return ok
  }
  return { checks, run }
}
