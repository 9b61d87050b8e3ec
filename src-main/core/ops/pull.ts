import { DEFAULT_EXPIRY_DAYS } from '../../../src-shared/signing.js'
import path from 'node:path'
import type { AddPluginInput, ImportPluginInput, PluginRecord, PullResult, ServerProfile } from '../../../src-shared/model.js'
import { requirePlugin, requireServer } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { WprmError } from '../errors.js'
import { openServerFiles } from '../remote/server-files.js'
import { targetPlace } from '../../../src-shared/server-targets.js'
import type { ReleaseContext } from './context.js'
import { changePlugin } from './plugin-change.js'
import { addPlugin, assertValidSlug } from './plugins.js'
import { syncPlugin } from './server-sync.js'

/**
 * `wprm pull`: the update server's state into this workstation's database. With slugs, those plugins;
 * without, every plugin that has a server. One connection per server; each plugin is taken in whole or
 * not at all, under its own lock, one after another.
 */
export async function pullPlugins(ctx: ReleaseContext, slugs: readonly string[] = []): Promise<PullResult[]> {
  const db = await ctx.store.read()
  const plugins =
    slugs.length === 0 ? db.plugins.filter((p) => p.server !== null) : [...new Set(slugs)].map((slug) => requirePlugin(db, slug))
  const results: PullResult[] = []
  const byServer = new Map<string, PluginRecord[]>()
  for (const plugin of plugins) {
    if (plugin.server === null) {
      results.push({
        slug: plugin.slug,
        server: null,
        manifest_version_before: plugin.manifest_version,
        manifest_version: plugin.manifest_version,
        added: [],
        updated: [],
        kept: [],
        downloaded: []
      })
      continue
    }
    byServer.set(plugin.server, [...(byServer.get(plugin.server) ?? []), plugin])
  }
  for (const [name, group] of byServer) {
    const files = await openServerFiles(requireServer(db, name), ctx.secrets, ctx.sessionOptions)
    try {
      for (const plugin of group) {
        results.push((await changePlugin(ctx, plugin.slug, `pull ${plugin.slug}`, () => syncPlugin(ctx, plugin.slug, files)))!)
      }
    } finally {
      await files.close()
    }
  }
  return results
}

/** Removes a plugin that was just added, when what was to follow (its first pull) failed: nothing half-done. */
async function forgetPlugin(ctx: ReleaseContext, slug: string, sinceActivity: number): Promise<void> {
  await ctx.store.transact(`undo add plugin ${slug}`, (db) => {
    db.plugins = db.plugins.filter((p) => p.slug !== slug)
    db.versions = db.versions.filter((v) => v.plugin !== slug)
    db.activity = db.activity.filter((entry) => entry.plugin !== slug || entry.id < sinceActivity)
  })
}

/**
 * `plugin add <source> --server NAME`: registers the plugin and takes in what the server already has of
 * it, so a new workstation starts where the others are. If the pull fails, the plugin is not added.
 */
export async function addPluginFromServer(ctx: ReleaseContext, input: AddPluginInput & { readonly server: string }): Promise<PluginRecord> {
  const before = await ctx.store.read()
  requireServer(before, input.server)
  const plugin = await addPlugin(ctx, input)
  try {
    await pullPlugins(ctx, [plugin.slug])
  } catch (error) {
    await forgetPlugin(ctx, plugin.slug, before.next_activity_id)
    throw error
  }
  return requirePlugin(await ctx.store.read(), plugin.slug)
}

/**
 * `plugin import --server NAME <slug> [--source DIR]`: a plugin this workstation never had, from the
 * server's ledger (its name, main file and version constant, every version, the ZIPs). Without a source
 * folder its versions can be rolled back, deprecated and verified, not built.
 */
export async function importPlugin(ctx: ReleaseContext, input: ImportPluginInput): Promise<PluginRecord> {
  assertValidSlug(input.slug)
  const server = requireServer(await ctx.store.read(), input.server)
  const ledgerPlugin = await readLedgerPlugin(ctx, server, input.slug)
  if (input.sourceDir !== undefined) {
    return addPluginFromServer(ctx, {
      sourceDir: input.sourceDir,
      slug: input.slug,
      mainFile: ledgerPlugin.main_file,
      versionConstant: ledgerPlugin.version_constant ?? undefined,
      distDir: input.distDir,
      server: server.name
    })
  }
  const before = await ctx.store.read()
  await ctx.store.transact(`import plugin ${input.slug}`, (db) => {
    if (db.plugins.some((p) => p.slug === input.slug)) {
      throw new WprmError(
        'already-exists',
        `A plugin "${input.slug}" already exists here.`,
        `Take in the server's state with: wprm pull ${input.slug}.`
      )
    }
    const at = ctx.now().toISOString()
    const record: PluginRecord = {
      slug: input.slug,
      name: ledgerPlugin.name,
      platform: 'wordpress',
      // No source here: a folder of its own in the data folder, absent until one is given.
      source_dir: path.join(ctx.store.dataDir, 'sources', input.slug),
      main_file: ledgerPlugin.main_file,
      version_constant: ledgerPlugin.version_constant,
      dist_dir: input.distDir !== undefined ? path.resolve(input.distDir) : path.join(ctx.store.dataDir, 'dist', input.slug),
      expected_strings: [],
      forbidden_strings: [],
      signing_key: null,
      manifest_expiry_days: DEFAULT_EXPIRY_DAYS,
      manifest_expires: null,
      server: server.name,
      manifest_version: 0,
      published_at: null,
      created_at: at,
      updated_at: at
    }
    db.plugins.push(record)
    recordActivity(db, {
      at,
      plugin: input.slug,
      version: null,
      action: 'plugin.add',
      summary: `Imported ${ledgerPlugin.name} from ${server.name}'s ledger (no source folder)`,
      changes: { server: [null, server.name] }
    })
  })
  try {
    await pullPlugins(ctx, [input.slug])
  } catch (error) {
    await forgetPlugin(ctx, input.slug, before.next_activity_id)
    throw error
  }
  return requirePlugin(await ctx.store.read(), input.slug)
}

/** The plugin as the server's ledger describes it, or a refusal saying what the server has. */
async function readLedgerPlugin(ctx: ReleaseContext, server: ServerProfile, slug: string) {
  const files = await openServerFiles(server, ctx.secrets, ctx.sessionOptions)
  try {
    const truth = await files.readTruth(slug)
    const plugin = truth.state?.plugin ?? truth.ledger?.plugin
    if (plugin !== undefined) return plugin
    throw new WprmError(
      'not-found',
      truth.problem === null
        ? `${server.name} has nothing published for ${slug}.`
        : `Cannot import ${slug} from ${server.name}: ${truth.problem}.`,
      truth.problem === null
        ? `Check the slug (the folder under ${targetPlace(server)}); a plugin never published is added from its source: wprm plugin add <source-dir> --server ${server.name}.`
        : `Publish once from the workstation that has the records (wprm publish ${slug}): it writes the ledger.`
    )
  } finally {
    await files.close()
  }
}
