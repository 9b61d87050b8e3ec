import type { ReactNode } from 'react'

/**
 * An inline confirmation: the consequence in words, then Confirm / Cancel. Inline rather than a modal,
 * so the table the user is acting on stays in view; the confirm button takes the focus.
 */
export function ConfirmPanel({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  tone = 'normal',
  busy = false
}: {
  readonly title: string
  readonly children?: ReactNode
  readonly confirmLabel: string
  readonly onConfirm: () => void
  readonly onCancel: () => void
  readonly tone?: 'normal' | 'danger'
  readonly busy?: boolean
}) {
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-label={title}
      aria-modal="false"
      onKeyDown={(event) => {
        // Escape backs out, as it would from a dialog.
        if (event.key === 'Escape' && !busy) onCancel()
      }}
    >
      <p className="confirm__title">{title}</p>
      {children !== undefined && <div className="confirm__body">{children}</div>}
      <div className="confirm__actions">
        <button
          type="button"
          className={`button ${tone === 'danger' ? 'button--danger' : 'button--primary'}`}
          onClick={onConfirm}
          disabled={busy}
          autoFocus
        >
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  )
}
