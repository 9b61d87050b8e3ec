import { useState } from 'react'
import type { FormEvent } from 'react'
import type { PluginDetails } from '../../../src-preload/api'
import { describeRollout, nextPercent, nextStep, rolloutCandidates, scheduledPercent } from '../../../src-shared/rollout'
import { channelOf } from '../../../src-shared/versions'
import { ErrorNotice } from '../components/error-notice'
import { Tag } from '../components/status-badge'
import { formatDateTime } from '../lib/format'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'

/**
 * Rollout: the share of sites a version is offered, now or by a schedule, with halt, resume and advance.
 * Every rule (what may be rolled out, the next step, the words) is src-shared/rollout.ts's, as the CLI's.
 */
export function RolloutPanel({ details }: { readonly details: PluginDetails }) {
  const slug = details.plugin.slug
  const candidates = rolloutCandidates(details.versions)
  const chosen = useApp((s) => s.rolloutTargets[slug] ?? null)
  const op = useApp((s) => s.rolloutOps[slug] ?? IDLE)
  const choose = useApp((s) => s.chooseRolloutTarget)
  const change = useApp((s) => s.changeRollout)
  const [percent, setPercent] = useState('10')
  const [schedule, setSchedule] = useState('5%@0h,25%@24h,100%@72h')
  // The version in rollout comes first among the candidates; a choice that went away falls back to it.
  const target = candidates.find((v) => v.version === chosen) ?? candidates.find((v) => (v.rollout ?? null) !== null) ?? candidates[0]
  if (target === undefined) {
    return (
      <section className="card" aria-label="Rollout">
        <h2 className="card__title">Rollout</h2>
        <p className="card__help">
          Add a version as a draft to roll it out in steps: a share of sites gets it first, the others keep the version before it.
        </p>
      </section>
    )
  }
  const now = new Date()
  const rollout = target.rollout ?? null
  const current = rollout === null ? null : scheduledPercent(rollout, now)
  const next = rollout === null ? null : nextStep(rollout, now)
  const halted = rollout?.halted_at != null
  const run = (input: Parameters<typeof change>[1]): void => void change(slug, input)
  const submitPercent = (event: FormEvent): void => {
    event.preventDefault()
    run({ version: target.version, percent })
  }
  const submitSchedule = (event: FormEvent): void => {
    event.preventDefault()
    run({ version: target.version, schedule })
  }
  return (
    <section className="card" aria-label="Rollout">
      <div className="card__head">
        <h2 className="card__title">Rollout</h2>
        <label className="field field--inline">
          <span className="field__label">Version</span>
          <select value={target.version} onChange={(e) => choose(slug, e.target.value)}>
            {candidates.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version} ({v.status === 'draft' ? 'draft' : channelOf(v.version)})
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="badges" role="status" aria-label={`Rollout of ${target.version}`}>
        <span className="mono strong">{target.version}</span>: {describeRollout(target, now)}
        {target.status === 'draft' && rollout !== null && ' (starts when it is released)'}
        {halted && <Tag tone="warn">Halted</Tag>}
      </p>
      {rollout !== null && rollout.steps.length > 1 && (
        <ol className="small" aria-label="Schedule">
          {rollout.steps.map((step) => (
            <li key={step.at}>
              {step.percent} % from {formatDateTime(step.at)}
              {next?.at === step.at && ' (next)'}
            </li>
          ))}
        </ol>
      )}
      <div className="bulk" role="toolbar" aria-label="Rollout actions">
        {rollout !== null && !halted && current !== null && current < 100 && (
          <>
            <button
              type="button"
              className="button button--small"
              disabled={op.busy}
              onClick={() => run({ version: target.version, percent: String(nextPercent(current)) })}
            >
              Advance to {nextPercent(current)} %
            </button>
            <button
              type="button"
              className="button button--small"
              disabled={op.busy}
              onClick={() => run({ version: target.version, halt: true })}
            >
              Halt
            </button>
          </>
        )}
        {halted && (
          <button
            type="button"
            className="button button--small"
            disabled={op.busy}
            onClick={() => run({ version: target.version, resume: true })}
          >
            Resume
          </button>
        )}
      </div>
      <div className="grid-2">
        <form onSubmit={submitPercent} aria-label="Set the rollout percentage">
          <label className="field">
            <span className="field__label">Share of sites (%)</span>
            <input value={percent} onChange={(e) => setPercent(e.target.value)} inputMode="numeric" />
          </label>
          <button type="submit" className="button button--small" disabled={op.busy}>
            Set percentage
          </button>
        </form>
        <form onSubmit={submitSchedule} aria-label="Set a rollout schedule">
          <label className="field">
            <span className="field__label">Schedule</span>
            <input value={schedule} onChange={(e) => setSchedule(e.target.value)} className="mono" />
          </label>
          <button type="submit" className="button button--small" disabled={op.busy}>
            Set schedule
          </button>
        </form>
      </div>
      <p className="card__help">
        Sites outside the rollout are offered the version before it. To stop new sites getting it, halt; to take it back from the sites that
        have it, roll back. A forced release reaches every site.
      </p>
      {op.error !== null && <ErrorNotice error={op.error} title="The rollout was not changed" />}
    </section>
  )
}
