import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { PluginRecord } from '../../../src-preload/api'
import { ErrorNotice } from '../components/error-notice'
import { canChangeSlug } from '../../../src-shared/undo-rules'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { ExpiryNotice } from '../components/expiry-notice'
import { ServerOptions } from '../components/server-options'

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')

/**
 * The plugin's slug, while it can still change (before the first release: sites install a plugin in a
 * folder of that name). Offered only when the shared rule allows it; the core enforces the same rule.
 */
function SlugForm({ plugin }: { readonly plugin: PluginRecord }) {
  const [slug, setSlug] = useState(plugin.slug)
  const rename = useApp((s) => s.renamePlugin)
  const op = useApp((s) => s.renameOps[plugin.slug] ?? IDLE)
  useEffect(() => setSlug(plugin.slug), [plugin.slug])
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    await rename(plugin.slug, slug)
  }
  return (
    <form className="card" onSubmit={submit} aria-label="Plugin slug">
      <h2 className="card__title">Slug</h2>
      <p className="card__help">
        The folder name sites install the plugin in, and its name on the update server. It can change until the first release.
      </p>
      <div className="row row--end">
        <label className="field field--grow">
          <span className="field__label">Slug</span>
          <input type="text" value={slug} onChange={(e) => setSlug(e.target.value)} spellCheck={false} autoComplete="off" />
        </label>
        <button type="submit" className="button" disabled={op.busy || slug.trim() === plugin.slug}>
          {op.busy ? 'Changing…' : 'Change slug'}
        </button>
      </div>
      <ErrorNotice error={op.error} title="The slug was not changed" />
    </form>
  )
}

/**
 * Where the plugin is published, and the strings verification expects or forbids in the built ZIP's text
 * files; above them its slug, while that can still change.
 */
export function PublishingPanel({ plugin }: { readonly plugin: PluginRecord }) {
  const versions = useApp((s) => s.details[plugin.slug]?.versions)
  const slugChangeable = versions !== undefined && canChangeSlug(plugin, versions)
  return (
    <div className="stack">
      {slugChangeable && <SlugForm plugin={plugin} />}
      <PublishingForm plugin={plugin} />
    </div>
  )
}

function PublishingForm({ plugin }: { readonly plugin: PluginRecord }) {
  const servers = useApp((s) => s.servers)
  const serversLoaded = useApp((s) => s.serversLoaded)
  const loadServers = useApp((s) => s.loadServers)
  const save = useApp((s) => s.savePluginSettings)
  const op = useApp((s) => s.pluginSettingsOps[plugin.slug] ?? IDLE)
  const navigate = useApp((s) => s.navigate)
  const [server, setServer] = useState(plugin.server ?? '')
  const [expected, setExpected] = useState(plugin.expected_strings.join('\n'))
  const [forbidden, setForbidden] = useState(plugin.forbidden_strings.join('\n'))
  const [saved, setSaved] = useState(false)
  const updaterOp = useApp((s) => s.updaterOps[plugin.slug] ?? IDLE)
  const updater = useApp((s) => s.updaterResults[plugin.slug])
  const installUpdater = useApp((s) => s.installUpdater)

  useEffect(() => {
    if (!serversLoaded) void loadServers()
  }, [serversLoaded, loadServers])
  // The record changed (a save here or elsewhere): the form shows what is stored. Keyed on updated_at,
  // not on the object, so a mere reload of the same record does not wipe what the user is choosing.
  const storedServer = plugin.server ?? ''
  const storedExpected = plugin.expected_strings.join('\n')
  const storedForbidden = plugin.forbidden_strings.join('\n')
  useEffect(() => {
    setServer(storedServer)
    setExpected(storedExpected)
    setForbidden(storedForbidden)
  }, [plugin.slug, plugin.updated_at])

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setSaved(false)
    const ok = await save({
      slug: plugin.slug,
      server: server === '' ? null : server,
      expectedStrings: lines(expected),
      forbiddenStrings: lines(forbidden)
    })
    setSaved(ok)
  }
  return (
    <form className="card" onSubmit={submit} aria-label="Publishing settings">
      <h2 className="card__title">Publishing</h2>
      <ExpiryNotice plugin={plugin} />
      {serversLoaded && servers.length === 0 ? (
        <p className="card__help">
          No update server yet: releases are built locally only.{' '}
          <button type="button" className="link-button" onClick={() => navigate('servers')}>
            Add a server
          </button>
        </p>
      ) : (
        <label className="field">
          <span className="field__label">Update server</span>
          <select value={server} onChange={(e) => setServer(e.target.value)}>
            <option value="">None (build locally only)</option>
            <ServerOptions servers={servers} />
          </select>
        </label>
      )}
      <div className="grid-2">
        <label className="field">
          <span className="field__label">Must contain</span>
          <textarea
            rows={2}
            value={expected}
            onChange={(e) => setExpected(e.target.value)}
            placeholder="api.example.com"
            spellCheck={false}
          />
        </label>
        <label className="field">
          <span className="field__label">Must not contain</span>
          <textarea
            rows={2}
            value={forbidden}
            onChange={(e) => setForbidden(e.target.value)}
            placeholder="staging.example.com"
            spellCheck={false}
          />
        </label>
      </div>
      <p className="card__help">
        One string per line; verification looks for them in every text file of the built ZIP and says where it found each.
      </p>
      <div className="row">
        <button type="submit" className="button" disabled={op.busy}>
          {op.busy ? 'Saving…' : 'Save publishing settings'}
        </button>
        {saved && !op.busy && (
          <span className="muted small" role="status">
            Saved
          </span>
        )}
      </div>
      <ErrorNotice error={op.error} title="The settings were not saved" />
      <div className="updater">
        <div className="row">
          <button type="button" className="button" onClick={() => void installUpdater(plugin.slug)} disabled={updaterOp.busy}>
            {updaterOp.busy ? 'Installing…' : 'Install updater into source'}
          </button>
          <span className="muted small">Sites find updates through wprm-updater.php inside the plugin.</span>
        </div>
        {updater !== undefined && (
          <div className="small" role="status">
            <p>
              {updater.unchanged ? 'The updater in the source is already current' : `Copied the updater to ${updater.file}`}.{' '}
              {updater.registered ? 'The main file registers it.' : `Add this line to ${plugin.main_file}:`}
            </p>
            {!updater.registered && <code className="code-line">{updater.line}</code>}
            <p>And this line to its header, so WordPress never asks wordpress.org about it:</p>
            <code className="code-line">{updater.update_uri_header}</code>
          </div>
        )}
        <ErrorNotice error={updaterOp.error} title="The updater was not installed" />
      </div>
    </form>
  )
}
