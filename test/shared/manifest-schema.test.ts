import { execFile } from 'node:child_process'
import { readFile, readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { MANIFEST_FORMAT, MAX_MANIFEST_BYTES, manifestProblem, manifestSizeProblem } from '../../src-shared/manifest-schema.js'
import { requireInstalledFile, requireTool } from '../support/require-tool.js'

const CORPUS = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url))
const UPDATER = fileURLToPath(new URL('../../resources/wordpress/wprm-updater.php', import.meta.url))
const PARSER = fileURLToPath(new URL('./support/parse-manifests.php', import.meta.url))

/** One case of the corpus: a manifest, the plugin folder it is read for, and the verdict both parsers must give. */
interface CorpusCase {
  readonly about: string
  readonly slug: string
  readonly expect: { readonly ok: true } | { readonly ok: false; readonly field: string | null }
  readonly manifest: unknown
}

const files = (await readdir(CORPUS)).filter((name) => name.endsWith('.json')).sort()
const corpus = new Map<string, CorpusCase>(
  await Promise.all(files.map(async (name) => [name, JSON.parse(await readFile(`${CORPUS}${name}`, 'utf8')) as CorpusCase] as const))
)

/** What the updater said for each file: its error message, or '' when it accepted the manifest. */
let php: Record<string, { ok: boolean; message: string }>
beforeAll(async () => {
  const bin = requireTool('php', 'php-cli')
  const wordpress = requireInstalledFile('/usr/share/wordpress/wp-includes/http.php', "WordPress's tree", 'wordpress')
  const { stdout } = await promisify(execFile)(bin, [PARSER, wordpress.replace(/wp-includes\/http\.php$/, ''), UPDATER, CORPUS])
  php = JSON.parse(stdout) as typeof php
})

/** The updater's message without its "the manifest at URL is malformed: " frame, as the TypeScript side words it. */
function phpReason(message: string): string {
  const malformed = /^the manifest at \S+ is malformed: (.*)\.$/s.exec(message)
  if (malformed) return malformed[1]!
  return /^the manifest at \S+ is not a JSON object\.$/.test(message) ? 'it is not a JSON object' : `(unexpected: ${message})`
}

describe('the manifest corpus', () => {
  it('has good and bad cases, each saying what it is about', () => {
    expect(files.length).toBeGreaterThanOrEqual(50)
    const verdicts = [...corpus.values()].map((c) => c.expect.ok)
    expect(verdicts.filter(Boolean).length).toBeGreaterThanOrEqual(10)
    expect(verdicts.filter((ok) => !ok).length).toBeGreaterThanOrEqual(40)
    for (const c of corpus.values()) expect(c.about.length).toBeGreaterThan(3)
  })

  it.each(files)('%s: the TypeScript validator gives the expected verdict', (name) => {
    const c = corpus.get(name)!
    const problem = manifestProblem(c.manifest, c.slug)
    if (c.expect.ok) expect(problem).toBeNull()
    else expect(problem?.field, problem?.message).toBe(c.expect.field)
  })

  it.each(files)('%s: the PHP updater gives the same verdict, in the same words', (name) => {
    const c = corpus.get(name)!
    const said = php[name]
    expect(said, `the PHP run printed nothing for ${name}`).toBeDefined()
    expect(said!.ok).toBe(c.expect.ok)
    if (!c.expect.ok) expect(phpReason(said!.message)).toBe(manifestProblem(c.manifest, c.slug)?.message)
  })
})

describe('the size cap', () => {
  it("is the updater's own constant and format", async () => {
    const source = await readFile(UPDATER, 'utf8')
    expect(source).toContain(`const MAX_MANIFEST_BYTES = ${MAX_MANIFEST_BYTES};`)
    expect(source).toContain(`const MANIFEST_FORMAT = '${MANIFEST_FORMAT}';`)
    expect(manifestSizeProblem(MAX_MANIFEST_BYTES)).toBeNull()
    expect(manifestSizeProblem(MAX_MANIFEST_BYTES + 1)?.message).toBe("it is 2,097,153 bytes, over the updater's cap of 2,097,152")
  })
})
