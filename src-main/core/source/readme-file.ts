import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { isErrnoCode } from '../errors.js'
import type { Readme } from './readme-txt.js'
import { parseReadme } from './readme-txt.js'
import { utf8FromLatin1 } from './safe-text.js'
import { SOURCE_ENCODING } from './plugin-source.js'

/** The plugin folder's readme.txt (any case, as wordpress.org accepts it), parsed; null when there is none. */
export async function readSourceReadme(sourceDir: string): Promise<Readme | null> {
  const names = await readdir(sourceDir).catch((error: unknown) => {
    if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return [] as string[]
    throw error
  })
  const name = names.find((n) => n.toLowerCase() === 'readme.txt')
  if (name === undefined) return null
  return parseReadme(utf8FromLatin1((await readFile(path.join(sourceDir, name))).toString(SOURCE_ENCODING)))
}
