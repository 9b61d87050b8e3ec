import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import type { AddVersionInput } from '../../../src-preload/api.js'
import type { UpdateServer } from '../../support/update-server.js'
import { phpString } from './php-literal.js'
import type { PluginReleases } from './releases.js'
import { PLUGIN_FILE, PLUGIN_SLUG, setUpReleases, writePluginSource } from './releases.js'
import { SNIPPET_HELPERS } from './updater-snippets.js'
import { startSiteAndUpdateServer } from './site-and-server.js'
import type { StartWordPressOptions, WordPressSite } from './wordpress-site.js'

/** A real WordPress running the test plugin's first release, fed by a real update server. */
export interface SiteScenario {
  readonly site: WordPressSite
  readonly server: UpdateServer
  readonly releases: PluginReleases
  /** The scenario's own temporary folder (WP Release Manager's data folder and the plugin source). */
  readonly workDir: string
  /** Runs PHP (with the snippet helpers) on the site and returns its JSON output; fails on a non-zero exit. */
  php<T = unknown>(code: string): Promise<T>
  stop(): Promise<void>
}

/** How a scenario starts: its server profile name, the site's options, the plugin source and its first release. */
export interface SiteScenarioOptions {
  /** The server profile's name, also the first folder of the manifest's URL. */
  readonly name: string
  readonly site?: StartWordPressOptions
  readonly writeSource?: (dir: string, manifestUrl: string) => Promise<void>
  readonly firstRelease?: Omit<AddVersionInput, 'slug'>
}

/**
 * Starts WordPress and the update server side by side, releases the plugin's first version and installs and
 * activates that source folder on the site (what the first ZIP holds), so each test file starts from a site
 * that runs the released plugin with our updater. Whatever started is stopped again if the rest fails.
 */
export async function startSiteScenario(options: SiteScenarioOptions): Promise<SiteScenario> {
  const { site, server } = await startSiteAndUpdateServer(options.site)
  const workDir = await mkdtemp(path.join(tmpdir(), `wprm-${options.name}-site-`))
  const stop = async (): Promise<void> => {
    await Promise.all([site.stop(), server.stop()])
    await rm(workDir, { recursive: true, force: true })
  }
  const php = async <T = unknown>(code: string): Promise<T> => {
    const result = await site.runPhp(`${SNIPPET_HELPERS}\n${code}`)
    expect(result, result.stderr).toMatchObject({ exitCode: 0 })
    try {
      return JSON.parse(result.stdout) as T
    } catch {
      throw new Error(`snippet printed no JSON:\n${result.stdout}\n${result.stderr}`)
    }
  }
  try {
    const releases = await setUpReleases(server, workDir, options.name, options.writeSource ?? writePluginSource)
    await releases.release(options.firstRelease ?? { version: '1.0.0', changelog: 'First release.', status: 'released' })
    await cp(releases.sourceDir, path.join(site.pluginsDir, PLUGIN_SLUG), { recursive: true })
    const activated = await php(
      `$activated = activate_plugin(${phpString(PLUGIN_FILE)}); echo json_encode(is_wp_error($activated) ? $activated->get_error_message() : 'ok');`
    )
    expect(activated).toBe('ok')
    return { site, server, releases, workDir, php, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
