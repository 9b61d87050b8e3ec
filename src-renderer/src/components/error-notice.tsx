import type { ApiError } from '../../../src-preload/api'

/** An error where the user acted: what happened, and what to do about it. */
export function ErrorNotice({ error, title }: { readonly error: ApiError | null | undefined; readonly title?: string }) {
  if (error === null || error === undefined) return null
  return (
    <div className="notice notice--error" role="alert">
      {title !== undefined && <p className="notice__title">{title}</p>}
      <p className="notice__message">{error.message}</p>
      {error.hint !== '' && <p className="notice__hint">{error.hint}</p>}
    </div>
  )
}
