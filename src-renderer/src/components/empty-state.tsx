import type { ReactNode } from 'react'

/** What to do first, where there is nothing to show yet. */
export function EmptyState({
  title,
  children,
  action
}: {
  readonly title: string
  readonly children?: ReactNode
  readonly action?: ReactNode
}) {
  return (
    <div className="empty">
      <p className="empty__title">{title}</p>
      {children !== undefined && <div className="empty__text">{children}</div>}
      {action !== undefined && <div className="empty__action">{action}</div>}
    </div>
  )
}
