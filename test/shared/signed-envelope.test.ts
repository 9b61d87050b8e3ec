import { execFile } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { splitEnvelope } from '../../src-shared/signing.js'
import { requireInstalledFile, requireTool } from '../support/require-tool.js'

const CORPUS = fileURLToPath(new URL('../fixtures/envelopes/', import.meta.url))
const UPDATER = fileURLToPath(new URL('../../resources/wordpress/wprm-updater.php', import.meta.url))
const SPLITTER = fileURLToPath(new URL('./support/split-envelopes.php', import.meta.url))

/** One case: a file's text, and the signed message both sides must find in it (or that it carries no signature). */
interface EnvelopeCase {
  readonly about: string
  readonly text: string
  readonly expect: { readonly ok: true; readonly message: string } | { readonly ok: false }
}

const files = (await readdir(CORPUS)).filter((name) => name.endsWith('.json')).sort()
const corpus = new Map<string, EnvelopeCase>(
  await Promise.all(files.map(async (name) => [name, JSON.parse(await readFile(`${CORPUS}${name}`, 'utf8')) as EnvelopeCase] as const))
)

let php: Record<string, { ok: boolean; message?: string; keyids?: string[] }>
beforeAll(async () => {
  const bin = requireTool('php', 'php-cli')
  const wordpress = requireInstalledFile('/usr/share/wordpress/wp-includes/plugin.php', "WordPress's tree", 'wordpress')
  const { stdout } = await promisify(execFile)(bin, [SPLITTER, wordpress.replace(/wp-includes\/plugin\.php$/, ''), UPDATER, CORPUS])
  php = JSON.parse(stdout) as typeof php
})

describe('the signed envelope corpus (src-shared/signing.ts and the PHP updater, one rule)', () => {
  it('has signed and refused cases', () => {
    expect([...corpus.values()].filter((c) => c.expect.ok).length).toBeGreaterThanOrEqual(4)
    expect([...corpus.values()].filter((c) => !c.expect.ok).length).toBeGreaterThanOrEqual(10)
  })

  it.each(files)('%s: both sides find the same message and signatures', (name) => {
    const c = corpus.get(name)!
    const ts = splitEnvelope(c.text)
    expect(ts === null ? { ok: false } : { ok: true, message: ts.message }).toEqual(c.expect)
    const said = php[name]
    expect(said, `the PHP run printed nothing for ${name}`).toBeDefined()
    expect(said!.ok).toBe(c.expect.ok)
    if (ts !== null) expect(said).toEqual({ ok: true, message: ts.message, keyids: ts.signatures.map((s) => s.keyid) })
  })
})
