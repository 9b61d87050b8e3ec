import { useEffect, useState } from 'react'
import { Checklist, ChecklistSummary } from '../components/checklist'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { PluginSwitcher } from '../components/plugin-switcher'
import { ServerSyncNotice } from '../components/server-sync-notice'
import { StatusBadge } from '../components/status-badge'
import { usePlugin } from '../components/use-plugin'
import { formatDateTime } from '../lib/format'
import { previewRollback, rollbackCandidates } from '../../../src-shared/rollback-plan'
import { latestLive } from '../../../src-shared/versions'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { NoPluginYet } from './releases-screen'

/** Rollback: pick a kept version, see what will happen, confirm by typing it; the checklist follows. */
export function RollbackScreen() {
  const { slug, details, op, ready } = usePlugin()
  const sync = useApp((s) => (slug === null ? undefined : s.serverSync[slug]))
  const pullPlugin = useApp((s) => s.pullPlugin)
  const target = useApp((s) => (slug === null ? null : (s.rollbackTargets[slug] ?? null)))
  const rollbackOp = useApp((s) => (slug === null ? IDLE : (s.rollbackOps[slug] ?? IDLE)))
  const result = useApp((s) => (slug === null ? undefined : s.rollbackResults[slug]))
  const verifyRun = useApp((s) => (slug === null ? undefined : s.verifyRuns[slug]))
  const choose = useApp((s) => s.chooseRollbackTarget)
  const rollback = useApp((s) => s.rollback)
  const [typed, setTyped] = useState('')
  useEffect(() => setTyped(''), [target])

  if (slug === null) return <NoPluginYet ready={ready} />
  if (details === undefined)
    return op.error !== null ? <ErrorNotice error={op.error} title="The plugin could not be read" /> : <p className="muted">Loading…</p>
  const candidates = rollbackCandidates(details.versions)
  const live = latestLive(details.versions)
  const plan = target === null ? null : previewRollback(details.versions, target)
  const rollbackVerify = verifyRun?.origin === 'rollback' ? verifyRun : undefined
  const showVerify = rollbackVerify !== undefined && (rollbackOp.busy || result !== undefined)
  return (
    <>
      <PageHeader
        title="Rollback"
        subtitle={`${details.plugin.name}: make an earlier version live again, in one publish.`}
        actions={<PluginSwitcher screen="rollback" />}
      />
      {details.plugin.server !== null && (
        <ServerSyncNotice server={details.plugin.server} sync={sync} onPull={() => void pullPlugin(slug)} />
      )}
      {(result !== undefined || showVerify) && (
        <section className="card" aria-label="Rollback result">
          <h2 className="card__title">{rollbackOp.busy ? 'Rolling back…' : `Rolled back to ${result?.live}`}</h2>
          {result !== undefined && !rollbackOp.busy && (
            <p>
              {result.revoked.length > 0 ? `Revoked ${result.revoked.join(', ')}. ` : ''}
              {result.publish !== null
                ? `Manifest #${result.publish.manifest_version} is live on ${result.publish.server}: sites are offered ${result.publish.latest}.`
                : 'Not published: this plugin has no server.'}
            </p>
          )}
          {showVerify && rollbackVerify.state !== 'skipped' && (
            <>
              <ChecklistSummary checks={rollbackVerify.checks} running={rollbackVerify.state === 'running'} />
              <Checklist
                checks={rollbackVerify.checks}
                running={rollbackVerify.state === 'running'}
                label="Verification after the rollback"
              />
            </>
          )}
          {result?.verify?.notes?.map((note) => (
            <p key={note} className="notice notice--warn" role="note">
              {note}
            </p>
          ))}
        </section>
      )}
      {candidates.length === 0 && !rollbackOp.busy ? (
        <EmptyState title="No version to roll back to">
          {live === null
            ? 'Nothing is live yet. A rollback needs a live version and an earlier released one whose ZIP is kept.'
            : `Sites are offered ${live.version}, and no earlier released version with a kept ZIP exists. Release a new version to replace it instead.`}
        </EmptyState>
      ) : (
        <section className="card" aria-label="Choose a version">
          <h2 className="card__title">Roll back to</h2>
          <fieldset className="options">
            <legend className="visually-hidden">Version to roll back to</legend>
            {candidates.map((v) => (
              <label key={v.version} className={`option ${target === v.version ? 'option--on' : ''}`}>
                <input
                  type="radio"
                  name={`rollback-${slug}`}
                  aria-label={`Version ${v.version}`}
                  value={v.version}
                  checked={target === v.version}
                  onChange={() => choose(slug, v.version)}
                />
                <span className="mono strong">{v.version}</span>
                <StatusBadge status={v.status} revoked={v.revoked_at !== null} />
                <span className="muted small">released {formatDateTime(v.released_at)}</span>
                <span className="muted small clamp">{v.changelog}</span>
              </label>
            ))}
          </fieldset>
        </section>
      )}
      {plan !== null && (
        <section className="card card--warn" aria-label="What will happen">
          <h2 className="card__title">What will happen</h2>
          <ul className="plan">
            {plan.revoke.map((v) => (
              <li key={v.version}>
                <strong className="mono">{v.version}</strong> becomes <strong>deprecated</strong> and is listed as <strong>revoked</strong>:
                sites running it are offered {plan.target.version}, even though it is lower.
              </li>
            ))}
            <li>
              <strong className="mono">{plan.target.version}</strong>{' '}
              {plan.reactivate ? 'is released again from its kept ZIP (checked against its SHA-256)' : 'stays live'} and becomes the version
              sites are offered
              {plan.currentLatest !== null ? ` instead of ${plan.currentLatest.version}` : ''}.
            </li>
            <li>
              {details.plugin.server === null
                ? 'No server is set: only the local records and the -latest link change.'
                : `The ZIPs, the -latest link and the manifest on ${details.plugin.server} are published in one step, then the checklist runs.`}
            </li>
          </ul>
          <form
            className="row row--end"
            onSubmit={(e) => {
              e.preventDefault()
              if (typed.trim() === plan.target.version) void rollback(slug, plan.target.version)
            }}
          >
            <label className="field">
              <span className="field__label">Type {plan.target.version} to confirm</span>
              <input
                type="text"
                className="mono"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
            </label>
            <button type="submit" className="button button--danger" disabled={typed.trim() !== plan.target.version || rollbackOp.busy}>
              {rollbackOp.busy ? 'Rolling back…' : `Roll back to ${plan.target.version}`}
            </button>
          </form>
        </section>
      )}
      <ErrorNotice error={rollbackOp.error} title="The rollback did not happen; nothing changed" />
    </>
  )
}
