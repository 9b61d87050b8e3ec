import { stat } from 'node:fs/promises'
import type { PluginRecord } from '../../../src-shared/model.js'
import { inspectPluginZip } from '../build/zip-inspect.js'
import type { ManifestArtwork } from './artwork.js'
import { NO_ARTWORK, artworkOfManifest, findArtwork } from './artwork.js'
import type { ListedZip, LocalState, PublishTargets } from './publish-plan.js'

/**
 * What every publisher reads before it plans, whatever the target: the workstation's side (the latest ZIP's texts,
 * which ZIPs are here, the artwork) and what the server's live manifest lists (its ZIPs' checksums, its artwork).
 */

/**
 * What the workstation holds: the texts of the latest ZIP, which the manifest describes (read from the
 * ZIP: they are what sites get), and which live versions have their ZIP here (the plan uploads those
 * the server lacks). Read while the connection is made and the server read: nothing here depends on them.
 */
export async function readLocalState(plugin: PluginRecord, targets: PublishTargets): Promise<LocalState> {
  const here = await Promise.all(
    targets.live.map((version) =>
      version.file_path === null
        ? false
        : stat(version.file_path).then(
            (s) => s.isFile(),
            () => false
          )
    )
  )
  return {
    zipsHere: new Set(targets.live.filter((_, i) => here[i]).map((v) => v.version)),
    // Only the texts: every upload is read back against the release's SHA-256, and the checklist checks every CRC.
    latestZip: await inspectPluginZip(targets.latest.file_path!, plugin.slug, plugin.main_file, { checkCrc: false }),
    artwork: await findArtwork(plugin.source_dir)
  }
}

/** The artwork the server's manifest lists (none when there is no manifest of ours). */
export function listedArtwork(text: string | null): ManifestArtwork {
  if (text === null) return NO_ARTWORK
  try {
    return artworkOfManifest(JSON.parse(text) as { manifest_version?: unknown })
  } catch {
    return NO_ARTWORK
  }
}

/** The versions the server's manifest lists, with their SHA-256 and size (none when it is not ours). */
export function listedZips(text: string | null): ReadonlyMap<string, ListedZip> {
  const listed = new Map<string, ListedZip>()
  if (text === null) return listed
  let manifest: { versions?: unknown } | null
  try {
    manifest = JSON.parse(text) as typeof manifest
  } catch {
    return listed
  }
  if (typeof manifest !== 'object' || manifest === null) return listed
  for (const entry of Array.isArray(manifest.versions) ? (manifest.versions as unknown[]) : []) {
    const v = entry as Partial<Record<'version' | 'sha256' | 'size', unknown>> | null
    if (typeof v?.version === 'string' && typeof v.sha256 === 'string' && typeof v.size === 'number')
      listed.set(v.version, { sha256: v.sha256, size: v.size })
  }
  return listed
}
