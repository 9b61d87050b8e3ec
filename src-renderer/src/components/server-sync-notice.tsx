import type { ServerSync } from '../store/sync-slice'

/**
 * What the plugin's screen says of its update server: nothing while all is in step, what a pull took in,
 * and "the server is ahead" with what to do when publishing would be refused.
 */
export function ServerSyncNotice({
  server,
  sync,
  onPull
}: {
  readonly server: string
  readonly sync: ServerSync | undefined
  readonly onPull: () => void
}) {
  if (sync === undefined || sync.state === 'checking') return null
  if (sync.state === 'ahead') {
    return (
      <div className="notice notice--error" role="alert" aria-label="The server is ahead">
        <p className="notice__title">The server is ahead of this workstation</p>
        <p className="notice__message">{sync.error.message}</p>
        {sync.error.hint !== '' && <p className="notice__hint">{sync.error.hint}</p>}
        <button type="button" className="button" onClick={onPull}>
          Pull from server
        </button>
      </div>
    )
  }
  if (sync.state === 'unreachable') {
    return (
      <p className="muted small" role="status">
        Could not check {server}: {sync.error.message}
      </p>
    )
  }
  const { result } = sync
  const took = [
    result.added.length > 0 ? `added ${result.added.join(', ')}` : '',
    result.updated.length > 0 ? `updated ${result.updated.join(', ')}` : ''
  ].filter((part) => part !== '')
  if (result.manifest_version === result.manifest_version_before && took.length === 0) return null
  return (
    <div className="notice" role="status">
      <p className="notice__message">
        Took in manifest #{result.manifest_version} from {server}
        {took.length > 0 ? `: ${took.join('; ')}` : ''}.
      </p>
    </div>
  )
}
