import { DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS, MIN_EXPIRY_DAYS, isExpiryDays } from '../../../src-shared/signing.js'
import { requireKey } from './keys.js'
import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import type { AddPluginInput, PluginDetails, PluginRecord, PluginSummary, SetPluginInput } from '../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { SOURCE_ENCODING, detectVersionConstant, findMainFile, readConstant, readHeader, readSourceInfo } from '../source/plugin-source.js'
import { assertConstantName, assertMainFilePath } from '../../../src-shared/input-rules.js'
import type { ReleaseContext } from './context.js'
import { requirePlugin, requireServer, versionsOf } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { latestLive } from '../../../src-shared/versions.js'
import { isLayoutFileStem, isLayoutFolderName } from '../../../src-shared/slugs.js'

const SLUG = /^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$/

/** A slug WordPress would use for a folder name: lowercase letters, digits, dashes. */
export function slugFromFolderName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
}

/**
 * The slug of a plugin whose folder has a generic name: its main file's name (`hello-world.php`), else its
 * `Text Domain` header; refused, asking for --slug, when neither names it.
 */
export function slugFromMainFile(mainFile: string, mainText: string, folderName: string): string {
  const fromFile = slugFromFolderName(path.basename(mainFile, path.extname(mainFile)))
  if (SLUG.test(fromFile) && !isLayoutFileStem(fromFile)) return fromFile
  const fromDomain = slugFromFolderName(readHeader(mainText, 'Text Domain') ?? '')
  if (SLUG.test(fromDomain)) return fromDomain
  throw new WprmError(
    'usage',
    `The folder is named "${folderName}", and neither the main file ${mainFile} nor a Text Domain header names the plugin.`,
    "Give the slug (the plugin's folder name on sites) with --slug, for example --slug my-plugin."
  )
}

/** What identifies a source folder: its real path (a link to a folder already added is that folder). */
async function sourceIdentity(dir: string): Promise<string> {
  return realpath(dir).catch(() => path.resolve(dir))
}

/** Refuses a slug that cannot be a plugin folder name. */
export function assertValidSlug(slug: string): void {
  if (!SLUG.test(slug)) {
    throw new WprmError(
      'usage',
      `"${slug}" is not a valid plugin slug.`,
      'Use lowercase letters, digits, "-" and "_" (it becomes the plugin\'s folder name on sites), for example my-plugin.'
    )
  }
}

/** The main file's text; a missing one, or a folder of that name, is refused naming it. */
async function readMainFile(sourceDir: string, mainFile: string): Promise<string> {
  try {
    return (await readFile(path.join(sourceDir, mainFile))).toString(SOURCE_ENCODING)
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT'))
      throw new WprmError('source-invalid', `The main file ${mainFile} is not in ${sourceDir}.`, 'Check --main-file.')
    if (isErrnoCode(error, 'EISDIR'))
      throw new WprmError('source-invalid', `The main file ${mainFile} in ${sourceDir} is a folder.`, 'Give the PHP file with --main-file.')
    throw error
  }
}

/** Refuses a version constant that the main file does not define: the build would set nothing. */
function assertConstantDefined(mainText: string, mainFile: string, constant: string): string {
  assertConstantName(constant)
  if (readConstant(mainText, constant) === null) {
    throw new WprmError(
      'source-invalid',
      `${mainFile} does not define the version constant ${constant} (no define('${constant}', '…') or const ${constant} = '…').`,
      "Give the constant that carries the plugin's version, or leave --version-constant out to detect it."
    )
  }
  return constant
}

/** The real path of a folder, or of its nearest existing parent with the rest appended (a dist folder not made yet). */
async function realPathOf(target: string): Promise<string> {
  const missing: string[] = []
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    try {
      return path.join(await realpath(dir), ...missing.reverse())
    } catch (error) {
      // Not there yet (or under a file, which the build reports when it makes the folder): judged by its parent.
      if (!(isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) || dir === path.dirname(dir)) throw error
      missing.push(path.basename(dir))
    }
  }
}

function isWithin(folder: string, target: string): boolean {
  const rel = path.relative(folder, target)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/**
 * Refuses a dist folder or data folder inside the plugin's source: every ZIP would carry the earlier
 * ZIPs (and the database), growing with each release. Checked when the plugin is added and before
 * every build (a record from before this rule).
 */
export async function assertOutsideSource(plugin: Pick<PluginRecord, 'source_dir' | 'dist_dir'>, dataDir: string): Promise<void> {
  const source = await realPathOf(plugin.source_dir)
  if (isWithin(source, await realPathOf(dataDir))) {
    throw new WprmError(
      'usage',
      `The data folder ${dataDir} is inside the source folder ${plugin.source_dir}: every ZIP would contain the database.`,
      'Choose a data folder outside the plugin (--data-dir or $WPRM_DATA_DIR).'
    )
  }
  if (isWithin(source, await realPathOf(plugin.dist_dir))) {
    throw new WprmError(
      'usage',
      `The dist folder ${plugin.dist_dir} is inside the source folder ${plugin.source_dir}: every ZIP would contain the earlier ZIPs.`,
      'Choose a dist folder outside the source (--dist-dir), or leave --dist-dir out to use the data folder.'
    )
  }
}

/**
 * Registers a plugin from its source folder: the main file, name, slug and version constant are read
 * from the source unless given.
 */
export async function addPlugin(ctx: ReleaseContext, input: AddPluginInput): Promise<PluginRecord> {
  const sourceDir = path.resolve(input.sourceDir)
  const info = await stat(sourceDir).catch((error: unknown) => {
    if (isErrnoCode(error, 'ENOENT')) {
      throw new WprmError('source-invalid', `The source folder ${sourceDir} does not exist.`, 'Check the path.')
    }
    throw error
  })
  if (!info.isDirectory()) {
    throw new WprmError(
      'source-invalid',
      `${sourceDir} is not a folder.`,
      "Give the plugin's folder, the one that holds its main PHP file."
    )
  }
  const generic = input.slug === undefined && isLayoutFolderName(path.basename(sourceDir))
  const folderSlug = input.slug ?? slugFromFolderName(path.basename(sourceDir))
  if (!generic) assertValidSlug(folderSlug)
  const mainFile =
    input.mainFile !== undefined ? assertMainFilePath(input.mainFile) : await findMainFile(sourceDir, generic ? undefined : folderSlug)
  const mainText = await readMainFile(sourceDir, mainFile)
  if (input.mainFile !== undefined && readHeader(mainText, 'Plugin Name') === null) {
    throw new WprmError(
      'source-invalid',
      `${mainFile} has no "Plugin Name:" header, so WordPress would not see it as a plugin.`,
      'Give the file that has the plugin header with --main-file, or leave --main-file out to find it.'
    )
  }
  const headerVersion = readHeader(mainText, 'Version')
  if (headerVersion === null) {
    throw new WprmError(
      'source-invalid',
      `${mainFile} has no "Version:" header.`,
      'Add a line " * Version: 1.0.0" to the plugin header comment.'
    )
  }
  // A folder named src, trunk, build, … says nothing of the plugin: its main file or text domain does.
  const slug = generic ? slugFromMainFile(mainFile, mainText, path.basename(sourceDir)) : folderSlug
  const name = input.name ?? readHeader(mainText, 'Plugin Name') ?? slug
  const constant =
    input.versionConstant !== undefined
      ? assertConstantDefined(mainText, mainFile, input.versionConstant)
      : detectVersionConstant(mainText, headerVersion)
  const distDir = input.distDir !== undefined ? path.resolve(input.distDir) : path.join(ctx.store.dataDir, 'dist', slug)
  await assertOutsideSource({ source_dir: sourceDir, dist_dir: distDir }, ctx.store.dataDir)

  const sameSource = await sourceIdentity(sourceDir)
  return ctx.store.transact(`add plugin ${slug}`, async (db) => {
    if (input.server !== undefined) requireServer(db, input.server)
    for (const other of db.plugins) {
      if ((await sourceIdentity(other.source_dir)) !== sameSource) continue
      throw new WprmError(
        'already-exists',
        `${sourceDir} is already the source of plugin "${other.slug}".`,
        `Look at it with: wprm plugin show ${other.slug}. One source folder is one plugin.`
      )
    }
    if (db.plugins.some((p) => p.slug === slug)) {
      throw new WprmError(
        'already-exists',
        `A plugin "${slug}" already exists.`,
        'Choose another slug with --slug, or look at it with: wprm plugin show ' + slug
      )
    }
    const at = ctx.now().toISOString()
    const record: PluginRecord = {
      slug,
      name,
      platform: 'wordpress',
      source_dir: sourceDir,
      main_file: mainFile,
      version_constant: constant,
      dist_dir: distDir,
      expected_strings: [],
      forbidden_strings: [],
      signing_key: null,
      manifest_expiry_days: DEFAULT_EXPIRY_DAYS,
      manifest_expires: null,
      server: input.server ?? null,
      manifest_version: 0,
      published_at: null,
      created_at: at,
      updated_at: at
    }
    db.plugins.push(record)
    recordActivity(db, {
      at,
      plugin: slug,
      version: null,
      action: 'plugin.add',
      summary: `Added ${name} from ${sourceDir}`,
      changes: { source_dir: [null, sourceDir], main_file: [null, mainFile], version_constant: [null, constant] }
    })
    return record
  })
}

/** Every plugin with its latest live version. */
export async function listPlugins(ctx: ReleaseContext): Promise<PluginSummary[]> {
  const db = await ctx.store.read()
  return db.plugins.map((plugin) => {
    const versions = versionsOf(db, plugin.slug)
    return { plugin, latest_live: latestLive(versions), version_count: versions.length }
  })
}

/** A plugin, its versions (newest first) and its source as it stands. */
export async function getPlugin(ctx: ReleaseContext, slug: string): Promise<PluginDetails> {
  const db = await ctx.store.read()
  const plugin = requirePlugin(db, slug)
  try {
    const source = await readSourceInfo(plugin.source_dir, plugin.main_file, plugin.version_constant)
    return { plugin, versions: versionsOf(db, slug), source, source_error: null }
  } catch (error) {
    if (!(error instanceof WprmError)) throw error
    return { plugin, versions: versionsOf(db, slug), source: null, source_error: error.message }
  }
}

/** Changes a plugin's settings: its server, verification strings, version constant. */
export async function setPlugin(ctx: ReleaseContext, input: SetPluginInput): Promise<PluginRecord> {
  if (input.versionConstant !== undefined && input.versionConstant !== null) {
    // Checked against the source as it is now: a constant the main file lacks would leave the ZIP's unset.
    const plugin = requirePlugin(await ctx.store.read(), input.slug)
    assertConstantDefined(await readMainFile(plugin.source_dir, plugin.main_file), plugin.main_file, input.versionConstant)
  }
  return ctx.store.transact(`set plugin ${input.slug}`, (db) => {
    const plugin = requirePlugin(db, input.slug)
    if (input.server !== undefined && input.server !== null) requireServer(db, input.server)
    if (input.signingKey !== undefined && input.signingKey !== null) requireKey(db, input.signingKey)
    if (input.expiryDays !== undefined && !isExpiryDays(input.expiryDays))
      throw new WprmError(
        'usage',
        `${input.expiryDays} is not a manifest expiry in days.`,
        `Give a whole number from ${MIN_EXPIRY_DAYS} to ${MAX_EXPIRY_DAYS} (the default is ${DEFAULT_EXPIRY_DAYS}).`
      )
    const strings = (list: readonly string[] | undefined): readonly string[] | undefined => {
      if (list === undefined) return undefined
      if (list.some((s) => s === ''))
        throw new WprmError(
          'usage',
          'An expected or forbidden string is empty.',
          'Give the text to look for, e.g. --expect api.example.com.'
        )
      return [...new Set(list)]
    }
    const next: PluginRecord = {
      ...plugin,
      server: input.server === undefined ? plugin.server : input.server,
      expected_strings: strings(input.expectedStrings) ?? plugin.expected_strings,
      forbidden_strings: strings(input.forbiddenStrings) ?? plugin.forbidden_strings,
      version_constant: input.versionConstant === undefined ? plugin.version_constant : input.versionConstant,
      signing_key: input.signingKey === undefined ? plugin.signing_key : input.signingKey,
      manifest_expiry_days: input.expiryDays ?? plugin.manifest_expiry_days,
      updated_at: ctx.now().toISOString()
    }
    const changes: Record<string, readonly [unknown, unknown]> = {}
    for (const key of [
      'server',
      'expected_strings',
      'forbidden_strings',
      'version_constant',
      'signing_key',
      'manifest_expiry_days'
    ] as const) {
      if (JSON.stringify(plugin[key]) !== JSON.stringify(next[key])) changes[key] = [plugin[key], next[key]]
    }
    db.plugins[db.plugins.indexOf(plugin)] = next
    recordActivity(db, {
      at: next.updated_at,
      plugin: plugin.slug,
      version: null,
      action: 'plugin.update',
      summary: Object.keys(changes).length === 0 ? 'Settings unchanged' : `Changed ${Object.keys(changes).join(', ')}`,
      changes
    })
    return next
  })
}
