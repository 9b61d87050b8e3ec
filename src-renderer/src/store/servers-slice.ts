import type {
  AddServerInput,
  AddSftpServerInput,
  ApiError,
  SecretKind,
  SecretStatus,
  ServerProfile,
  ServerTestResult,
  SetServerInput,
  StoreSecretInput
} from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** A first contact: the server's host key, waiting for the user to accept it. */
export interface HostKeyPrompt {
  readonly input: AddSftpServerInput
  readonly fingerprint: string
  readonly message: string
  readonly hint: string
}

/** The OS has no secret store: the user is asked before a secret is kept with weak protection. */
export interface SecretConsent {
  readonly server: string
  readonly kind: SecretKind
  readonly message: string
  readonly hint: string
}

/** "Test connection" for one server. */
export interface ServerTest {
  readonly op: Op
  readonly result: ServerTestResult | null
}

/** Server profiles, their connection tests and their stored secrets. */
export interface ServersSlice {
  readonly servers: readonly ServerProfile[]
  readonly serversLoaded: boolean
  readonly serversOp: Op
  readonly addServerOp: Op
  readonly hostKeyPrompt: HostKeyPrompt | null
  readonly serverTests: Readonly<Record<string, ServerTest>>
  readonly removeServerOps: Readonly<Record<string, Op>>
  /** Changing a profile's public URL or max-age, per server. */
  readonly updateServerOps: Readonly<Record<string, Op>>
  /** Whether a password, passphrase or S3 key is stored; the secrets themselves never reach the window. */
  readonly secretStatus: Readonly<Record<string, SecretStatus>>
  readonly secretOps: Readonly<Record<string, Op>>
  readonly secretConsent: SecretConsent | null
  loadServers(): Promise<void>
  /** Adds a profile of any kind; an SFTP server's unknown host key becomes a prompt instead of an error. */
  addServer(input: AddServerInput): Promise<boolean>
  /** Retries the prompted profile with the fingerprint the user accepted. */
  acceptHostKey(): Promise<boolean>
  dismissHostKey(): void
  removeServer(name: string): Promise<boolean>
  /** Changes what needs no new login (the public URL, an s3 server's max-age); the saved profile replaces the old. */
  updateServer(input: SetServerInput): Promise<boolean>
  testServer(name: string): Promise<void>
  loadSecretStatus(name: string): Promise<void>
  /** Stores a secret; without an OS store, asks for consent (then call again with allowWeakStorage). */
  storeSecret(input: StoreSecretInput): Promise<boolean>
  dismissSecretConsent(): void
  deleteSecret(server: string, kind: SecretKind): Promise<boolean>
}

/** The servers slice. */
export const createServersSlice: SliceCreator<ServersSlice> =
  ({ api }) =>
  (set, get) => {
    /** What an addServer answer means for the form: added, a key to accept, or an error. */
    const afterAdd = async (input: AddServerInput, result: Awaited<ReturnType<typeof api.addServer>>): Promise<boolean> => {
      if (result.ok) {
        set({ addServerOp: IDLE, hostKeyPrompt: null })
        await get().loadServers()
        return true
      }
      // The contract carries the key the server showed with every host-key error: nothing is read from the text.
      const fingerprint = result.error.kind === 'host-key-unknown' ? (result.error.fingerprint ?? null) : null
      if (fingerprint !== null && (input.kind === undefined || input.kind === 'sftp')) {
        set({ addServerOp: IDLE, hostKeyPrompt: { input, fingerprint, message: result.error.message, hint: result.error.hint } })
      } else {
        set({ addServerOp: failed(result.error), hostKeyPrompt: null })
      }
      return false
    }
    const setSecretOp = (server: string, op: Op): void => set((s) => ({ secretOps: withKey(s.secretOps, server, op) }))

    return {
      servers: [],
      serversLoaded: false,
      serversOp: IDLE,
      addServerOp: IDLE,
      hostKeyPrompt: null,
      serverTests: {},
      removeServerOps: {},
      updateServerOps: {},
      secretStatus: {},
      secretOps: {},
      secretConsent: null,

      loadServers: async () => {
        set({ serversOp: BUSY })
        const result = await settle(() => api.listServers())
        if (!result.ok) {
          set({ serversOp: failed(result.error), serversLoaded: true })
          return
        }
        set({ servers: result.value, serversLoaded: true, serversOp: IDLE })
        await Promise.all(result.value.map((server) => get().loadSecretStatus(server.name)))
      },

      addServer: async (input) => {
        set({ addServerOp: BUSY, hostKeyPrompt: null })
        return afterAdd(input, await settle(() => api.addServer(input)))
      },

      acceptHostKey: async () => {
        const prompt = get().hostKeyPrompt
        if (prompt === null) return false
        const input: AddSftpServerInput = { ...prompt.input, acceptHostKey: prompt.fingerprint }
        set({ addServerOp: BUSY })
        // Keep the prompt visible while connecting: the user still sees which key they accepted.
        return afterAdd(input, await settle(() => api.addServer(input)))
      },

      dismissHostKey: () => set({ hostKeyPrompt: null, addServerOp: IDLE }),

      removeServer: async (name) => {
        set((s) => ({ removeServerOps: withKey(s.removeServerOps, name, BUSY) }))
        const result = await settle(() => api.removeServer({ name }))
        set((s) => ({ removeServerOps: withKey(s.removeServerOps, name, result.ok ? IDLE : failed(result.error)) }))
        if (result.ok) await get().loadServers()
        return result.ok
      },

      updateServer: async (input) => {
        set((s) => ({ updateServerOps: withKey(s.updateServerOps, input.name, BUSY) }))
        const result = await settle(() => api.setServer(input))
        set((s) => ({
          updateServerOps: withKey(s.updateServerOps, input.name, result.ok ? IDLE : failed(result.error)),
          servers: result.ok ? s.servers.map((p) => (p.name === input.name ? result.value : p)) : s.servers
        }))
        return result.ok
      },

      testServer: async (name) => {
        set((s) => ({ serverTests: withKey(s.serverTests, name, { op: BUSY, result: null }) }))
        const result = await settle(() => api.testServer({ name }))
        set((s) => ({
          serverTests: withKey(
            s.serverTests,
            name,
            result.ok ? { op: IDLE, result: result.value } : { op: failed(result.error), result: null }
          )
        }))
      },

      loadSecretStatus: async (name) => {
        const result = await settle(() => api.getSecretStatus({ server: name }))
        if (result.ok) set((s) => ({ secretStatus: withKey(s.secretStatus, name, result.value) }))
        else setSecretOp(name, failed(result.error))
      },

      storeSecret: async (input) => {
        setSecretOp(input.server, BUSY)
        const result = await settle(() => api.storeSecret(input))
        if (result.ok) {
          set((s) => ({ secretStatus: withKey(s.secretStatus, input.server, result.value), secretConsent: null }))
          setSecretOp(input.server, IDLE)
          return true
        }
        if (result.error.kind === 'weak-secret-storage' && input.allowWeakStorage !== true) {
          const consent: SecretConsent = { server: input.server, kind: input.kind, message: result.error.message, hint: result.error.hint }
          set({ secretConsent: consent })
          setSecretOp(input.server, IDLE)
          return false
        }
        set({ secretConsent: null })
        setSecretOp(input.server, failed(result.error))
        return false
      },

      dismissSecretConsent: () => set({ secretConsent: null }),

      deleteSecret: async (server, kind) => {
        setSecretOp(server, BUSY)
        const result = await settle(() => api.deleteSecret({ server, kind }))
        if (result.ok) set((s) => ({ secretStatus: withKey(s.secretStatus, server, result.value) }))
        setSecretOp(server, result.ok ? IDLE : failed(result.error as ApiError))
        return result.ok
      }
    }
  }
