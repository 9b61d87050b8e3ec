import { describe, expect, it } from 'vitest'
import type { AddSftpServerInput, SecretStatus, SftpServer } from '../../src-preload/api'
import type { LocalServer, S3Server } from '../../src-preload/api'
import { EMPTY_SERVER_FORM, serverInput } from '../../src-renderer/src/lib/server-form'
import { isSecretStored, targetSecrets } from '../../src-shared/server-targets'
import { fail, fakeApi, ok, storeWith } from './fake-api'

const FINGERPRINT = 'SHA256:DEoVE0kQALcg0bzKussykB7TILBST2+NYPZsetTUGMA'

const input: AddSftpServerInput = {
  name: 'prod',
  host: 'updates.example.com',
  user: 'deploy',
  auth: { kind: 'key', key_path: '/home/me/.ssh/id_ed25519', passphrase_env: null },
  remoteRoot: '/var/www/updates',
  publicUrl: 'https://updates.example.com/'
}

const profile: SftpServer = {
  kind: 'sftp',
  name: 'prod',
  host: 'updates.example.com',
  port: 22,
  user: 'deploy',
  auth: input.auth,
  remote_root: '/var/www/updates',
  public_url: 'https://updates.example.com/',
  host_key_fingerprint: FINGERPRINT,
  access_logs: [],
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z'
}

const status = (overrides: Partial<SecretStatus> = {}): SecretStatus => ({
  server: 'prod',
  password: false,
  passphrase: false,
  s3_access_key_id: false,
  s3_secret_access_key: false,
  backend: 'os',
  ...overrides
})

describe('servers slice', () => {
  it('turns an unknown host key into a prompt with its fingerprint, and retries with it once accepted', async () => {
    const fake = fakeApi({
      addServer: (given) =>
        'acceptHostKey' in given && given.acceptHostKey === FINGERPRINT
          ? ok(profile)
          : fail(
              'host-key-unknown',
              `First connection to updates.example.com:22: its host key is ${FINGERPRINT}, which you have not accepted yet. Nothing was saved.`,
              `Confirm it, then run again with --accept-host-key ${FINGERPRINT}.`,
              { fingerprint: FINGERPRINT }
            ),
      listServers: () => ok([profile]),
      getSecretStatus: () => ok(status())
    })
    const store = storeWith(fake)
    expect(await store.getState().addServer(input)).toBe(false)
    expect(store.getState().hostKeyPrompt).toMatchObject({ fingerprint: FINGERPRINT, input })
    expect(store.getState().addServerOp.error).toBeNull()

    expect(await store.getState().acceptHostKey()).toBe(true)
    expect(fake.calls.find(([m, i]) => m === 'addServer' && (i as AddSftpServerInput).acceptHostKey !== undefined)?.[1]).toEqual({
      ...input,
      acceptHostKey: FINGERPRINT
    })
    expect(store.getState().hostKeyPrompt).toBeNull()
    expect(store.getState().servers).toEqual([profile])
    expect(store.getState().secretStatus.prod).toEqual(status())
  })

  it('shows other failures next to the form, including a changed key (never turned into a prompt)', async () => {
    const store = storeWith(
      fakeApi({
        addServer: () =>
          fail(
            'host-key-changed',
            `updates.example.com:22 shows the host key ${FINGERPRINT}, not the one you accepted.`,
            'Check with the admin.'
          )
      })
    )
    expect(await store.getState().addServer({ ...input, acceptHostKey: 'SHA256:x' })).toBe(false)
    expect(store.getState().hostKeyPrompt).toBeNull()
    expect(store.getState().addServerOp.error?.kind).toBe('host-key-changed')
    store.getState().dismissHostKey()
    expect(store.getState().addServerOp.error).toBeNull()
  })

  it('tests a connection and keeps the result per server', async () => {
    const fake = fakeApi({
      testServer: ({ name }) =>
        name === 'prod'
          ? ok({ server: 'prod', ok: true, checks: [{ id: 1, title: 'Log in', ok: true, detail: 'ok', ms: 3 }] })
          : fail('not-found', `There is no server "${name}".`, 'Known servers: prod.')
    })
    const store = storeWith(fake)
    await Promise.all([store.getState().testServer('prod'), store.getState().testServer('gone')])
    expect(store.getState().serverTests.prod?.result?.ok).toBe(true)
    expect(store.getState().serverTests.gone?.op.error?.kind).toBe('not-found')
  })

  it('asks for consent when the OS has no secret store, stores with it, and never keeps the secret', async () => {
    const fake = fakeApi({
      storeSecret: ({ allowWeakStorage }) =>
        allowWeakStorage === true
          ? ok(status({ password: true, backend: 'basic_text' }))
          : fail('weak-secret-storage', 'Your system has no secret store.', 'Start a keyring, or agree to store it anyway.')
    })
    const store = storeWith(fake)
    expect(await store.getState().storeSecret({ server: 'prod', kind: 'password', value: 'hunter2' })).toBe(false)
    expect(store.getState().secretConsent).toMatchObject({ server: 'prod', kind: 'password', message: 'Your system has no secret store.' })
    expect(store.getState().secretOps.prod?.error).toBeNull()

    expect(await store.getState().storeSecret({ server: 'prod', kind: 'password', value: 'hunter2', allowWeakStorage: true })).toBe(true)
    expect(store.getState().secretConsent).toBeNull()
    expect(store.getState().secretStatus.prod).toMatchObject({ password: true, backend: 'basic_text' })
    expect(JSON.stringify(store.getState())).not.toContain('hunter2')
  })

  it('shows a refusal even with consent, and forgets a secret', async () => {
    const fake = fakeApi({
      storeSecret: () => fail('weak-secret-storage', 'This system offers no way to store secrets.', 'Use an SSH agent.'),
      deleteSecret: () => ok(status())
    })
    const store = storeWith(fake)
    expect(await store.getState().storeSecret({ server: 'prod', kind: 'passphrase', value: 'x', allowWeakStorage: true })).toBe(false)
    expect(store.getState().secretConsent).toBeNull()
    expect(store.getState().secretOps.prod?.error?.message).toContain('no way to store')
    expect(await store.getState().deleteSecret('prod', 'passphrase')).toBe(true)
    expect(store.getState().secretOps.prod?.error).toBeNull()
    expect(fake.calls.at(-1)).toEqual(['deleteSecret', { server: 'prod', kind: 'passphrase' }])
  })

  it('removes a server and reloads the list; a server in use stays, with the reason', async () => {
    const fake = fakeApi({
      removeServer: ({ name }) => (name === 'prod' ? fail('usage', 'Server prod is used by hello.', 'Move them first.') : ok(profile)),
      listServers: () => ok([profile]),
      getSecretStatus: () => ok(status())
    })
    const store = storeWith(fake)
    expect(await store.getState().removeServer('prod')).toBe(false)
    expect(store.getState().removeServerOps.prod?.error?.message).toContain('used by hello')
    expect(await store.getState().removeServer('old')).toBe(true)
    expect(store.getState().serversLoaded).toBe(true)
  })

  it('adds a bucket and a local folder with only the fields of their kind, never as a host-key prompt', async () => {
    const bucket: S3Server = {
      kind: 's3',
      name: 'cdn',
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      region: 'auto',
      bucket: 'plugin-updates',
      key_prefix: 'plugins/',
      public_url: 'https://updates.example.com/plugins/',
      path_style: true,
      access_key_env: 'AWS_ACCESS_KEY_ID',
      secret_key_env: 'AWS_SECRET_ACCESS_KEY',
      mutable_max_age: 60,
      access_logs: [],
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z'
    }
    const fake = fakeApi({
      // A host-key error with a fingerprint can only come from SFTP: for a bucket it is shown as it is.
      addServer: (given) =>
        given.kind === 's3' ? ok(bucket) : fail('host-key-unknown', 'First connection.', 'Accept it.', { fingerprint: FINGERPRINT }),
      listServers: () => ok([bucket]),
      getSecretStatus: () => ok(status({ server: 'cdn' }))
    })
    const store = storeWith(fake)
    const form = {
      ...EMPTY_SERVER_FORM,
      kind: 's3' as const,
      name: ' cdn ',
      host: 'left over from the sftp fields',
      bucket: 'plugin-updates',
      keyPrefix: 'plugins',
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      region: 'auto',
      pathStyle: 'on' as const,
      publicUrl: 'https://updates.example.com/plugins/'
    }
    expect(await store.getState().addServer(serverInput(form))).toBe(true)
    expect(fake.calls.find(([m]) => m === 'addServer')?.[1]).toStrictEqual({
      kind: 's3',
      name: 'cdn',
      publicUrl: 'https://updates.example.com/plugins/',
      bucket: 'plugin-updates',
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      region: 'auto',
      keyPrefix: 'plugins',
      pathStyle: true,
      // Left empty: the core's defaults (AWS_* variables, 60 s), not the window's.
      accessKeyEnv: undefined,
      secretKeyEnv: undefined,
      mutableMaxAge: undefined
    })
    expect(store.getState().servers).toEqual([bucket])
    expect(store.getState().secretStatus.cdn).toMatchObject({ s3_access_key_id: false })

    const local = serverInput({ ...form, kind: 'local', root: '/var/www/updates ' })
    expect(local).toStrictEqual({ kind: 'local', name: 'cdn', publicUrl: 'https://updates.example.com/plugins/', root: '/var/www/updates' })
    expect(await store.getState().addServer(local)).toBe(false)
    expect(store.getState().hostKeyPrompt).toBeNull()
    expect(store.getState().addServerOp.error?.kind).toBe('host-key-unknown')
  })

  it('keeps an S3 key pair per server: which fields a server shows, and whether each half is stored', async () => {
    const fake = fakeApi({
      storeSecret: ({ kind }) =>
        ok(status({ server: 'cdn', s3_access_key_id: kind === 's3-access-key-id', s3_secret_access_key: kind === 's3-secret-access-key' })),
      deleteSecret: () => ok(status({ server: 'cdn' }))
    })
    const store = storeWith(fake)
    expect(await store.getState().storeSecret({ server: 'cdn', kind: 's3-secret-access-key', value: 'wJalrXUtnFEMI' })).toBe(true)
    const kept = store.getState().secretStatus.cdn!
    expect([isSecretStored(kept, 's3-access-key-id'), isSecretStored(kept, 's3-secret-access-key')]).toEqual([false, true])
    expect(JSON.stringify(store.getState())).not.toContain('wJalrXUtnFEMI')
    expect(await store.getState().deleteSecret('cdn', 's3-secret-access-key')).toBe(true)
    expect(fake.calls.at(-1)).toEqual(['deleteSecret', { server: 'cdn', kind: 's3-secret-access-key' }])
    expect(store.getState().secretStatus.cdn?.s3_secret_access_key).toBe(false)

    expect(targetSecrets(profile)).toEqual(['passphrase'])
    expect(targetSecrets({ ...profile, auth: { kind: 'agent' } })).toEqual([])
    expect(
      targetSecrets({ kind: 'local', name: 'here', root: '/srv', public_url: 'http://x/', access_logs: [], created_at: '', updated_at: '' })
    ).toEqual([])
  })

  it('moves a server public URL and max-age in place, and keeps the old profile when refused', async () => {
    const local: LocalServer = {
      kind: 'local',
      name: 'prod',
      root: '/srv/u',
      public_url: 'https://updates.example.com/',
      access_logs: [],
      created_at: profile.created_at,
      updated_at: profile.updated_at
    }
    const moved = { ...local, public_url: 'https://new.example.com/' }
    const fake = fakeApi({
      listServers: () => ok([local]),
      getSecretStatus: () => ok(status()),
      setServer: ({ publicUrl }) =>
        publicUrl === 'ftp://x/' ? fail('usage', 'The public URL "ftp://x/" is ftp, not http(s).', 'Give https://….') : ok(moved)
    })
    const store = storeWith(fake)
    await store.getState().loadServers()
    expect(await store.getState().updateServer({ name: 'prod', publicUrl: 'ftp://x/' })).toBe(false)
    expect(store.getState().updateServerOps.prod?.error?.message).toContain('is ftp')
    expect(store.getState().servers).toEqual([local])
    expect(await store.getState().updateServer({ name: 'prod', publicUrl: 'https://new.example.com' })).toBe(true)
    expect(store.getState().updateServerOps.prod?.error).toBeNull()
    expect(store.getState().servers).toEqual([moved])
  })
})
