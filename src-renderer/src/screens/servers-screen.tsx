import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { AddServerInput, ServerAuth, ServerProfile } from '../../../src-preload/api'
import { Checklist } from '../components/checklist'
import { ConfirmPanel } from '../components/confirm-panel'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { Tag } from '../components/status-badge'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { targetAuth, targetSummary } from '../../../src-shared/server-targets'

type AuthKind = ServerAuth['kind']

const AUTH_TEXT: Readonly<Record<AuthKind, string>> = {
  key: 'Key file',
  'key-env': 'Key in an environment variable',
  agent: 'SSH agent',
  password: 'Password'
}

/** A new server profile; the first contact shows the host key to accept. */
function AddServerForm() {
  const op = useApp((s) => s.addServerOp)
  const prompt = useApp((s) => s.hostKeyPrompt)
  const addServer = useApp((s) => s.addServer)
  const acceptHostKey = useApp((s) => s.acceptHostKey)
  const dismissHostKey = useApp((s) => s.dismissHostKey)
  const canPick = useApp((s) => s.canPickFiles)
  const pickFile = useApp((s) => s.pickFile)
  const [name, setName] = useState('')
  const [host, setHost] = useState('')
  const [port, setPort] = useState('22')
  const [user, setUser] = useState('')
  const [authKind, setAuthKind] = useState<AuthKind>('key')
  const [keyPath, setKeyPath] = useState('')
  const [remoteRoot, setRemoteRoot] = useState('')
  const [publicUrl, setPublicUrl] = useState('')

  const reset = (): void => {
    setName('')
    setHost('')
    setPort('22')
    setUser('')
    setKeyPath('')
    setRemoteRoot('')
    setPublicUrl('')
  }
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const auth: ServerAuth =
      authKind === 'key'
        ? { kind: 'key', key_path: keyPath.trim(), passphrase_env: null }
        : authKind === 'agent'
          ? { kind: 'agent' }
          : { kind: 'password', password_env: null }
    const input: AddServerInput = {
      name: name.trim(),
      host: host.trim(),
      port: Number(port),
      user: user.trim(),
      auth,
      remoteRoot: remoteRoot.trim(),
      publicUrl: publicUrl.trim()
    }
    if (await addServer(input)) reset()
  }
  const accept = async (): Promise<void> => {
    if (await acceptHostKey()) reset()
  }
  const browse = async (): Promise<void> => {
    const chosen = await pickFile('Choose your SSH private key')
    if (chosen !== null) setKeyPath(chosen)
  }
  return (
    <form className="card" onSubmit={submit} aria-label="Add a server">
      <h2 className="card__title">Add a server</h2>
      <p className="card__help">
        Any server you reach over SFTP whose folder a web server serves. Passwords and passphrases are kept in the OS secret store, never in
        the profile.
      </p>
      <div className="form-grid">
        <label className="field">
          <span className="field__label">Name</span>
          <input type="text" required value={name} onChange={(e) => setName(e.target.value)} placeholder="production" autoComplete="off" />
        </label>
        <label className="field">
          <span className="field__label">Host</span>
          <input
            type="text"
            required
            value={host}
            onChange={(e) => setHost(e.target.value)}
            placeholder="updates.example.com"
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label className="field field--narrow">
          <span className="field__label">Port</span>
          <input type="number" required min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">User</span>
          <input
            type="text"
            required
            value={user}
            onChange={(e) => setUser(e.target.value)}
            placeholder="deploy"
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label className="field">
          <span className="field__label">Sign in with</span>
          <select value={authKind} onChange={(e) => setAuthKind(e.target.value as AuthKind)}>
            <option value="key">Key file</option>
            <option value="agent">SSH agent</option>
            <option value="password">Password</option>
          </select>
        </label>
        {authKind === 'key' && (
          <div className="field field--wide">
            <label className="field__label" htmlFor="server-key-path">
              Private key file
            </label>
            <div className="row row--tight">
              <input
                id="server-key-path"
                type="text"
                required
                value={keyPath}
                onChange={(e) => setKeyPath(e.target.value)}
                placeholder="/home/me/.ssh/id_ed25519"
                spellCheck={false}
                className="grow"
              />
              {canPick && (
                <button type="button" className="button" onClick={() => void browse()}>
                  Browse…
                </button>
              )}
            </div>
          </div>
        )}
        <label className="field field--wide">
          <span className="field__label">Remote folder</span>
          <input
            type="text"
            required
            value={remoteRoot}
            onChange={(e) => setRemoteRoot(e.target.value)}
            placeholder="/var/www/updates/plugins"
            spellCheck={false}
          />
        </label>
        <label className="field field--wide">
          <span className="field__label">Public URL</span>
          <input
            type="text"
            required
            value={publicUrl}
            onChange={(e) => setPublicUrl(e.target.value)}
            placeholder="https://updates.example.com/plugins/"
            spellCheck={false}
          />
        </label>
      </div>
      {prompt === null && (
        <div className="row">
          <button type="submit" className="button button--primary" disabled={op.busy}>
            {op.busy ? 'Connecting…' : 'Add server'}
          </button>
        </div>
      )}
      {prompt !== null && (
        <ConfirmPanel
          title="Accept this host key?"
          confirmLabel="Accept this key"
          onConfirm={() => void accept()}
          onCancel={dismissHostKey}
          busy={op.busy}
        >
          <p>{prompt.message}</p>
          <p className="fingerprint mono" aria-label="Host key fingerprint">
            {prompt.fingerprint}
          </p>
          <p className="muted small">
            Confirm it with the server's administrator first (on the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). It is
            pinned: a different key later is refused before any password or key is sent.
          </p>
        </ConfirmPanel>
      )}
      <ErrorNotice error={op.error} title="The server was not added" />
    </form>
  )
}

/** Stores or forgets one secret of a server; the window only learns whether one is stored. */
function SecretField({ server, kind }: { readonly server: string; readonly kind: 'password' | 'passphrase' }) {
  const status = useApp((s) => s.secretStatus[server])
  const op = useApp((s) => s.secretOps[server] ?? IDLE)
  const consent = useApp((s) => (s.secretConsent?.server === server && s.secretConsent.kind === kind ? s.secretConsent : null))
  const storeSecret = useApp((s) => s.storeSecret)
  const deleteSecret = useApp((s) => s.deleteSecret)
  const dismiss = useApp((s) => s.dismissSecretConsent)
  // The secret stays in this field's state only: it is sent once and never kept in the store.
  const [value, setValue] = useState('')
  const label = kind === 'password' ? 'Password' : 'Key passphrase'
  const stored = status?.[kind] ?? false

  const store = async (allowWeakStorage: boolean): Promise<void> => {
    if (await storeSecret({ server, kind, value, ...(allowWeakStorage ? { allowWeakStorage } : {}) })) setValue('')
  }
  return (
    <div className="secret">
      <form
        className="row row--end"
        onSubmit={(e) => {
          e.preventDefault()
          void store(false)
        }}
      >
        <label className="field field--grow">
          <span className="field__label">
            {label} for {server}
          </span>
          <input
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="new-password"
            placeholder={
              stored ? 'Stored — type to replace' : kind === 'passphrase' ? 'Not stored (needed only for an encrypted key)' : 'Not stored'
            }
          />
        </label>
        <button type="submit" className="button" disabled={value === '' || op.busy}>
          Store {kind}
        </button>
        {stored && (
          <button type="button" className="button button--ghost" onClick={() => void deleteSecret(server, kind)} disabled={op.busy}>
            Forget {kind}
          </button>
        )}
      </form>
      <p className="small" role="status">
        {stored ? <Tag tone="ok">{label} stored</Tag> : <Tag>No {kind} stored</Tag>}
        {status !== undefined && status.backend !== 'os' && <span className="muted"> · no OS secret store on this computer</span>}
      </p>
      {consent !== null && (
        <ConfirmPanel
          title="Store it without an OS secret store?"
          confirmLabel="Store anyway"
          tone="danger"
          onConfirm={() => void store(true)}
          onCancel={dismiss}
          busy={op.busy}
        >
          <p>{consent.message}</p>
          <p className="muted small">{consent.hint}</p>
        </ConfirmPanel>
      )}
      <ErrorNotice error={op.error} title={`The ${kind} was not changed`} />
    </div>
  )
}

function ServerCard({ server }: { readonly server: ServerProfile }) {
  const test = useApp((s) => s.serverTests[server.name])
  const removeOp = useApp((s) => s.removeServerOps[server.name] ?? IDLE)
  const testServer = useApp((s) => s.testServer)
  const removeServer = useApp((s) => s.removeServer)
  const [confirmRemove, setConfirmRemove] = useState(false)
  const busy = test?.op.busy ?? false
  return (
    <section className="card server" aria-label={`Server ${server.name}`}>
      <div className="card__head">
        <div>
          <h2 className="card__title">{server.name}</h2>
          <p className="muted mono small">{targetSummary(server)}</p>
        </div>
        <div className="row row--tight">
          {test?.result && <Tag tone={test.result.ok ? 'ok' : 'bad'}>{test.result.ok ? 'Connection works' : 'Connection failed'}</Tag>}
          <button type="button" className="button" onClick={() => void testServer(server.name)} disabled={busy}>
            {busy ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" className="button button--ghost" onClick={() => setConfirmRemove(true)} disabled={removeOp.busy}>
            Remove
          </button>
        </div>
      </div>
      {server.kind === 'sftp' ? (
        <dl className="facts">
          <dt>Remote folder</dt>
          <dd className="mono small">{server.remote_root}</dd>
          <dt>Public URL</dt>
          <dd className="mono small">{server.public_url}</dd>
          <dt>Sign in</dt>
          <dd>
            {AUTH_TEXT[server.auth.kind]}
            {server.auth.kind === 'key' && <span className="mono small"> {server.auth.key_path}</span>}
            {server.auth.kind === 'key-env' && <span className="mono small"> ${server.auth.key_env}</span>}
          </dd>
          <dt>Host key</dt>
          <dd className="mono small" title="Pinned on first contact">
            {server.host_key_fingerprint}
          </dd>
        </dl>
      ) : (
        <dl className="facts">
          <dt>Target</dt>
          <dd className="mono small">{targetSummary(server)}</dd>
          <dt>Public URL</dt>
          <dd className="mono small">{server.public_url}</dd>
          <dt>Sign in</dt>
          <dd className="mono small">{targetAuth(server)}</dd>
        </dl>
      )}
      {confirmRemove && (
        <ConfirmPanel
          title={`Remove ${server.name}?`}
          confirmLabel={`Remove ${server.name}`}
          tone="danger"
          onConfirm={() => {
            setConfirmRemove(false)
            void removeServer(server.name)
          }}
          onCancel={() => setConfirmRemove(false)}
        >
          <p>The profile is deleted here; nothing on the server changes. A plugin that uses it must be moved first.</p>
        </ConfirmPanel>
      )}
      <ErrorNotice error={removeOp.error} title="The server was not removed" />
      <ErrorNotice error={test?.op.error} title="The test could not run" />
      {test?.result && <Checklist checks={test.result.checks} running={false} label={`Connection test of ${server.name}`} />}
      {server.kind === 'sftp' && server.auth.kind !== 'agent' && (
        <SecretField server={server.name} kind={server.auth.kind === 'key' || server.auth.kind === 'key-env' ? 'passphrase' : 'password'} />
      )}
    </section>
  )
}

/** Servers: the update server profiles, connection tests, host keys and secrets. */
export function ServersScreen() {
  const servers = useApp((s) => s.servers)
  const loaded = useApp((s) => s.serversLoaded)
  const op = useApp((s) => s.serversOp)
  const loadServers = useApp((s) => s.loadServers)
  useEffect(() => {
    void loadServers()
  }, [loadServers])
  return (
    <>
      <PageHeader title="Servers" subtitle="Where releases are published over SFTP, and the public URL sites download from." />
      <ErrorNotice error={op.error} title="The servers could not be read" />
      {loaded && servers.length === 0 && !op.error && (
        <EmptyState title="No update server yet">
          Add the server your sites get updates from. Until then, releases are built and checksummed locally only.
        </EmptyState>
      )}
      {servers.map((server) => (
        <ServerCard key={server.name} server={server} />
      ))}
      <AddServerForm />
    </>
  )
}
