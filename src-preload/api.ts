/**
 * The one API contract of WP Release Manager.
 *
 * Main implements it once (`src-main/api.ts`); the preload exposes it to the window, the CLI calls the
 * same implementation, and the browser tests bind it into the page. Records use the field names of the
 * system we replace (snake_case), so `--json` output and the database read the same.
 *
 * This file is types only: it is imported by the renderer and by Node code alike.
 */

/** Where a version stands in its life. Live versions (`released`, `update_ready`) are offered to sites. */
export type VersionStatus = 'draft' | 'released' | 'update_ready' | 'deprecated'

/** All statuses, in the order a version normally goes through them. */
export const VERSION_STATUSES: readonly VersionStatus[] = ['draft', 'released', 'update_ready', 'deprecated']

/** A plugin under management: where its source is and how it is built. */
export interface PluginRecord {
  readonly slug: string
  readonly name: string
  readonly platform: 'wordpress'
  readonly source_dir: string
  /** Path of the main plugin file, relative to `source_dir`. */
  readonly main_file: string
  /** The `define()` constant that carries the version, when one was detected or configured. */
  readonly version_constant: string | null
  readonly dist_dir: string
  /** Strings that must appear in the built main file (verification). */
  readonly expected_strings: readonly string[]
  /** Strings that must not appear in the built main file (verification). */
  readonly forbidden_strings: readonly string[]
  readonly created_at: string
  readonly updated_at: string
}

/** One version of a plugin, with the field names of the system we replace. */
export interface PluginVersionRecord {
  readonly plugin: string
  readonly version: string
  readonly status: VersionStatus
  readonly changelog: string
  readonly version_code: number
  readonly min_api_version: string | null
  /** Lowest WordPress version (`Requires at least`). */
  readonly min_platform_version: string | null
  readonly min_php_version: string | null
  readonly force_update: boolean
  readonly file_path: string | null
  readonly file_size: number | null
  /** SHA-256 of the ZIP, lowercase hex. */
  readonly checksum: string | null
  readonly checksum_md5: string | null
  readonly released_at: string | null
  readonly created_at: string
  readonly updated_at: string
}

/** One line of the activity log: every change to a plugin or version. */
export interface ActivityEntry {
  readonly id: number
  readonly at: string
  readonly plugin: string
  readonly version: string | null
  readonly action: ActivityAction
  readonly summary: string
  /** Field → [before, after]. */
  readonly changes: Readonly<Record<string, readonly [unknown, unknown]>>
}

/** What an activity entry records. */
export type ActivityAction =
  | 'plugin.add'
  | 'plugin.update'
  | 'version.add'
  | 'version.status'
  | 'version.build'
  | 'source.bump'
  | 'zip.prune'
  | 'database.restore'

/** A plugin with the facts a list screen needs. */
export interface PluginSummary {
  readonly plugin: PluginRecord
  readonly latest_live: PluginVersionRecord | null
  readonly version_count: number
}

/** The source folder as it stands now. */
export interface SourceInfo {
  readonly header_version: string | null
  readonly constant_version: string | null
  readonly requires_wp: string | null
  readonly requires_php: string | null
  readonly name: string | null
}

/** A plugin with its versions, newest first. */
export interface PluginDetails {
  readonly plugin: PluginRecord
  readonly versions: readonly PluginVersionRecord[]
  readonly source: SourceInfo | null
  /** Why the source could not be read, when `source` is null. */
  readonly source_error: string | null
}

/** The kinds of expected failure; each comes with a message and a hint of what to do. */
export type ErrorKind =
  | 'usage'
  | 'not-found'
  | 'already-exists'
  | 'invalid-version'
  | 'version-not-higher'
  | 'invalid-transition'
  | 'last-live-version'
  | 'source-invalid'
  | 'build-failed'
  | 'zip-conflict'
  | 'zip-missing'
  | 'database-corrupt'
  | 'database-locked'
  | 'io'

/** An expected failure, as it crosses IPC and reaches the user. */
export interface ApiError {
  readonly kind: ErrorKind
  readonly message: string
  readonly hint: string
}

/** Every API method answers with this: a value, or an expected failure. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError }

/** The phases a job goes through; the desktop shows them as steps, the CLI as a progress line. */
export type JobPhase = 'scan' | 'zip' | 'hash' | 'upload' | 'manifest' | 'verify'

/** Progress of a long job: `done` of `total` units (files or bytes) in a phase. */
export interface ProgressEvent {
  readonly job: string
  readonly phase: JobPhase
  readonly done: number
  readonly total: number
  readonly label: string
}

/** Events main sends to its faces. */
export interface ApiEvents {
  readonly progress: ProgressEvent
}

/** Input of `addPlugin`. */
export interface AddPluginInput {
  readonly sourceDir: string
  readonly slug?: string
  readonly name?: string
  readonly mainFile?: string
  readonly versionConstant?: string
  readonly distDir?: string
}

/** Input of `addVersion`: three fields are required, everything else is filled. */
export interface AddVersionInput {
  readonly slug: string
  readonly version: string
  readonly changelog: string
  readonly status?: VersionStatus
  readonly forceUpdate?: boolean
  readonly minPhpVersion?: string
  readonly minPlatformVersion?: string
  readonly minApiVersion?: string
}

/** Input of `changeStatus`: one or several versions (the bulk actions). */
export interface ChangeStatusInput {
  readonly slug: string
  readonly versions: readonly string[]
  readonly status: VersionStatus
}

/** What the files of one ZIP build are. */
export interface BuildResult {
  readonly version: string
  readonly file_path: string
  readonly file_size: number
  readonly checksum: string
  readonly checksum_md5: string
  readonly files: number
  /** True when an identical ZIP was already in place and was kept. */
  readonly reused: boolean
  readonly warnings: readonly string[]
}

/** Outcome of a status change over one or several versions. */
export interface ChangeStatusResult {
  readonly versions: readonly PluginVersionRecord[]
  readonly builds: readonly BuildResult[]
}

/** Outcome of writing a version into the source (`bump`). */
export interface BumpResult {
  readonly version: string
  readonly changed_files: readonly string[]
}

/** Suggested next versions from the latest one. */
export interface NextVersions {
  readonly latest: string | null
  readonly patch: string
  readonly minor: string
  readonly major: string
}

/** Outcome of `prune`. */
export interface PruneResult {
  readonly removed: readonly string[]
  readonly kept: readonly string[]
}

/** Outcome of restoring the database from its backup. */
export interface RestoreResult {
  readonly restored_from: string
  readonly damaged_copy: string | null
  readonly plugins: number
  readonly versions: number
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
}

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
  'restoreDatabaseBackup'
] as const satisfies readonly (keyof WprmApi)[]
