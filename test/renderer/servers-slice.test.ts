import { describe, expect, it } from 'vitest'
import type { AddServerInput, SecretStatus, SftpServer } from '../../src-preload/api'
import { fail, fakeApi, ok, storeWith } from './fake-api'

const FINGERPRINT = 'SHA256:DEoVE0kQALcg0bzKussykB7TILBST2+NYPZsetTUGMA'

const input: AddServerInput = {
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
  backend: 'os',
  ...overrides
})

describe('servers slice', () => {
  it('turns an unknown host key into a prompt with its fingerprint, and retries with it once accepted', async () => {
    const fake = fakeApi({
      addServer: (given) =>
        given.acceptHostKey === FINGERPRINT
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
    expect(fake.calls.find(([m, i]) => m === 'addServer' && (i as AddServerInput).acceptHostKey !== undefined)?.[1]).toEqual({
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
})
