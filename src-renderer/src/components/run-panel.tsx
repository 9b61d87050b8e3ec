import { PHASE_LABELS } from '../lib/jobs'
import { formatBytes } from '../../../src-shared/format'
import { useApp } from '../store/app-store'
import type { ReleaseRun, RunPhase } from '../store/releases-slice'
import { runFraction } from '../store/releases-slice'
import type { VerifyRun } from '../store/verify-slice'
import { Checklist, ChecklistSummary } from './checklist'

const STATE_TEXT: Readonly<Record<RunPhase['state'], string>> = {
  pending: 'waiting',
  active: 'running',
  done: 'done',
  skipped: 'skipped',
  failed: 'failed'
}

function phaseDetail(phase: RunPhase): string {
  if (phase.state === 'skipped')
    return phase.phase === 'upload' || phase.phase === 'manifest' || phase.phase === 'verify' ? 'no server' : 'already built'
  if (phase.label !== '') return phase.label
  return STATE_TEXT[phase.state]
}

/**
 * A release as it runs: the phases (scan, zip, hash, upload, manifest, verify) as steps with a
 * progress bar, then the outcome and the checklist of the released version.
 */
export function RunPanel({ run, verifyRun }: { readonly run: ReleaseRun; readonly verifyRun: VerifyRun | undefined }) {
  const ownVerify = verifyRun !== undefined && verifyRun.origin === 'release' && run.verifiedVersion !== null ? verifyRun : undefined
  const checks = ownVerify?.checks ?? []
  const fraction = runFraction(run, checks.length)
  const phases = run.phases.filter((p) => run.planned.includes(p.phase))
  const verifyRunning = ownVerify?.state === 'running'
  const build = run.result?.builds[0]
  const dismissRun = useApp((s) => s.dismissRun)
  const failedPhase = run.phases.find((p) => p.state === 'failed')
  const allPassed = ownVerify?.report?.ok === true
  return (
    <section className={`card run run--${run.state}`} aria-label={`${run.title} progress`}>
      <div className="run__head">
        <h2 className="card__title">{run.title}</h2>
        <div className="row row--tight">
          <span className="run__state" role="status">
            {run.state === 'running'
              ? verifyRunning
                ? 'Verifying…'
                : 'Working…'
              : run.state === 'failed'
                ? 'Failed'
                : ownVerify?.report && !ownVerify.report.ok
                  ? 'Published, with failing checks'
                  : 'Done'}
          </span>
          {run.state !== 'running' && (
            <button
              type="button"
              className="button button--ghost button--small"
              onClick={() => dismissRun(run.slug)}
              aria-label={`Dismiss ${run.title}`}
            >
              Dismiss
            </button>
          )}
        </div>
      </div>
      <progress className="run__bar" aria-label="Release progress" max={100} value={Math.round(fraction * 100)} />
      <ol className="phases">
        {phases.map((p) => (
          <li key={p.phase} className={`phase phase--${p.state}`}>
            <span className="phase__dot" aria-hidden="true">
              {p.state === 'done' ? '✓' : p.state === 'failed' ? '✗' : p.state === 'active' ? <span className="spinner" /> : ''}
            </span>
            <span className="phase__name">{PHASE_LABELS[p.phase]}</span>
            <span className="phase__detail">{phaseDetail(p)}</span>
          </li>
        ))}
      </ol>
      {run.state === 'failed' && (
        <p className="run__outcome run__outcome--bad">
          Stopped{failedPhase !== undefined ? ` at ${PHASE_LABELS[failedPhase.phase]}` : ''}: sites keep the manifest they had, and no
          version changed. The error below says what to do.
        </p>
      )}
      {run.result !== null && (
        <p className="run__outcome">
          {build !== undefined && (
            <>
              Built {build.files} files, {formatBytes(build.file_size)}, SHA-256 <code>{build.checksum.slice(0, 12)}</code>
              {build.reused ? ' (identical ZIP kept)' : ''}.{' '}
            </>
          )}
          {run.result.publish !== null ? (
            <>
              Manifest #{run.result.publish.manifest_version} is live on {run.result.publish.server}: sites are offered{' '}
              {run.result.publish.latest}.
            </>
          ) : (
            <>Not published: this plugin has no update server.</>
          )}
        </p>
      )}
      {build !== undefined && build.warnings.length > 0 && (
        <ul className="notice notice--warn warnings" aria-label="Build warnings">
          {build.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {ownVerify !== undefined && (
        <div className="run__verify">
          <h3 className="card__subtitle">Verification of {run.verifiedVersion}</h3>
          <ChecklistSummary checks={checks} running={verifyRunning} />
          {allPassed ? (
            // All green: the list is one click away, so the versions table stays in view.
            <details className="run__checks">
              <summary>Show the {checks.length} checks</summary>
              <Checklist checks={checks} running={false} label={`Verification of ${run.verifiedVersion}`} />
            </details>
          ) : (
            <Checklist checks={checks} running={verifyRunning} label={`Verification of ${run.verifiedVersion}`} />
          )}
          {ownVerify.error !== null && (
            <p className="run__outcome run__outcome--bad">
              {ownVerify.error.message} {ownVerify.error.hint}
            </p>
          )}
        </div>
      )}
    </section>
  )
}
