import { readFile, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { BumpResult } from '../../../src-shared/model.js'
import { writeFileAtomic } from '../fs/atomic-file.js'
import { SOURCE_ENCODING } from '../source/plugin-source.js'
import { versionedText } from '../source/versioned-text.js'
import type { ReleaseContext } from './context.js'
import { requirePlugin } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { normalizeVersion } from '../../../src-shared/versions.js'

/** Replaces a file's content atomically and durably, keeping its permissions. */
async function replaceFileContent(file: string, content: Buffer): Promise<void> {
  const { mode } = await stat(file)
  await writeFileAtomic(file, content, { mode })
}

/**
 * Writes a version into the plugin's source: the main file's header and constant, and readme.txt's
 * Stable tag. The build does the same inside the ZIP on its own; this is the explicit, separate step
 * for those who keep the source in step (`wprm bump`).
 */
export async function bumpSource(ctx: ReleaseContext, slug: string, given: string): Promise<BumpResult> {
  // The stored form: " 1.2.4" would otherwise be written into the header as it was typed.
  const version = normalizeVersion(given)
  return ctx.store.transact(`bump ${slug} ${version}`, async (db) => {
    const plugin = requirePlugin(db, slug)
    const changed: string[] = []
    const mainPath = path.join(plugin.source_dir, plugin.main_file)
    const mainText = (await readFile(mainPath)).toString(SOURCE_ENCODING)
    const rewritten = versionedText(plugin, plugin.main_file, mainText, version)
    if (rewritten !== mainText) {
      await replaceFileContent(mainPath, Buffer.from(rewritten, SOURCE_ENCODING))
      changed.push(plugin.main_file)
    }
    const readmeName = (await readdir(plugin.source_dir)).find((name) => name.toLowerCase() === 'readme.txt')
    if (readmeName !== undefined) {
      const readmePath = path.join(plugin.source_dir, readmeName)
      const readme = (await readFile(readmePath)).toString(SOURCE_ENCODING)
      const bumped = versionedText(plugin, readmeName, readme, version)
      if (bumped !== readme) {
        await replaceFileContent(readmePath, Buffer.from(bumped, SOURCE_ENCODING))
        changed.push(readmeName)
      }
    }
    recordActivity(db, {
      at: ctx.now().toISOString(),
      plugin: slug,
      version,
      action: 'source.bump',
      summary: changed.length === 0 ? `Source already at ${version}` : `Wrote ${version} into ${changed.join(', ')}`,
      changes: { source_version: [null, version] }
    })
    return { version, changed_files: changed }
  })
}
