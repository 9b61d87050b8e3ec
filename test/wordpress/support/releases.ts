import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ApiHandle, ApiOptions } from '../../../src-main/api.js'
import { createApi } from '../../../src-main/api.js'
import type { Manifest } from '../../../src-main/core/remote/manifest.js'
import type {
  AddVersionInput,
  ChangeStatusResult,
  PublishResult,
  Result,
  RollbackResult,
  RolloutInput,
  VersionStatus
} from '../../../src-preload/api.js'
import type { UpdateServer } from '../../support/update-server.js'

/** The updater under test, exactly as plugin authors get it. */
export const UPDATER_PATH = fileURLToPath(new URL('../../../resources/wordpress/wprm-updater.php', import.meta.url))

export const PLUGIN_SLUG = 'hello-wprm'
/** The plugin's basename: the key of its entry in WordPress's update data. */
export const PLUGIN_FILE = `${PLUGIN_SLUG}/${PLUGIN_SLUG}.php`

/**
 * The test plugin's main file: set up as the updater's header comment tells authors to (the one line, and the
 * manifest URL as Update URI), with a version constant the build rewrites and a footer mark that shows which
 * version's code is running.
 */
export function pluginMainFile(manifestUrl: string, registerOptions = ''): string {
  return `<?php
/**
 * Plugin Name: Hello WPRM
 * Description: Test plugin kept up to date by the WPRM updater.
 * Version: 1.0.0
 * Requires at least: 6.0
 * Requires PHP: 7.4
 * Update URI: ${manifestUrl}
 */

define('HELLO_WPRM_VERSION', '1.0.0');

require_once __DIR__ . '/wprm-updater.php'; WPRM_Updater_1_0::register( __FILE__, '${manifestUrl}'${registerOptions} );

add_action('wp_footer', function () {
	echo '<!-- hello-wprm ' . esc_html(HELLO_WPRM_VERSION) . ' -->';
});
`
}

/** Writes the test plugin's source folder: its main file and a copy of the updater. */
export async function writePluginSource(dir: string, manifestUrl: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, `${PLUGIN_SLUG}.php`), pluginMainFile(manifestUrl))
  await copyFile(UPDATER_PATH, path.join(dir, 'wprm-updater.php'))
}

/** The test plugin registered in WP Release Manager, published to a real sshd + nginx. */
export interface PluginReleases {
  /** The plugin's source folder (version 1.0.0): what a site installs first. */
  readonly sourceDir: string
  readonly manifestUrl: string
  /** The published plugin folder on the server's disk, as nginx serves it. */
  readonly remoteDir: string
  /** Adds a version through the API (a live status builds and publishes it); throws on failure. */
  release(input: Omit<AddVersionInput, 'slug'>): Promise<ChangeStatusResult>
  rollback(to: string): Promise<RollbackResult>
  /** Sets, halts or resumes a staged rollout (as `wprm rollout`); throws on a refusal. */
  rollout(input: Omit<RolloutInput, 'slug'>): Promise<ChangeStatusResult>
  /** Moves existing versions to a status (as `wprm release`, `deprecate`, …). */
  changeStatus(versions: readonly string[], status: VersionStatus): Promise<ChangeStatusResult>
  /** Publishes the plugin's current state again (as `wprm publish`). */
  publish(): Promise<PublishResult>
  /** The published info.json, fetched over HTTP. */
  manifest(): Promise<Manifest>
  /** The API over the releases' data folder (keys, settings). */
  readonly api: ApiHandle
}

/**
 * Registers the test plugin and a server profile `name` with a fresh WP Release Manager data folder in `workDir`.
 * `writeSource` writes another source folder for the plugin (its main file must register the updater).
 */
export async function setUpReleases(
  server: UpdateServer,
  workDir: string,
  name: string,
  writeSource: (dir: string, manifestUrl: string) => Promise<void> = writePluginSource,
  apiOptions: Partial<ApiOptions> = {}
): Promise<PluginReleases> {
  const profile = await server.profile(name)
  const releases = await registerReleases({
    workDir,
    name,
    manifestUrl: `${server.nginx.baseUrl}${name}/${PLUGIN_SLUG}/info.json`,
    writeSource,
    apiOptions,
    addServer: async (api) => void value(await api.addServer(profile))
  })
  return { ...releases, remoteDir: path.join(profile.remoteRoot, PLUGIN_SLUG) }
}

/** How registerReleases sets up: where sites read the manifest, and how the server profile `name` is added. */
export interface ReleasesSetup {
  readonly workDir: string
  readonly name: string
  readonly manifestUrl: string
  readonly writeSource?: (dir: string, manifestUrl: string) => Promise<void>
  readonly apiOptions?: Partial<ApiOptions>
  /** Adds the server profile `name` to the fresh data folder (`server add`, or a store profile written directly). */
  readonly addServer: (api: ApiHandle, dataDir: string) => Promise<void>
}

/** The test plugin registered in a fresh data folder and pointed at a server profile of any kind. */
export async function registerReleases(setup: ReleasesSetup): Promise<Omit<PluginReleases, 'remoteDir'>> {
  const dataDir = path.join(setup.workDir, 'data')
  const api = createApi({ dataDir, ...setup.apiOptions })
  const { manifestUrl } = setup
  const sourceDir = path.join(setup.workDir, PLUGIN_SLUG)
  await (setup.writeSource ?? writePluginSource)(sourceDir, manifestUrl)
  value(await api.addPlugin({ sourceDir }))
  await setup.addServer(api, dataDir)
  value(await api.setPlugin({ slug: PLUGIN_SLUG, server: setup.name }))
  return {
    api,
    sourceDir,
    manifestUrl,
    release: async (input) => value(await api.addVersion({ slug: PLUGIN_SLUG, ...input })),
    rollback: async (to) => value(await api.rollback({ slug: PLUGIN_SLUG, to })),
    rollout: async (input) => value(await api.setRollout({ slug: PLUGIN_SLUG, ...input })),
    changeStatus: async (versions, status) => value(await api.changeStatus({ slug: PLUGIN_SLUG, versions, status })),
    publish: async () => value(await api.publish({ slug: PLUGIN_SLUG })),
    async manifest() {
      const response = await fetch(manifestUrl)
      if (response.status !== 200) throw new Error(`GET ${manifestUrl}: HTTP ${response.status}`)
      return (await response.json()) as Manifest
    }
  }
}

/** The value of an API result; throws with the error's words on a failure. */
export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`WP Release Manager refused: ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}
