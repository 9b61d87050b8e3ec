import { readFile } from 'node:fs/promises'
import JSZip from 'jszip'
import { WprmError } from '../errors.js'
import { SOURCE_ENCODING } from '../source/plugin-source.js'

/** What a built ZIP says about itself: its top folders and the texts a manifest and the checks need. */
export interface ZipContents {
  readonly topFolders: readonly string[]
  readonly mainFile: string | null
  readonly readme: string | null
}

/**
 * Reads a plugin ZIP back (jszip, CRCs checked) and takes out its main file and readme.txt.
 */
export async function inspectPluginZip(zipPath: string, slug: string, mainFile: string): Promise<ZipContents> {
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
  const topFolders = [...new Set(Object.keys(zip.files).map((name) => name.split('/')[0]!))].sort()
  const text = async (name: string): Promise<string | null> => {
    const entry = zip.file(`${slug}/${name}`)
    return entry === null ? null : (await entry.async('nodebuffer')).toString(SOURCE_ENCODING)
  }
  const readmeName = Object.keys(zip.files).find((name) => name.toLowerCase() === `${slug}/readme.txt`)
  return {
    topFolders,
    mainFile: await text(mainFile),
    readme: readmeName === undefined ? null : (await zip.file(readmeName)!.async('nodebuffer')).toString(SOURCE_ENCODING)
  }
}

/** An entry as the ZIP's central directory records it. */
export interface CentralEntry {
  readonly crc32: number
  readonly size: number
}

/**
 * Reads a ZIP's central directory only (names, CRC-32s, sizes): enough to tell which files differ from
 * a source folder without unpacking anything.
 */
export async function readCentralDirectory(zipPath: string): Promise<Map<string, CentralEntry>> {
  const data = await readFile(zipPath)
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0 || end + 22 > data.length)
    throw new WprmError('zip-conflict', `${zipPath} has no ZIP directory.`, 'Rebuild it as a new version.')
  const count = data.readUInt16LE(end + 10)
  let offset = data.readUInt32LE(end + 16)
  const entries = new Map<string, CentralEntry>()
  for (let i = 0; i < count; i++) {
    if (data.readUInt32LE(offset) !== 0x02014b50)
      throw new WprmError('zip-conflict', `${zipPath} has a damaged ZIP directory.`, 'Rebuild it as a new version.')
    const nameLength = data.readUInt16LE(offset + 28)
    const extraLength = data.readUInt16LE(offset + 30)
    const commentLength = data.readUInt16LE(offset + 32)
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength)
    entries.set(name, { crc32: data.readUInt32LE(offset + 16), size: data.readUInt32LE(offset + 24) })
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}
