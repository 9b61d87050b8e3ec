import { readFile } from 'node:fs/promises'
import JSZip from 'jszip'
import { WprmError } from '../errors.js'

/**
 * Strings looked for in every text file of a built ZIP (`plugin set --expect/--forbid`, check 7): where
 * each one is, as `file:line`, and which files were searched. A binary file (an image, a font, a `.mo`,
 * anything with a NUL in its first 8 KB) is not searched.
 */

/** Where a string was found: a path inside the plugin folder and a 1-based line. */
export interface TextHit {
  readonly file: string
  readonly line: number
}

/** What a search of a ZIP's text files found. */
export interface TextSearch {
  /** The text files searched, by path inside the plugin folder. */
  readonly searched: readonly string[]
  /** How many files were passed over as binary. */
  readonly binary: number
  /** Every place each string was found, in file order. */
  readonly hits: ReadonlyMap<string, readonly TextHit[]>
}

const BINARY_EXTENSION =
  /\.(png|jpe?g|gif|webp|avif|ico|bmp|tiff?|psd|woff2?|ttf|otf|eot|mo|mp3|mp4|m4a|ogg|wav|webm|mov|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|phar|exe|dll|so|wasm)$/i

function linesOf(text: string, needle: string): number[] {
  const lines: number[] = []
  let line = 1
  let counted = 0
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < at; nl = text.indexOf('\n', nl + 1)) {
      line++
      counted = nl + 1
    }
    lines.push(line)
  }
  return lines
}

/** Searches every text file under `<slug>/` in the ZIP for each string (byte for byte, as UTF-8). */
export async function searchZipTexts(zipPath: string, slug: string, needles: readonly string[]): Promise<TextSearch> {
  let zip: JSZip
  try {
    zip = await JSZip.loadAsync(await readFile(zipPath), { checkCRC32: true })
  } catch (error) {
    throw new WprmError(
      'zip-conflict',
      `${zipPath} is not a readable ZIP (${(error as Error).message}).`,
      'Rebuild the version as a new one, or put the original file back.'
    )
  }
  const prefix = `${slug}/`
  // Files are compared as bytes: a string is looked for as its UTF-8 bytes, read one char per byte.
  const wanted = needles.filter((n) => n !== '').map((needle) => ({ needle, bytes: Buffer.from(needle, 'utf8').toString('latin1') }))
  const hits = new Map<string, TextHit[]>(needles.map((n) => [n, []]))
  const searched: string[] = []
  let binary = 0
  const names = Object.keys(zip.files)
    .filter((name) => name.startsWith(prefix) && !zip.files[name]!.dir)
    .sort()
  for (const name of names) {
    const file = name.slice(prefix.length)
    if (BINARY_EXTENSION.test(file)) {
      binary++
      continue
    }
    const data = await zip.files[name]!.async('nodebuffer')
    if (data.subarray(0, 8192).includes(0)) {
      binary++
      continue
    }
    searched.push(file)
    const text = data.toString('latin1')
    for (const { needle, bytes } of wanted) {
      for (const line of linesOf(text, bytes)) hits.get(needle)!.push({ file, line })
    }
  }
  return { searched, binary, hits }
}
