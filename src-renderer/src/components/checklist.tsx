import type { VerifyCheck } from '../../../src-preload/api'
import { CHECKLIST_LENGTH } from '../../../src-shared/checklist'

/**
 * The verification checklist: each check with ✓ or ✗ and what it saw. While it runs, the checks that
 * have not finished yet show as waiting, so the list does not jump.
 */
export function Checklist({
  checks,
  running,
  label = 'Checklist'
}: {
  readonly checks: readonly VerifyCheck[]
  readonly running: boolean
  readonly label?: string
}) {
  const waiting = running ? Math.max(0, CHECKLIST_LENGTH - checks.length) : 0
  return (
    <ol className="checklist" aria-label={label} aria-busy={running}>
      {checks.map((check) => (
        <li key={check.id} className={`check ${check.ok ? 'check--ok' : 'check--bad'}`}>
          <span className="check__mark" role="img" aria-label={check.ok ? 'passed' : 'failed'}>
            {check.ok ? '✓' : '✗'}
          </span>
          <div className="check__body">
            <p className="check__title">{check.title}</p>
            <p className="check__detail">{check.detail}</p>
          </div>
          <span className="check__ms">{check.ms} ms</span>
        </li>
      ))}
      {Array.from({ length: waiting }, (_, i) => (
        <li key={`waiting-${i}`} className="check check--waiting" aria-hidden="true">
          <span className="check__mark">{i === 0 ? <span className="spinner" /> : '·'}</span>
          <div className="check__body">
            <p className="check__title">{i === 0 ? 'Checking…' : 'Waiting'}</p>
          </div>
        </li>
      ))}
    </ol>
  )
}

/** One line that sums up a checklist: all passed, or how many failed. */
export function ChecklistSummary({ checks, running }: { readonly checks: readonly VerifyCheck[]; readonly running: boolean }) {
  if (running)
    return (
      <p className="summary summary--running" role="status">
        Running the checklist… {checks.length} done
      </p>
    )
  const failedCount = checks.filter((c) => !c.ok).length
  if (failedCount === 0)
    return (
      <p className="summary summary--ok" role="status">
        All {checks.length} checks passed
      </p>
    )
  return (
    <p className="summary summary--bad" role="status">
      {failedCount} of {checks.length} checks failed
    </p>
  )
}
