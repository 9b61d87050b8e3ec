import type { VersionStatus } from '../../../src-preload/api'
import { STATUS_LABELS } from '../lib/status-labels'

/** A version's status as a coloured badge; a rolled-back version also says it was revoked. */
export function StatusBadge({ status, revoked = false }: { readonly status: VersionStatus; readonly revoked?: boolean }) {
  return (
    <span className="badges">
      <span className={`badge badge--${status}`}>{STATUS_LABELS[status]}</span>
      {revoked && <span className="badge badge--revoked">Revoked</span>}
    </span>
  )
}

/** A small neutral or coloured label (counts, states) that is not a version status. */
export function Tag({
  tone = 'neutral',
  children,
  title
}: {
  readonly tone?: 'neutral' | 'ok' | 'warn' | 'bad' | 'info'
  readonly children: React.ReactNode
  readonly title?: string
}) {
  return (
    <span className={`badge badge--${tone}`} title={title}>
      {children}
    </span>
  )
}
