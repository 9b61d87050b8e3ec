import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import type { Result } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
  return result.value
}

describe('check 7: expected and forbidden strings in every text file of the ZIP', () => {
  it("finds a string outside the main file (Akismet's API host in class.akismet.php), says file:line, and which files it searched", async () => {
    // Laid out as Akismet is: the API host is in a class file, not in the main file.
    const dir = await writePluginFolder(
      path.join(temp.dir, 'akismet'),
      {
        'akismet.php': "<?php\n/*\nPlugin Name: Akismet Anti-Spam\nVersion: 4.1\n*/\nrequire_once 'class.akismet.php';\n",
        'class.akismet.php': "<?php\nclass Akismet {\n\tconst API_HOST = 'rest.akismet.com';\n\t// see rest.akismet.com/1.1/\n}\n",
        'views/config.php': '<?php\n// staging.akismet.com must never ship\n',
        '_inc/img/logo.png': Buffer.concat([Buffer.from('\u0089PNG\r\n\u001a\n\u0000'), Buffer.from('staging.akismet.com')])
      },
      'akismet'
    )
    const api = createApi({ dataDir: path.join(temp.dir, 'data') })
    value(await api.addPlugin({ sourceDir: dir }))
    value(await api.setPlugin({ slug: 'akismet', expectedStrings: ['rest.akismet.com'], forbiddenStrings: ['staging.akismet.com'] }))
    value(await api.addVersion({ slug: 'akismet', version: '4.1.0', changelog: 'x', status: 'released' }))
    const check = value(await api.verify({ slug: 'akismet' })).checks.find((c) => c.id === 7)!
    expect(check).toMatchObject({ ok: false, title: "Expected strings are in the ZIP's text files, forbidden ones are not" })
    expect(check.detail).toBe(
      '"rest.akismet.com" found 2× (class.akismet.php:3, class.akismet.php:4); forbidden "staging.akismet.com" found 1× (views/config.php:2); searched 4 text files in the ZIP (1 binary passed over)'
    )

    value(await api.setPlugin({ slug: 'akismet', forbiddenStrings: [] }))
    const passing = value(await api.verify({ slug: 'akismet' })).checks.find((c) => c.id === 7)!
    expect(passing.ok).toBe(true)
  })
})
