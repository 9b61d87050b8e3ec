import { readFile } from 'node:fs/promises'
import JSZip from 'jszip'
import { WprmError } from './errors.js'
import { SOURCE_ENCODING } from './plugin-source.js'

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
    throw new WprmError('zip-conflict', `${zipPath} is not a readable ZIP (${(error as Error).message}).`, 'Rebuild the version as a new one, or put the original file back.')
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
