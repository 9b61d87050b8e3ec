import type { PluginDetails, VersionStatus } from '../../../src-preload/api'
import { ConfirmPanel } from '../components/confirm-panel'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { FilePreviewPanel } from '../components/file-preview-panel'
import { StatusBadge, Tag } from '../components/status-badge'
import { formatBytes } from '../../../src-shared/format'
import { describeRollout } from '../../../src-shared/rollout'
import { channelOf, isLive } from '../../../src-shared/versions'
import { formatCompact, formatDateTime, shortChecksum } from '../lib/format'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { ChangelogEditor, changelogButtonId } from './changelog-editor'

const NO_SELECTION: readonly string[] = []

const BULK_ACTIONS: readonly { readonly status: VersionStatus; readonly label: string; readonly verb: string }[] = [
  { status: 'released', label: 'Release', verb: 'Release' },
  { status: 'update_ready', label: 'Mark update ready', verb: 'Mark update ready:' },
  { status: 'deprecated', label: 'Deprecate', verb: 'Deprecate' }
]

/** What a bulk action will do, in words, before the user confirms it. */
function consequence(status: VersionStatus, server: string | null): string {
  const publish = server === null ? 'No server is set, so nothing is published.' : `The manifest on ${server} is republished.`
  switch (status) {
    case 'released':
      return `Drafts are built into ZIPs with their checksums, then offered to sites. ${publish}`
    case 'update_ready':
      return `Sites are told to look for this update now. ${publish}`
    case 'deprecated':
      return `Sites are no longer offered these versions; their ZIPs are kept for a rollback. ${publish}`
    default:
      return publish
  }
}

/** The versions of one plugin, with multi-select and the bulk actions behind a confirmation. */
export function VersionsTable({ details }: { readonly details: PluginDetails }) {
  const { plugin, versions } = details
  const slug = plugin.slug
  const selection = useApp((s) => s.selection[slug] ?? NO_SELECTION)
  const pending = useApp((s) => (s.pendingBulk?.slug === slug ? s.pendingBulk : null))
  const op = useApp((s) => s.bulkOps[slug] ?? IDLE)
  const toggle = useApp((s) => s.toggleVersion)
  const setSelection = useApp((s) => s.setSelection)
  const requestBulk = useApp((s) => s.requestBulk)
  const cancelBulk = useApp((s) => s.cancelBulk)
  const confirmBulk = useApp((s) => s.confirmBulk)
  const removeDraft = useApp((s) => s.removeDraft)
  const removeOp = useApp((s) => s.removeDraftOps[slug] ?? IDLE)
  const openChangelog = useApp((s) => s.openChangelogEditor)

  if (versions.length === 0) {
    return (
      <section className="card" aria-label="Versions">
        <h2 className="card__title">Versions</h2>
        <EmptyState title="No versions yet">
          Create the first one with “New version”: a version number, a changelog and a status are all it needs.
        </EmptyState>
      </section>
    )
  }
  const allSelected = selection.length === versions.length
  const action = pending === null ? null : BULK_ACTIONS.find((a) => a.status === pending.status)
  return (
    <section className="card card--flush" aria-label="Versions">
      <div className="card__head card__head--padded">
        <h2 className="card__title">Versions</h2>
        <div className="bulk" role="toolbar" aria-label="Bulk actions">
          <span className="muted small">
            {selection.length === 0 ? 'Select versions for a bulk action' : `${selection.length} selected`}
          </span>
          {BULK_ACTIONS.map((a) => (
            <button
              key={a.status}
              type="button"
              className="button button--small"
              disabled={selection.length === 0 || op.busy}
              onClick={() => requestBulk(slug, a.status)}
            >
              {a.label}
            </button>
          ))}
        </div>
      </div>
      {pending !== null && action !== undefined && action !== null && (
        <div className="card__inset">
          <ConfirmPanel
            title={`${action.verb} ${pending.versions.join(', ')}?`}
            confirmLabel={`${action.label} ${pending.versions.length === 1 ? pending.versions[0] : `${pending.versions.length} versions`}`}
            tone={pending.status === 'deprecated' ? 'danger' : 'normal'}
            onConfirm={() => void confirmBulk()}
            onCancel={cancelBulk}
          >
            <p>{consequence(pending.status, plugin.server)} All of them change, or none.</p>
            {/* The drafts are built now: what their ZIPs will hold is shown before the confirmation. */}
            {isLive(pending.status) &&
              pending.versions
                .filter((v) => versions.find((r) => r.version === v)?.status === 'draft')
                .map((v) => <FilePreviewPanel key={v} slug={slug} version={v} />)}
          </ConfirmPanel>
        </div>
      )}
      <ChangelogEditor details={details} />
      {(op.error ?? removeOp.error) !== null && (
        <div className="card__inset">
          <ErrorNotice error={op.error ?? removeOp.error} title="Nothing was changed" />
        </div>
      )}
      <table className="table" aria-label="Versions of this plugin">
        <thead>
          <tr>
            <th scope="col" className="table__check">
              <input
                type="checkbox"
                aria-label="Select all versions"
                checked={allSelected}
                onChange={() => setSelection(slug, allSelected ? [] : versions.map((v) => v.version))}
              />
            </th>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Code
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">SHA-256</th>
            <th scope="col">Released</th>
            <th scope="col">Force</th>
            <th scope="col">Channel</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const checked = selection.includes(v.version)
            return (
              <tr key={v.version} className={checked ? 'is-selected' : undefined}>
                <td className="table__check">
                  <input type="checkbox" aria-label={`Select ${v.version}`} checked={checked} onChange={() => toggle(slug, v.version)} />
                </td>
                <td>
                  <span className="mono strong">{v.version}</span>
                  {v.status === 'draft' && (
                    <button
                      type="button"
                      className="button button--ghost button--small"
                      aria-label={`Remove draft ${v.version}`}
                      disabled={removeOp.busy}
                      onClick={() => void removeDraft(slug, v.version)}
                    >
                      Remove
                    </button>
                  )}
                  <div className="muted small clamp" title={v.changelog}>
                    {v.changelog}
                  </div>
                  <button
                    type="button"
                    id={changelogButtonId(slug, v.version)}
                    className="button button--ghost button--small"
                    aria-label={`Edit changelog of ${v.version}`}
                    onClick={() => openChangelog(slug, v.version)}
                  >
                    Edit changelog
                  </button>
                </td>
                <td>
                  <StatusBadge status={v.status} revoked={v.revoked_at !== null} />
                </td>
                <td className="num mono">{v.version_code}</td>
                <td className="num nowrap">{formatBytes(v.file_size)}</td>
                <td className="mono" title={v.checksum ?? undefined}>
                  {shortChecksum(v.checksum)}
                </td>
                <td className="small nowrap" title={formatDateTime(v.released_at)}>
                  {formatCompact(v.released_at)}
                </td>
                <td>{v.force_update ? <Tag tone="bad">Forced</Tag> : <span className="muted">—</span>}</td>
                <td>
                  <span className="badges">
                    {channelOf(v.version) === 'beta' ? <Tag tone="info">Beta</Tag> : <span className="muted">Stable</span>}
                    {v.required === true && <Tag tone="warn">Stepping stone</Tag>}
                    {(v.rollout ?? null) !== null && <Tag title={describeRollout(v, new Date())}>Rollout</Tag>}
                  </span>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}
