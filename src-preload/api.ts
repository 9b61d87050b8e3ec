/**
 * The one API contract of WP Release Manager: its methods and its events.
 *
 * Main implements it once (`src-main/api.ts`); the preload exposes it to the window, the CLI calls the
 * same implementation, and the browser tests bind it into the page. The records it speaks of are the
 * domain model of `src-shared/model.ts`, re-exported here so a face needs one import.
 *
 * This file is types only: it is imported by the renderer and by Node code alike.
 */

import type {
  Job,
  ActivityEntry,
  AddPluginInput,
  AddServerInput,
  AddVersionInput,
  BumpResult,
  ChangeStatusInput,
  ChangeStatusResult,
  EditVersionInput,
  ImportPluginInput,
  FilePreview,
  NextVersions,
  PluginDetails,
  PluginRecord,
  PluginSummary,
  PluginVersionRecord,
  ProgressEvent,
  PruneResult,
  PublishResult,
  PullResult,
  RemovePluginInput,
  RestoreResult,
  Result,
  RollbackResult,
  RolloutInput,
  SecretKind,
  SecretStatus,
  ServerProfile,
  ServerTestResult,
  SetPluginInput,
  SigningKeyInfo,
  SetServerInput,
  SourceStatus,
  StoreSecretInput,
  UpdaterInstallResult,
  VerifyCheck,
  VerifyReport
} from '../src-shared/model.js'
import type { StatsPullResult, StatsReport } from '../src-shared/stats.js'

export * from '../src-shared/model.js'
export type * from '../src-shared/stats.js'

/** Events main sends to its faces. */
export interface ApiEvents {
  readonly progress: ProgressEvent
  /** A verification check as soon as it finished (the checklist fills in one by one, `id` of `total`). */
  readonly check: VerifyCheck & { readonly job: Job; readonly total: number }
  /** A plugin's source changed on disk (debounced). */
  readonly source: SourceStatus
}

/** The API: method → (input) → promise of a result. */
export interface WprmApi {
  listPlugins(): Promise<Result<readonly PluginSummary[]>>
  addPlugin(input: AddPluginInput): Promise<Result<PluginRecord>>
  getPlugin(input: { readonly slug: string }): Promise<Result<PluginDetails>>
  addVersion(input: AddVersionInput): Promise<Result<ChangeStatusResult>>
  changeStatus(input: ChangeStatusInput): Promise<Result<ChangeStatusResult>>
  getVersion(input: { readonly slug: string; readonly version: string }): Promise<Result<PluginVersionRecord>>
  suggestNextVersions(input: { readonly slug: string }): Promise<Result<NextVersions>>
  bumpSource(input: { readonly slug: string; readonly version: string }): Promise<Result<BumpResult>>
  pruneZips(input: { readonly slug: string; readonly keep?: number }): Promise<Result<PruneResult>>
  listActivity(input: { readonly slug?: string; readonly limit?: number }): Promise<Result<readonly ActivityEntry[]>>
  restoreDatabaseBackup(): Promise<Result<RestoreResult>>
  setPlugin(input: SetPluginInput): Promise<Result<PluginRecord>>
  listServers(): Promise<Result<readonly ServerProfile[]>>
  addServer(input: AddServerInput): Promise<Result<ServerProfile>>
  setServer(input: SetServerInput): Promise<Result<ServerProfile>>
  removeServer(input: { readonly name: string }): Promise<Result<ServerProfile>>
  testServer(input: { readonly name: string }): Promise<Result<ServerTestResult>>
  publish(input: { readonly slug: string; readonly breakStaleLock?: boolean }): Promise<Result<PublishResult>>
  verify(input: { readonly slug: string; readonly version?: string }): Promise<Result<VerifyReport>>
  rollback(input: { readonly slug: string; readonly to: string }): Promise<Result<RollbackResult>>
  getSourceStatus(input: { readonly slug: string }): Promise<Result<SourceStatus>>
  getSecretStatus(input: { readonly server: string }): Promise<Result<SecretStatus>>
  storeSecret(input: StoreSecretInput): Promise<Result<SecretStatus>>
  deleteSecret(input: { readonly server: string; readonly kind: SecretKind }): Promise<Result<SecretStatus>>
  installUpdater(input: { readonly slug: string }): Promise<Result<UpdaterInstallResult>>
  /** Takes the update server's state in (every plugin with a server when no slug is given). */
  pull(input: { readonly slugs?: readonly string[] }): Promise<Result<readonly PullResult[]>>
  importPlugin(input: ImportPluginInput): Promise<Result<PluginRecord>>
  /** Removes a draft; a published version is refused. */
  removeVersion(input: { readonly slug: string; readonly version: string }): Promise<Result<PluginVersionRecord>>
  /** Changes a version's changelog; a published one's is published at once. */
  editVersion(input: EditVersionInput): Promise<Result<ChangeStatusResult>>
  /** Sets, halts or resumes a version's staged rollout; a live version's is published at once. */
  setRollout(input: RolloutInput): Promise<Result<ChangeStatusResult>>
  removePlugin(input: RemovePluginInput): Promise<Result<PluginRecord>>
  /** Reads what is new in the access logs of the plugin's server (of every server without a slug). */
  pullStats(input: { readonly slug?: string }): Promise<Result<StatsPullResult>>
  /** The plugin's install statistics over the last `days` days (30 unless given). */
  getStats(input: { readonly slug: string; readonly days?: number }): Promise<Result<StatsReport>>
  /** What a version's ZIP would hold (or holds, once built), with the rule behind each left-out path; writes nothing. */
  previewFiles(input: { readonly slug: string; readonly version?: string }): Promise<Result<FilePreview>>
  /** Makes an Ed25519 signing key (`release` unless named); its private half is kept encrypted, never in the database. */
  generateSigningKey(input: { readonly name?: string }): Promise<Result<SigningKeyInfo>>
  /** Takes in a key given in the environment (WPRM_SIGNING_KEY_<NAME>), for CI. */
  importSigningKey(input: { readonly name: string }): Promise<Result<SigningKeyInfo>>
  listSigningKeys(): Promise<Result<readonly SigningKeyInfo[]>>
  /** Publishes a manifest signed by the plugin's key and `to`, naming `to` as trusted from now on; the plugin is then signed with `to`. */
  rotateSigningKey(input: {
    readonly slug: string
    readonly to: string
  }): Promise<Result<PublishResult & { readonly from: string; readonly to: string }>>
}

/** Subscribing to an event returns the function that unsubscribes (for useEffect clean-up). */
export type Subscribe = <K extends keyof ApiEvents>(name: K, listener: (payload: ApiEvents[K]) => void) => () => void

/**
 * What only the desktop window has: native dialogs. The renderer works without it (the browser tests
 * and a path typed by hand).
 */
export interface DesktopApi {
  pickFolder(input: { readonly title: string }): Promise<string | null>
  pickFile(input: { readonly title: string }): Promise<string | null>
}

/** `window.api` in the renderer. */
export type WindowApi = WprmApi & { readonly on: Subscribe }

/** The names of the desktop-only methods. */
export const DESKTOP_METHODS = ['pickFolder', 'pickFile'] as const satisfies readonly (keyof DesktopApi)[]

/** The names of the API's methods, for the IPC table and the contract test. */
export const API_METHODS = [
  'listPlugins',
  'addPlugin',
  'getPlugin',
  'addVersion',
  'changeStatus',
  'getVersion',
  'suggestNextVersions',
  'bumpSource',
  'pruneZips',
  'listActivity',
  'restoreDatabaseBackup',
  'setPlugin',
  'listServers',
  'addServer',
  'setServer',
  'removeServer',
  'testServer',
  'publish',
  'verify',
  'rollback',
  'getSourceStatus',
  'getSecretStatus',
  'storeSecret',
  'deleteSecret',
  'installUpdater',
  'pull',
  'importPlugin',
  'removeVersion',
  'editVersion',
  'setRollout',
  'removePlugin',
  'pullStats',
  'getStats',
  'previewFiles',
  'generateSigningKey',
  'importSigningKey',
  'listSigningKeys',
  'rotateSigningKey'
] as const satisfies readonly (keyof WprmApi)[]
