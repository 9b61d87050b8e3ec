import { describe, expect, it } from 'vitest'
import type { VerifyCheck } from '../../src-preload/api.js'
import type { ChecklistDefinition, ChecklistKey } from '../../src-shared/checklist.js'
import { CHECKLIST, CHECKLIST_LENGTH, isLastCheck } from '../../src-shared/checklist.js'
import { WprmError } from '../../src-shared/errors.js'
import type { CheckSpec, CheckTable } from '../../src-main/core/remote/checklist-runner.js'
import { fail, pass, runChecklist } from '../../src-main/core/remote/checklist-runner.js'

describe('the checklist definitions', () => {
  it('number the checks 1 to n in running order, with one key each', () => {
    expect(CHECKLIST.map((c) => c.id)).toEqual(Array.from({ length: CHECKLIST.length }, (_, i) => i + 1))
    expect(new Set(CHECKLIST.map((c) => c.key)).size).toBe(CHECKLIST.length)
    expect(CHECKLIST_LENGTH).toBe(11)
    expect(CHECKLIST.every((c: ChecklistDefinition) => c.title.length > 0 && c.about.length > 0)).toBe(true)
  })

  it('know the last check', () => {
    expect(CHECKLIST.filter((c) => isLastCheck(c.id)).map((c) => c.key)).toEqual(['rollout'])
    expect(isLastCheck(CHECKLIST_LENGTH + 1)).toBe(false)
  })
})

describe('runChecklist', () => {
  /** A table whose checks say who they are, with some that throw instead of answering. */
  function table(
    context: { readonly seen: string[] },
    throwing: Partial<Record<ChecklistKey, () => never>>,
    badTitle?: ChecklistKey
  ): CheckTable<typeof context> {
    const entries = CHECKLIST.map((definition): [ChecklistKey, CheckSpec<typeof context>] => [
      definition.key,
      {
        title: () => {
          if (definition.key === badTitle) throw new Error('no title')
          return `run title of ${definition.key}`
        },
        run: async (ctx) => {
          ctx.seen.push(definition.key)
          throwing[definition.key]?.()
          return definition.id % 2 === 0 ? pass(`${definition.key} passed`) : fail(`${definition.key} failed`)
        }
      }
    ])
    return Object.fromEntries(entries) as CheckTable<typeof context>
  }

  it('numbers and reports every check from the table, in order, even when some throw', async () => {
    const context = { seen: [] as string[] }
    const reported: VerifyCheck[] = []
    const checks = await runChecklist(
      table(
        context,
        {
          download: () => {
            throw new WprmError('connection-failed', 'Could not connect to example:22.', 'Check the host.')
          },
          'manifest-name': () => {
            throw new TypeError('boom')
          }
        },
        'zip-version'
      ),
      context,
      (check) => reported.push(check)
    )
    expect(reported).toEqual(checks)
    // Every check ran but the one whose title could not be built.
    expect(context.seen).toEqual(CHECKLIST.map((c) => c.key).filter((key) => key !== 'zip-version'))
    expect(checks.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(checks.map((c) => [c.ok, c.detail])).toEqual([
      [false, 'zip-present failed'],
      [true, 'latest-link passed'],
      [false, 'Could not connect to example:22. Check the host.'],
      [true, 'manifest-latest passed'],
      [false, 'boom'],
      // Its title could not be built: the general title stands in, and the check failed with why.
      [false, 'no title'],
      [false, 'main-file-strings failed'],
      [true, 'signature passed'],
      [false, 'expiry failed'],
      [true, 'record passed'],
      [false, 'rollout failed']
    ])
    expect(checks[0]!.title).toBe('run title of zip-present')
    expect(checks[5]!.title).toBe(CHECKLIST[5].title)
    expect(checks.every((c) => Number.isInteger(c.ms) && c.ms >= 0)).toBe(true)
  })

  it('runs the checks at once: a check may wait for one after it without holding the list up', async () => {
    const context = { seen: [] as string[] }
    const base = table(context, {})
    // Check 1 finishes only once check 8 has started: run one after another, this would never end.
    let eighthStarted!: () => void
    const eighth = new Promise<void>((resolve) => (eighthStarted = resolve))
    const checks = await runChecklist(
      {
        ...base,
        'zip-present': { ...base['zip-present'], run: async () => (await eighth, pass('after 8 started')) },
        record: { ...base.record, run: async () => (eighthStarted(), pass('started')) }
      },
      context
    )
    expect(checks.map((c) => c.detail)).toContain('after 8 started')
  })

  it('reports in checklist order, however the checks finish', async () => {
    const context = { seen: [] as string[] }
    const base = table(context, {})
    const reported: number[] = []
    let releaseFirst!: () => void
    const first = new Promise<void>((resolve) => (releaseFirst = resolve))
    const checks = await runChecklist(
      {
        ...base,
        // The first finishes last: the others are done and wait for it to be reported first.
        'zip-present': { ...base['zip-present'], run: async () => (await first, pass('last to finish')) },
        record: { ...base.record, run: async () => (setTimeout(releaseFirst, 20), pass('first to finish')) }
      },
      context,
      (check) => reported.push(check.id)
    )
    expect(reported).toEqual(CHECKLIST.map((c) => c.id))
    expect(checks.map((c) => c.id)).toEqual(CHECKLIST.map((c) => c.id))
  })

  it('times each check on its own', async () => {
    const context = { seen: [] as string[] }
    const slow = table(context, {})
    const checks = await runChecklist(
      { ...slow, download: { ...slow.download, run: async () => new Promise((resolve) => setTimeout(() => resolve(pass('slow')), 120)) } },
      context
    )
    expect(checks[2]!.ms).toBeGreaterThanOrEqual(100)
    expect(checks[3]!.ms).toBeLessThan(100)
  })
})
