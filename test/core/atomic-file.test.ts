import { mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fillFileAtomic, symlinkAtomic, tempPathFor, writeFileAtomic } from '../../src-main/core/fs/atomic-file.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

describe('writeFileAtomic', () => {
  it('replaces a file with its permissions and leaves nothing beside it', async () => {
    const target = path.join(temp.dir, 'db.json')
    await writeFile(target, 'old')
    await writeFileAtomic(target, 'new', { mode: 0o600 })
    expect(await readFile(target, 'utf8')).toBe('new')
    expect((await stat(target)).mode & 0o777).toBe(0o600)
    expect(await readdir(temp.dir)).toEqual(['db.json'])
  })

  it('removes its temporary file when the rename fails (the target is a folder)', async () => {
    const target = path.join(temp.dir, 'taken')
    await mkdir(target)
    await writeFile(path.join(target, 'inside'), 'kept')
    await expect(writeFileAtomic(target, 'x'.repeat(100_000))).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/)
    })
    expect(await readdir(temp.dir)).toEqual(['taken'])
    expect(await readFile(path.join(target, 'inside'), 'utf8')).toBe('kept')
  })

  it('removes its temporary file when the step before the commit fails, and keeps the old file', async () => {
    const target = path.join(temp.dir, 'db.json')
    await writeFile(target, 'old')
    const failing = writeFileAtomic(target, 'new', {
      beforeCommit: async () => {
        // The temporary file is complete at this point: it must still go.
        expect((await readdir(temp.dir)).length).toBe(2)
        throw new Error('backup failed')
      }
    })
    await expect(failing).rejects.toThrow('backup failed')
    expect(await readFile(target, 'utf8')).toBe('old')
    expect(await readdir(temp.dir)).toEqual(['db.json'])
  })

  it('never overwrites in exclusive mode: an existing file is refused and left as it was', async () => {
    const target = path.join(temp.dir, 'plugin-v1.0.0.zip')
    await writeFileAtomic(target, 'first', { exclusive: true })
    await expect(writeFileAtomic(target, 'second', { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' })
    expect(await readFile(target, 'utf8')).toBe('first')
    expect(await readdir(temp.dir)).toEqual(['plugin-v1.0.0.zip'])
  })

  it('lets concurrent writers race without a reader ever seeing a partial file, and leaves only the winner', async () => {
    const target = path.join(temp.dir, 'db.json')
    const size = 512 * 1024
    const contents = Array.from({ length: 12 }, (_, i) => Buffer.alloc(size, 65 + i))
    let writing = true
    let reads = 0
    const reader = (async () => {
      while (writing) {
        const seen = await readFile(target).catch(() => null)
        if (seen === null) continue // before the first writer is done
        reads++
        expect(seen.length).toBe(size)
        expect(seen.every((byte) => byte === seen[0])).toBe(true)
      }
    })()
    await Promise.all(contents.map((content) => writeFileAtomic(target, content)))
    writing = false
    await reader
    expect(reads).toBeGreaterThan(0)
    const final = await readFile(target)
    expect(contents.some((content) => content.equals(final))).toBe(true)
    expect(await readdir(temp.dir)).toEqual(['db.json'])
  })
})

describe('fillFileAtomic', () => {
  it('returns what the writer returned once the file is in place', async () => {
    const target = path.join(temp.dir, 'out.zip')
    const size = await fillFileAtomic(target, async (tempPath) => {
      expect(path.dirname(tempPath)).toBe(temp.dir)
      await writeFile(tempPath, 'zip bytes', { flag: 'wx' })
      return 9
    })
    expect(size).toBe(9)
    expect(await readFile(target, 'utf8')).toBe('zip bytes')
    expect(await readdir(temp.dir)).toEqual(['out.zip'])
  })

  it('removes the half-written file when the writer fails', async () => {
    const target = path.join(temp.dir, 'out.zip')
    const failing = fillFileAtomic(target, async (tempPath) => {
      await writeFile(tempPath, 'half a zip')
      throw new Error('disk full')
    })
    await expect(failing).rejects.toThrow('disk full')
    expect(await readdir(temp.dir)).toEqual([])
  })

  it("removes what a killed writer left (a temporary file named after a process that is gone), and no one else's", async () => {
    const target = path.join(temp.dir, 'out.zip')
    const dead = `.out.zip.${2 ** 22 + 12345}-0123abcd.tmp`
    const alive = `.out.zip.${process.ppid}-0123abcd.tmp`
    const other = `.other.zip.${2 ** 22 + 12345}-0123abcd.tmp`
    for (const name of [dead, alive, other]) await writeFile(path.join(temp.dir, name), 'half a zip')
    await fillFileAtomic(target, (tempPath) => writeFile(tempPath, 'a zip'))
    expect((await readdir(temp.dir)).sort()).toEqual([alive, other, 'out.zip'].sort())
  })
})

describe('symlinkAtomic', () => {
  it('points a link at a new target in one step', async () => {
    const link = path.join(temp.dir, 'latest.zip')
    await symlinkAtomic('v1.zip', link)
    await symlinkAtomic('v2.zip', link)
    expect(await readlink(link)).toBe('v2.zip')
    expect(await readdir(temp.dir)).toEqual(['latest.zip'])
  })

  it("removes the temporary link a killed writer left, and no one else's", async () => {
    const link = path.join(temp.dir, 'latest.zip')
    const dead = `.latest.zip.${2 ** 22 + 12345}-0123abcd.tmp`
    const alive = `.latest.zip.${process.ppid}-0123abcd.tmp`
    for (const name of [dead, alive]) await symlink('v0.zip', path.join(temp.dir, name))
    await symlinkAtomic('v1.zip', link)
    expect((await readdir(temp.dir)).sort()).toEqual([alive, 'latest.zip'].sort())
  })
})

describe('tempPathFor', () => {
  it('names a hidden file beside the target, different on every call', () => {
    const a = tempPathFor('/data/db.json')
    expect(path.dirname(a)).toBe('/data')
    expect(path.basename(a)).toMatch(new RegExp(`^\\.db\\.json\\.${process.pid}-[0-9a-f]{8}\\.tmp$`))
    expect(tempPathFor('/data/db.json')).not.toBe(a)
  })
})
