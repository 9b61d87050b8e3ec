import { mkdir, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertZip32Fits, collectSourceEntries } from '../../src-main/core/build/source-files.js'
import { ZIP32_LIMITS, writeZip } from '../../src-main/core/build/zip-writer.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir('wprm-limits-')
})
afterEach(async () => temp.cleanup())

/** The refusal a scan ends with. */
async function scanRefusal(dir: string): Promise<{ kind: string; message: string; hint: string }> {
  const error = await collectSourceEntries(dir).then(
    () => null,
    (e: unknown) => e as { kind: string; message: string; hint: string }
  )
  if (error === null) throw new Error('expected the scan to refuse')
  return error
}

describe('the scan refuses names that break on sites, naming the file', () => {
  it.each([
    ['a backslash', 'includes\\evil.php', /"includes\\\\evil\.php" in the source has a backslash/],
    ['a line break', 'notes\nmore.txt', /"notes\\nmore\.txt" in the source has a control character \(U\+000A\)/],
    ['a tab in a folder name', 'assets\tx/logo.svg', /"assets\\tx" in the source has a control character \(U\+0009\)/],
    ['DEL', 'a\u007f.txt', /U\+007F/]
  ])('%s', async (_what, name, message) => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), { [name]: 'x' })
    const error = await scanRefusal(dir)
    expect(error.kind).toBe('source-invalid')
    expect(error.message).toMatch(message)
    expect(error.hint).toContain('.distignore')
  })

  it('refuses two paths that differ only in case, files or folders, naming both', async () => {
    const files = await writePluginFolder(path.join(temp.dir, 'p'), { 'Readme.md': 'a', 'README.md': 'b' })
    expect((await scanRefusal(files)).message).toBe(
      '"README.md" and "Readme.md" in the source differ only in case: unpacked on macOS or Windows, one would overwrite the other.'
    )
    const folders = await writePluginFolder(path.join(temp.dir, 'q'), { 'Assets/a.png': 'a', 'assets/b.png': 'b' })
    expect((await scanRefusal(folders)).message).toMatch(/"Assets" and "assets" in the source differ only in case/)
  })

  it('passes over a bad name that .distignore leaves out', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      'build\\tmp.txt': 'x',
      'drafts/Notes.txt': 'a',
      'drafts/notes.txt': 'b'
    })
    await writeFile(path.join(dir, '.distignore'), 'build*\ndrafts/\n')
    expect((await collectSourceEntries(dir)).map((e) => e.relPath)).toEqual(['hello-wprm.php', 'readme.txt'])
  })
})

describe('ZIP64: refused at the scan, before any work', () => {
  it('refuses a file of 4 GiB or more (a sparse file: nothing is written), naming it', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'))
    await mkdir(path.join(dir, 'media'))
    const big = path.join(dir, 'media', 'video.mp4')
    await writeFile(big, '')
    await truncate(big, 4 * 2 ** 30)
    const started = performance.now()
    const error = await scanRefusal(dir)
    expect(performance.now() - started).toBeLessThan(5_000) // not 25 s of compressing zeros
    expect(error.kind).toBe('source-invalid')
    expect(error.message).toBe(
      '"media/video.mp4" in the source is 4,294,967,296 bytes (4.0 GiB): a ZIP that large needs ZIP64, which wprm does not write (WordPress hosts could not install such a plugin anyway).'
    )
    // One byte below the limit goes through the scan.
    await truncate(big, ZIP32_LIMITS.bytes - 200_000)
    expect((await collectSourceEntries(dir)).find((e) => e.relPath === 'media/video.mp4')?.size).toBe(ZIP32_LIMITS.bytes - 200_000)
  })

  it('refuses files that add up past 4 GiB, naming the largest', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'))
    for (const name of ['a.bin', 'b.bin', 'c.bin']) {
      await writeFile(path.join(dir, name), '')
      await truncate(path.join(dir, name), 1.5 * 2 ** 30)
    }
    expect((await scanRefusal(dir)).message).toMatch(
      /^The source adds up to 4,831,\d{3},\d{3} bytes \(4\.5 GiB\) \(largest: "a\.bin" 1,610,612,736 bytes/
    )
  })

  it('refuses more entries than a ZIP without ZIP64 holds (65,534 with the top folder), naming the fullest folder', () => {
    // The rule itself, on the list a scan hands it: a real tree of 65,535 files takes seconds to make and walk here.
    const icons = Array.from({ length: 65_531 }, (_, i) => ({ relPath: `icons/${i}.svg`, size: 100 }))
    const files = [...icons, { relPath: 'hello-wprm.php', size: 500 }]
    expect(() => assertZip32Fits(files, new Set(['icons']))).not.toThrow() // 65,534 with the top folder
    expect(() => assertZip32Fits([...files, { relPath: 'readme.txt', size: 80 }], new Set(['icons']))).toThrow(
      'The plugin has 65,535 files and folders (65,531 of them in icons): a ZIP without ZIP64 holds at most 65,534, and wprm does not write ZIP64.'
    )
  })

  it('the writer keeps its own guard for callers that skip the scan', async () => {
    const entries = Array.from({ length: ZIP32_LIMITS.entries + 1 }, (_, i) => ({ name: `p/${i}/`, source: null }))
    await expect(writeZip(entries, path.join(temp.dir, 'x.zip'))).rejects.toMatchObject({ kind: 'build-failed' })
  })
})
