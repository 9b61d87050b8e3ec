import { createHash } from 'node:crypto'
import { readFile, readdir, readlink } from 'node:fs/promises'
import path from 'node:path'
import type { ApiOptions } from '../../src-main/api.js'
import { createApi } from '../../src-main/api.js'
import type { Ledger } from '../../src-shared/ledger.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import type { ApiError, PluginVersionRecord, Result, WprmApi } from '../../src-preload/api.js'
import { mainFileText, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from './update-server.js'

/** The value of a result a test expects to succeed. */
export function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

/** The error of a result a test expects to fail. */
export function failure<T>(result: Result<T>): ApiError {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value).slice(0, 300)}`)
  return result.error
}

/** One server folder (its own profile name) that several workstations publish one plugin to. */
export interface SharedServer {
  readonly name: string
  readonly slug: string
  /** The plugin's folder on the server, on this machine's disk. */
  readonly remoteDir: string
  /** Where sites read it. */
  readonly baseUrl: string
  manifest(): Promise<Manifest | null>
  ledger(): Promise<Ledger | null>
  /** Every file in the plugin's folder with the SHA-256 of its bytes (links as their targets): "no byte changed". */
  snapshot(): Promise<Record<string, string>>
}

/** A server folder for `slug` under profile `name`. */
export function sharedServer(server: UpdateServer, name: string, slug: string): SharedServer {
  const remoteDir = path.join(server.sshd.root, name, slug)
  const baseUrl = `${server.nginx.baseUrl}${name}/${slug}/`
  const json = async <T>(file: string): Promise<T | null> => {
    const response = await fetch(`${baseUrl}${file}`)
    return response.status === 200 ? ((await response.json()) as T) : null
  }
  return {
    name,
    slug,
    remoteDir,
    baseUrl,
    manifest: () => json<Manifest>('info.json'),
    ledger: () => json<Ledger>('ledger.json'),
    snapshot: async () => {
      const files: Record<string, string> = {}
      for (const entry of await readdir(remoteDir, { withFileTypes: true }).catch(() => [])) {
        const file = path.join(remoteDir, entry.name)
        files[entry.name] = entry.isSymbolicLink()
          ? `-> ${await readlink(file)}`
          : entry.isFile()
            ? createHash('sha256')
                .update(await readFile(file))
                .digest('hex')
            : 'folder'
      }
      return files
    }
  }
}

/** A workstation: its own data folder and API, with the shared server's profile added. */
export interface Workstation {
  readonly api: WprmApi
  readonly dataDir: string
  /** The plugin's versions here, newest first. */
  versions(): Promise<readonly PluginVersionRecord[]>
  manifestVersion(): Promise<number>
}

/** A fresh workstation under `root`, with `server`'s profile as `shared.name`. */
export async function workstation(
  root: string,
  id: string,
  server: UpdateServer,
  shared: SharedServer,
  options: Partial<ApiOptions> = {}
): Promise<Workstation> {
  const dataDir = path.join(root, id, 'data')
  const api = createApi({ dataDir, remoteLockWaitMs: 20_000, ...options })
  value(await api.addServer(await server.profile(shared.name)))
  return {
    api,
    dataDir,
    versions: async () => value(await api.getPlugin({ slug: shared.slug })).versions,
    manifestVersion: async () => value(await api.getPlugin({ slug: shared.slug })).plugin.manifest_version
  }
}

/** A plugin source whose header carries `version`, as a plugin released elsewhere before would. */
export async function pluginSource(dir: string, slug: string, version = '1.0.0'): Promise<string> {
  return writePluginFolder(
    dir,
    { [`${slug}.php`]: mainFileText({ name: slug, version, constant: `${slug.toUpperCase().replace(/-/g, '_')}_VERSION` }) },
    slug
  )
}

/** What the server and a workstation's database say, side by side: equal once they agree. */
export async function agreement(shared: SharedServer, ws: Workstation) {
  const manifest = await shared.manifest()
  const ledger = await shared.ledger()
  const truth =
    ledger === null ? [] : ledger.manifest_version === manifest?.manifest_version ? ledger.versions : (ledger.previous?.versions ?? [])
  const local = (await ws.versions()).filter((v) => v.status !== 'draft')
  return {
    server: {
      manifest_version: manifest?.manifest_version ?? 0,
      versions: truth.map((v) => [v.version, v.status, v.sha256, v.revoked_at !== null]),
      live: manifest?.version ?? null
    },
    here: {
      manifest_version: await ws.manifestVersion(),
      versions: local.map((v) => [v.version, v.status, v.checksum, v.revoked_at !== null]),
      live: manifest === null ? null : (local.find((v) => v.status === 'released' || v.status === 'update_ready')?.version ?? null)
    }
  }
}
