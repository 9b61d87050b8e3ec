import type { PluginRecord, PublishResult, SigningKeyInfo, SigningKeyRecord } from '../../../src-shared/model.js'
import type { Database } from '../db/store.js'
import { recordActivity } from '../db/store.js'
import { requirePlugin } from '../db/lookups.js'
import { WprmError } from '../errors.js'
import { keyVariable } from '../signing/key-source.js'
import type { SigningKeyPair } from '../signing/keys.js'
import { generateSigningKey } from '../signing/keys.js'
import type { Signing } from '../signing/sign-manifest.js'
import type { ReleaseContext } from './context.js'

/** A key name: what `--signing-key` and the environment variable take. */
const KEY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

function assertKeyName(name: string): void {
  if (!KEY_NAME.test(name))
    throw new WprmError(
      'usage',
      `"${name}" is not a key name.`,
      'Use lowercase letters, digits, dots, dashes or underscores (e.g. release-2026).'
    )
}

/** The key called `name`; refused with the known names. */
export function requireKey(db: Readonly<Database>, name: string): SigningKeyRecord {
  const key = db.signing_keys.find((k) => k.name === name)
  if (key !== undefined) return key
  const known = db.signing_keys.map((k) => k.name)
  throw new WprmError(
    'not-found',
    `There is no signing key "${name}".`,
    known.length === 0 ? 'Make one with: wprm key generate --name NAME.' : `Known keys: ${known.join(', ')}.`
  )
}

function withPlugins(db: Readonly<Database>, key: SigningKeyRecord): SigningKeyInfo {
  return { ...key, plugins: db.plugins.filter((p) => p.signing_key === key.name).map((p) => p.slug) }
}

async function addKey(
  ctx: ReleaseContext,
  name: string,
  pair: SigningKeyPair,
  where: Pick<SigningKeyRecord, 'storage' | 'file'>
): Promise<SigningKeyInfo> {
  return ctx.store.transact(`add key ${name}`, (db) => {
    if (db.signing_keys.some((k) => k.name === name))
      throw new WprmError('already-exists', `A signing key "${name}" exists already.`, 'Choose another name with --name.')
    const record: SigningKeyRecord = { name, key_id: pair.keyId, public_key: pair.publicKey, ...where, created_at: ctx.now().toISOString() }
    db.signing_keys.push(record)
    recordActivity(db, {
      at: record.created_at,
      plugin: '',
      version: null,
      action: 'key.add',
      summary: `Signing key ${name} (id ${pair.keyId}) added`,
      changes: {}
    })
    return withPlugins(db, record)
  })
}

/** Makes a new Ed25519 key; its private half goes to the key source (an encrypted file, or the OS secret store). */
export async function generateKey(ctx: ReleaseContext, name: string = 'release'): Promise<SigningKeyInfo> {
  assertKeyName(name)
  if ((await ctx.store.read()).signing_keys.some((k) => k.name === name))
    throw new WprmError('already-exists', `A signing key "${name}" exists already.`, 'Choose another name with --name.')
  const pair = generateSigningKey()
  return addKey(ctx, name, pair, await ctx.keys.keep(name, pair))
}

/** Takes in a key given in the environment (`WPRM_SIGNING_KEY_<NAME>`): a CI runner with a fresh data folder. */
export async function importKey(ctx: ReleaseContext, name: string): Promise<SigningKeyInfo> {
  assertKeyName(name)
  const pair = ctx.keys.fromEnvironment(name)
  if (pair === null)
    throw new WprmError(
      'signing-key',
      `${keyVariable(name)} is not set.`,
      `Put the key (the contents of its key file) into ${keyVariable(name)}.`
    )
  const known = (await ctx.store.read()).signing_keys.find((k) => k.name === name)
  if (known !== undefined) {
    if (known.public_key !== pair.publicKey)
      throw new WprmError(
        'already-exists',
        `A different signing key "${name}" exists already (id ${known.key_id}).`,
        'Import it under another name.'
      )
    return withPlugins(await ctx.store.read(), known)
  }
  return addKey(ctx, name, pair, { storage: 'env', file: null })
}

/** Every known key, with the plugins it signs. */
export async function listKeys(ctx: ReleaseContext): Promise<readonly SigningKeyInfo[]> {
  const db = await ctx.store.read()
  return db.signing_keys.map((key) => withPlugins(db, key))
}

/**
 * How a plugin's publish is signed: by its key, or during a rotation by the old key and the new one, with
 * the new one named as trusted from then on. Undefined for a plugin without a key.
 */
export async function signingFor(
  ctx: ReleaseContext,
  db: Readonly<Database>,
  plugin: PluginRecord,
  rotateTo?: string
): Promise<Signing | undefined> {
  if (plugin.signing_key === null) return undefined
  const current = await ctx.keys.open(requireKey(db, plugin.signing_key))
  if (rotateTo === undefined) return { signers: [current], trusted: [current.publicKey], expiryDays: plugin.manifest_expiry_days }
  const next = await ctx.keys.open(requireKey(db, rotateTo))
  return { signers: [current, next], trusted: [next.publicKey], expiryDays: plugin.manifest_expiry_days }
}

/** The result of a rotation: the publish that carried it. */
export type RotateResult = PublishResult & { readonly from: string; readonly to: string }

/** The key a rotation may move to: known, and not the plugin's key already. */
export function assertRotation(db: Readonly<Database>, slug: string, to: string): PluginRecord {
  const plugin = requirePlugin(db, slug)
  requireKey(db, to)
  if (plugin.signing_key === null)
    throw new WprmError(
      'usage',
      `${slug} is not signed yet, so there is nothing to rotate.`,
      `Link it to a key: wprm plugin set ${slug} --signing-key ${to}.`
    )
  if (plugin.signing_key === to) throw new WprmError('usage', `${slug} is signed with ${to} already.`, 'Name the new key with --to.')
  if (plugin.server === null)
    throw new WprmError('usage', `${slug} has no server to publish the rotation to.`, `Choose one: wprm plugin set ${slug} --server NAME.`)
  return plugin
}
