/**
 * The domain model every layer speaks about: records, statuses, inputs and outcomes, error kinds and
 * `Result`. Pure TypeScript with no imports: the core, the contract (`src-preload/api.ts`) and the
 * renderer all import it from here. Records use the field names of the system we replace (snake_case),
 * so `--json` output and the database read the same.
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
  /** Strings that must appear in a text file of the built ZIP (verification, check 7). */
  readonly expected_strings: readonly string[]
  /** Strings that must not appear in any text file of the built ZIP (verification, check 7). */
  readonly forbidden_strings: readonly string[]
  /** The server profile the plugin is published to, if any. */
  readonly server: string | null
  /** The `manifest_version` of the last manifest published (0: never published). */
  readonly manifest_version: number
  readonly published_at: string | null
  /** The signing key (its name) every manifest of this plugin is signed with; null: manifests are not signed. */
  readonly signing_key: string | null
  /** How many days a signed manifest stays valid (`expires`). */
  readonly manifest_expiry_days: number
  /** When the last published manifest expires (signed manifests only; null: unsigned or never published). */
  readonly manifest_expires: string | null
  readonly created_at: string
  readonly updated_at: string
}

/**
 * A signing key as the database knows it: its public half and id only. The private half is in an encrypted
 * key file (`file`), the desktop app's secret store (`vault`), or an environment variable of the CLI (`env`).
 */
export interface SigningKeyRecord {
  readonly name: string
  /** The first 16 hex digits of the SHA-256 of the raw public key. */
  readonly key_id: string
  /** The raw 32-byte Ed25519 public key, base64. */
  readonly public_key: string
  readonly storage: 'file' | 'vault' | 'env'
  /** The key file, for `file`. */
  readonly file: string | null
  readonly created_at: string
}

/** A signing key's public side, with the PHP line that makes sites trust it. */
export interface SigningKeyInfo extends SigningKeyRecord {
  /** The plugins signed with it. */
  readonly plugins: readonly string[]
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
  /** When a rollback withdrew this version (it is then listed as `revoked` in the manifest). */
  readonly revoked_at: string | null
  /**
   * Files the secret and junk guard flagged that the user let into this version's ZIP (`--allow PATH`):
   * on a draft, what its build may let through; once built, what it did let through.
   */
  readonly allowed_files: readonly string[]
  /**
   * A staged rollout: the share of sites offered this version grows by steps (null or absent: every site).
   * Absent in databases from before rollouts; read with `?? null`.
   */
  readonly rollout?: StagedRollout | null
  /** A stepping stone: a site below it is offered it first, whatever is newer (a migration that must run). */
  readonly required?: boolean
  readonly created_at: string
  readonly updated_at: string
}

/** One step of a rollout: from `at` (ISO 8601, UTC) on, `percent` % of sites (1–100) are offered the version. */
export interface RolloutStep {
  readonly percent: number
  readonly at: string
}

/** A staged rollout, as the manifest carries it so that each site works out its share from the time. */
export interface StagedRollout {
  /** Rising percentages at later times; `--percent N` is one step at the time it was set. */
  readonly steps: readonly RolloutStep[]
  /** Since when it is halted: no new site gets the version until it is resumed (null: running). */
  readonly halted_at: string | null
  /** A forced release whose rollout applies (`--include-forced`); otherwise a forced release skips its rollout. */
  readonly forced: boolean
}

/** How wprm logs in to an update server. Secrets themselves are never stored here. */
export type ServerAuth =
  | { readonly kind: 'key'; readonly key_path: string; readonly passphrase_env: string | null }
  /** The private key's contents in an environment variable (as CI secret stores hold them); never written to disk. */
  | { readonly kind: 'key-env'; readonly key_env: string; readonly passphrase_env: string | null }
  | { readonly kind: 'agent' }
  | { readonly kind: 'password'; readonly password_env: string | null }

/** What every server profile has, whatever its target: a name, where sites fetch from, and its access logs. */
export interface ServerProfileBase {
  readonly name: string
  /** Public base URL of the target's root (remote root, key prefix, folder), ending with `/`. */
  readonly public_url: string
  /**
   * The web server's access logs (absolute paths, nginx or Apache combined format), read by `wprm stats pull`
   * (over SFTP on an `sftp` target, from this machine's disk on a `local` one); their rotated `.1` and `.N.gz`
   * siblings are found beside them. A CDN's logs are not read yet.
   */
  readonly access_logs: readonly string[]
  readonly created_at: string
  readonly updated_at: string
}

/** An update server reached over SFTP, whose web server serves `remote_root` at `public_url`. */
export interface SftpServer extends ServerProfileBase {
  readonly kind: 'sftp'
  readonly host: string
  readonly port: number
  readonly user: string
  readonly auth: ServerAuth
  readonly remote_root: string
  /** The pinned host key (`SHA256:…`); a different key is refused before any credential is sent. */
  readonly host_key_fingerprint: string
}

/** An update server that is an S3-compatible bucket (see S3Target). */
export interface S3Server extends ServerProfileBase, S3Target {}

/** An update server that is a folder on this machine, served by its web server (see LocalTarget). */
export interface LocalServer extends ServerProfileBase, LocalTarget {}

/** An update server: where the ZIPs and manifests go, by target kind. Secrets themselves are never stored here. */
export type ServerProfile = SftpServer | S3Server | LocalServer

/** Where a server profile's files go: a host over SFTP (every profile so far), an S3-compatible bucket, or a folder here. */
export type TargetKind = 'sftp' | 's3' | 'local'

/** The target kinds, in the order `server add --kind` lists them; `sftp` is the default. */
export const TARGET_KINDS: readonly TargetKind[] = ['sftp', 's3', 'local']

/**
 * An S3-compatible bucket (Amazon S3, Cloudflare R2, DigitalOcean Spaces, Backblaze B2, MinIO, Ceph's RADOS
 * Gateway), usually behind a CDN. Its keys are named by environment variable (the CLI) or kept in the OS
 * keychain (the app); never here.
 */
export interface S3Target {
  readonly kind: 's3'
  /** The S3 API's origin (`https://<account>.r2.cloudflarestorage.com`); null for Amazon S3's own in `region`. */
  readonly endpoint: string | null
  readonly region: string
  readonly bucket: string
  /** Put before every key: '' or a path ending with `/` (`plugins/`). */
  readonly key_prefix: string
  /** Where sites fetch `key_prefix` from: the CDN's or the bucket's public URL, ending with `/`. */
  readonly public_url: string
  /** The bucket in the URL's path (`<endpoint>/<bucket>/<key>`), as Ceph, MinIO and most self-hosted stores need; else in the host name. */
  readonly path_style: boolean
  /** The environment variables with the access key id and its secret (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` unless named). */
  readonly access_key_env: string
  readonly secret_key_env: string
  /** Seconds a CDN may keep the files that change (info.json, its signature, the ledger): how soon sites see a release. */
  readonly mutable_max_age: number
}

/** A folder on this machine that its web server serves: wprm running on the update server itself. */
export interface LocalTarget {
  readonly kind: 'local'
  /** Absolute path of the folder. */
  readonly root: string
  /** Public base URL of `root`, ending with `/`. */
  readonly public_url: string
}

/** Input of an `s3` target as typed (`server add --kind s3 …`); normalizeS3Target turns it into an S3Target. */
export interface S3TargetInput {
  readonly endpoint?: string
  readonly region?: string
  readonly bucket: string
  readonly keyPrefix?: string
  readonly publicUrl: string
  readonly pathStyle?: boolean
  readonly accessKeyEnv?: string
  readonly secretKeyEnv?: string
  /** Seconds, as typed. */
  readonly mutableMaxAge?: string
}

/** Input of a `local` target as typed (`server add --kind local --root DIR --public-url URL`). */
export interface LocalTargetInput {
  readonly root: string
  readonly publicUrl: string
}

/** One check of the verification checklist, as it finished. */
export interface VerifyCheck {
  readonly id: number
  readonly title: string
  readonly ok: boolean
  readonly detail: string
  readonly ms: number
}

/** The whole checklist for one version. */
export interface VerifyReport {
  readonly slug: string
  readonly version: string
  readonly ok: boolean
  readonly checks: readonly VerifyCheck[]
  /** Facts beside the checks, neither passed nor failed: after a rollback, how many active sites still run a revoked version. */
  readonly notes?: readonly string[]
}

/** What one publish did. */
export interface PublishResult {
  readonly slug: string
  readonly server: string
  readonly manifest_version: number
  readonly latest: string
  readonly manifest_url: string
  readonly uploaded: readonly string[]
  /** ZIPs already on the server with the same SHA-256. */
  readonly skipped: readonly string[]
  /** What the publish did that the user should know, such as a changelog trimmed to fit the manifest's budget. */
  readonly notes: readonly string[]
  /** The manifest's expiry, for a signed one. */
  readonly expires?: string | null
  readonly phases: readonly { readonly phase: JobPhase; readonly ms: number }[]
}

/** What a rollback did. */
export interface RollbackResult {
  readonly slug: string
  readonly live: string
  readonly revoked: readonly string[]
  readonly publish: PublishResult | null
  readonly verify: VerifyReport | null
  /** Nothing needed doing: the target was already the newest live version. */
  readonly already?: boolean
}

/** Outcome of "test connection". */
export interface ServerTestResult {
  readonly server: string
  readonly ok: boolean
  readonly checks: readonly VerifyCheck[]
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
  | 'key.add'
  | 'key.rotate'
  | 'server.add'
  | 'server.update'
  | 'server.remove'
  | 'publish'
  | 'rollback'
  | 'pull'
  | 'version.remove'
  | 'version.edit'
  | 'plugin.remove'
  | 'plugin.rename'
  | 'version.rollout'

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
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'auth-failed'
  | 'connection-failed'
  | 'remote-not-writable'
  | 'remote-not-found'
  | 'remote-io'
  | 'remote-locked'
  | 'remote-conflict'
  | 'publish-interrupted'
  | 'manifest-invalid'
  | 'server-ahead'
  | 'weak-secret-storage'
  | 'unsafe-files'
  | 'signing-key'

/** An expected failure, as it crosses IPC and reaches the user. */
export interface ApiError {
  readonly kind: ErrorKind
  readonly message: string
  readonly hint: string
  /** With `host-key-unknown` and `host-key-changed`: the key the server showed, to accept after checking it. */
  readonly fingerprint?: string
}

/** Every API method answers with this: a value, or an expected failure. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError }

/** The phases a job goes through; the desktop shows them as steps, the CLI as a progress line. */
export type JobPhase = 'scan' | 'zip' | 'hash' | 'upload' | 'manifest' | 'verify' | 'read'

/** What a job does. */
export type JobKind = 'build' | 'release' | 'publish' | 'prune' | 'rollback' | 'verify' | 'stats'

/** One long job: a build, the publish of a change, a prune, a rollback or a verification. */
export interface Job {
  /** `<slug>@<what>` (`hello@1.2.0`, `hello@1.2.0,1.3.0`, `hello@verify-1.2.0`): for people and logs. */
  readonly id: string
  readonly slug: string
  readonly kind: JobKind
  /** The versions it is about, in the order given: a build's one, a release's all, a rollback's target. */
  readonly versions: readonly string[]
}

/** Progress of a long job: `done` of `total` units (files or bytes) in a phase. */
export interface ProgressEvent {
  readonly job: Job
  readonly phase: JobPhase
  readonly done: number
  readonly total: number
  readonly label: string
}

/** A plugin's source folder as the watcher sees it. */
export interface SourceStatus {
  readonly slug: string
  /** `missing`: the folder was removed or renamed; watching resumes when it is back. */
  readonly state: 'ok' | 'missing' | 'invalid'
  readonly source: SourceInfo | null
  /** The version the ZIPs were last built for (the newest built version), if any. */
  readonly last_built: string | null
  /** Files added, changed or removed since that build (paths inside the plugin folder). */
  readonly changed_files: readonly string[]
  /** Header and constant disagree, or are lower than the latest release, … */
  readonly warnings: readonly string[]
  readonly checked_at: string
}

/** Which secrets are stored for a server; the secrets themselves never leave main. */
export interface SecretStatus {
  readonly server: string
  readonly password: boolean
  readonly passphrase: boolean
  /** An `s3` target's access key id and its secret, kept in the keychain by the app (else read from the environment). */
  readonly s3_access_key_id: boolean
  readonly s3_secret_access_key: boolean
  /** `os`: the OS keychain encrypts them; `basic_text`: no OS store (Linux without a keyring): ask first. */
  readonly backend: 'os' | 'basic_text' | 'unavailable'
}

/** The secrets the app keeps per server: an SFTP password or key passphrase, an S3 key pair. */
export type SecretKind = 'password' | 'passphrase' | 's3-access-key-id' | 's3-secret-access-key'

/** The secret kinds, in the order the screens show them. */
export const SECRET_KINDS: readonly SecretKind[] = ['password', 'passphrase', 's3-access-key-id', 's3-secret-access-key']

/** Input of `storeSecret`. */
export interface StoreSecretInput {
  readonly server: string
  readonly kind: SecretKind
  readonly value: string
  /** The user agreed to store it although the OS has no secret store (`basic_text`). */
  readonly allowWeakStorage?: boolean
}

/** Input of `addPlugin`. */
export interface AddPluginInput {
  readonly sourceDir: string
  readonly slug?: string
  readonly name?: string
  readonly mainFile?: string
  readonly versionConstant?: string
  readonly distDir?: string
  /** Publish to this server; the plugin then takes in what the server already has (`pull`). */
  readonly server?: string
}

/** Input of `addVersion`: three fields are required, everything else is filled. */
export interface AddVersionInput {
  readonly slug: string
  readonly version: string
  /** What changed; when absent, the version's entry in readme.txt's changelog. */
  readonly changelog?: string
  readonly status?: VersionStatus
  /** Paths the secret and junk guard flagged that may go into the ZIP anyway (recorded on the version). */
  readonly allow?: readonly string[]
  readonly forceUpdate?: boolean
  readonly minPhpVersion?: string
  readonly minPlatformVersion?: string
  readonly minApiVersion?: string
  /** A stepping stone: sites below it are offered it first, whatever is newer (`--required`). */
  readonly required?: boolean
}

/**
 * Input of `setRollout`: exactly one of `percent` (a whole 1–100), `schedule` (`5%@0h,25%@24h,100%@72h`),
 * `halt` or `resume`. A draft keeps it for its release; a live version's is published at once.
 */
export interface RolloutInput {
  readonly slug: string
  /** Absent for a halt or resume: the version whose rollout is running (or halted). */
  readonly version?: string
  readonly percent?: string
  readonly schedule?: string
  readonly halt?: boolean
  readonly resume?: boolean
  /** Roll out a forced (emergency) release too, which otherwise skips its rollout. */
  readonly includeForced?: boolean
}

/** Input of `changeStatus`: one or several versions (the bulk actions). */
export interface ChangeStatusInput {
  readonly slug: string
  readonly versions: readonly string[]
  readonly status: VersionStatus
  /** Paths the secret and junk guard flagged that the versions built now may carry (recorded on them). */
  readonly allow?: readonly string[]
}

/** Input of `addServer` for an SFTP server (the kind when none is given). Secrets are named by environment variable, never given. */
export interface AddSftpServerInput {
  readonly kind?: 'sftp'
  readonly name: string
  readonly host: string
  readonly port?: number
  readonly user: string
  readonly auth: ServerAuth
  readonly remoteRoot: string
  readonly publicUrl: string
  /** The fingerprint the user accepts (`SHA256:…`); without it, known_hosts must know the key. */
  readonly acceptHostKey?: string
  /** Access logs to read install statistics from (absolute paths on the server). */
  readonly accessLogs?: readonly string[]
}

/** Input of `addServer` for an S3-compatible bucket; its keys are named by environment variable (or kept in the app's keychain). */
export interface AddS3ServerInput extends S3TargetInput {
  readonly kind: 's3'
  readonly name: string
}

/** Input of `addServer` for a folder on this machine that its web server serves. */
export interface AddLocalServerInput extends LocalTargetInput {
  readonly kind: 'local'
  readonly name: string
  /** The web server's access logs on this machine (absolute paths). */
  readonly accessLogs?: readonly string[]
}

/** Input of `addServer`, by target kind (`sftp` when no kind is given). */
export type AddServerInput = AddSftpServerInput | AddS3ServerInput | AddLocalServerInput

/** Input of `setServer`: what is given changes, the rest stays. */
export interface SetServerInput {
  readonly name: string
  /** Replaces the list of access logs ([] for none). */
  readonly accessLogs?: readonly string[]
  /** A new public base URL: the next publish writes download URLs under it (nothing to log in to again). */
  readonly publicUrl?: string
  /** Seconds a CDN may keep info.json and the ledger, as typed (`s3` targets). */
  readonly mutableMaxAge?: string
}

/** Input of `setPlugin`: what is given changes, the rest stays. */
export interface SetPluginInput {
  readonly slug: string
  readonly server?: string | null
  readonly expectedStrings?: readonly string[]
  readonly forbiddenStrings?: readonly string[]
  readonly versionConstant?: string | null
  /** The signing key (by name) its manifests are signed with; null stops signing. */
  readonly signingKey?: string | null
  /** How many days a signed manifest stays valid. */
  readonly expiryDays?: number
  /** A new slug: only before the plugin's first release. */
  readonly newSlug?: string
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
  /** Flagged files that went in because they were allowed (`--allow`). */
  readonly allowed_files: readonly string[]
  readonly warnings: readonly string[]
}

/** A file the secret and junk guard found in a source folder: it stops a build unless allowed. */
export interface UnsafeFile {
  /** Path inside the plugin folder. */
  readonly path: string
  /** `secret`: credentials or keys; `junk`: logs, dumps, archives, editor and VCS leftovers. */
  readonly kind: 'secret' | 'junk'
  /** What it is, in words: "environment file", "AWS access key ID". */
  readonly reason: string
  /** The line a secret was found on (content rules); null for a rule on the name. */
  readonly line: number | null
}

/** Why a file or folder was left out of the ZIP: the default list, or a line of the plugin's `.distignore`. */
export interface ExclusionRule {
  readonly source: 'default' | 'distignore'
  /** 1-based line of `.distignore`; null for the default list. */
  readonly line: number | null
  readonly pattern: string
}

/** One file of a previewed ZIP, and how it differs from the last release's ZIP. */
export interface PreviewFile {
  /** Path inside the plugin folder (the ZIP holds it under `<slug>/`). */
  readonly path: string
  readonly size: number
  /** Against the last release's ZIP; null when there is none to compare with. */
  readonly change: 'added' | 'changed' | 'unchanged' | null
}

/** A file or folder the ZIP will not hold, with the rule that left it out. */
export interface PreviewExclusion {
  readonly path: string
  readonly kind: 'file' | 'directory'
  readonly rule: ExclusionRule
}

/** What a version's ZIP would hold (or holds, once built), before anything ships. */
export interface FilePreview {
  readonly slug: string
  /** The version the ZIP is for (the source's header version when none was named). */
  readonly version: string
  /** `source`: what a build would take from the source folder now; `zip`: the built ZIP's own list. */
  readonly from: 'source' | 'zip'
  readonly files: readonly PreviewFile[]
  readonly total_size: number
  /** What was left out, with the rule (empty for a built ZIP: the rules ran when it was built). */
  readonly excluded: readonly PreviewExclusion[]
  /** What the secret and junk guard found, and which of those the version allows. */
  readonly unsafe: readonly UnsafeFile[]
  readonly allowed: readonly string[]
  /** Whether the plugin has its own `.distignore`, and, without one, a suggested one. */
  readonly has_distignore: boolean
  readonly suggested_distignore: string | null
  /** The release compared with (the newest built version below this one), if any. */
  readonly compared_with: string | null
  /** Paths the last release's ZIP held that this one will not. */
  readonly removed: readonly string[]
  readonly warnings: readonly string[]
}

/** Outcome of a status change over one or several versions. */
export interface ChangeStatusResult {
  readonly versions: readonly PluginVersionRecord[]
  readonly builds: readonly BuildResult[]
  /** The publish that made the change public, when the plugin has a server. */
  readonly publish: PublishResult | null
  /** Nothing needed doing: the versions already had that status, with the same bytes (a retried CI job). */
  readonly already?: boolean
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

/** Outcome of copying the updater into a plugin's source. */
export interface UpdaterInstallResult {
  readonly file: string
  /** True when the file was already there with the same content. */
  readonly unchanged: boolean
  /** The line to add to the main file, with the manifest URL filled in when the plugin has a server. */
  readonly line: string
  /** The header line that keeps WordPress 5.8+ from asking wordpress.org about this plugin. */
  readonly update_uri_header: string
  readonly registered: boolean
}

/** What `pull` did for one plugin: the server's state taken into this workstation's records. */
export interface PullResult {
  readonly slug: string
  /** null for a plugin without a server: nothing to pull. */
  readonly server: string | null
  /** The manifest version this workstation had seen before, and has seen now. */
  readonly manifest_version_before: number
  readonly manifest_version: number
  readonly added: readonly string[]
  readonly updated: readonly string[]
  /** Local versions the server does not have, kept (drafts, releases never published there). */
  readonly kept: readonly string[]
  /** ZIPs downloaded into the dist folder, each checked against its SHA-256. */
  readonly downloaded: readonly string[]
}

/** Input of `importPlugin`: a plugin this workstation does not have yet, from a server's ledger. */
export interface ImportPluginInput {
  readonly server: string
  readonly slug: string
  /** The plugin's source folder; without it, versions can be rolled back and deprecated but not built. */
  readonly sourceDir?: string
  readonly distDir?: string
}

/** Input of `editVersion`: what changes; a published version's edit is published at once. */
export interface EditVersionInput {
  readonly slug: string
  readonly version: string
  readonly changelog: string
}

/** Input of `removePlugin`. */
export interface RemovePluginInput {
  readonly slug: string
  /** Remove it here although it has live versions on its server (the server keeps them). */
  readonly keepServer?: boolean
}
