import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashFile } from '../../src-main/core/build/checksums.js'
import type { ZipEntry } from '../../src-main/core/build/zip-writer.js'
import { writeZip } from '../../src-main/core/build/zip-writer.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import { requireTool } from '../support/require-tool.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

describe('writeZip', () => {
  it('writes a ZIP that jszip and Info-ZIP read back, with checksums of its bytes', async () => {
    const text = Buffer.from('<?php echo "hello";\n'.repeat(200))
    const random = randomBytes(5000)
    await writeFile(path.join(temp.dir, 'random.bin'), random)
    const entries: ZipEntry[] = [
      { name: 'p/', source: null },
      { name: 'p/a.php', source: { kind: 'buffer', data: text } },
      { name: 'p/empty.txt', source: { kind: 'buffer', data: Buffer.alloc(0) } },
      { name: 'p/random.bin', source: { kind: 'file', path: path.join(temp.dir, 'random.bin'), size: random.length } },
      { name: 'p/ünï.txt', source: { kind: 'buffer', data: Buffer.from('ü') } }
    ]
    const out = path.join(temp.dir, 'out.zip')
    const result = await writeZip(entries, out)
    const bytes = await readFile(out)
    expect(result.size).toBe(bytes.length)
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(result.md5).toBe(createHash('md5').update(bytes).digest('hex'))
    expect(await hashFile(out)).toEqual({ size: bytes.length, sha256: result.sha256, md5: result.md5 })

    const zip = await JSZip.loadAsync(bytes, { checkCRC32: true })
    expect(Object.keys(zip.files)).toEqual(['p/', 'p/a.php', 'p/empty.txt', 'p/random.bin', 'p/ünï.txt'])
    expect(await zip.file('p/a.php')!.async('nodebuffer')).toEqual(text)
    expect(await zip.file('p/random.bin')!.async('nodebuffer')).toEqual(random)
    expect(await zip.file('p/empty.txt')!.async('nodebuffer')).toHaveLength(0)
    // Info-ZIP checks every CRC and the structure.
    expect(execFileSync(requireTool('unzip', 'unzip'), ['-t', out], { encoding: 'utf8' })).toContain('No errors detected')
    // Fixed metadata: 1980-01-01 00:00, 0644 files, 0755 folders, deflate only where it helps.
    const listing = execFileSync(requireTool('zipinfo', 'unzip'), [out], { encoding: 'utf8' })
    expect(listing).toMatch(/drwxr-xr-x .* stor 80-Jan-01 00:00 p\//)
    expect(listing).toMatch(/-rw-r--r-- .* defN 80-Jan-01 00:00 p\/a\.php/)
    expect(listing).toMatch(/-rw-r--r-- .* stor 80-Jan-01 00:00 p\/random\.bin/)
  })

  it('gives the same bytes for the same input, whatever the file times', async () => {
    const file = path.join(temp.dir, 'a.txt')
    await writeFile(file, 'same')
    const entries: ZipEntry[] = [{ name: 'a.txt', source: { kind: 'file', path: file, size: 4 } }]
    const first = await writeZip(entries, path.join(temp.dir, '1.zip'))
    await writeFile(file, 'same') // new mtime
    const second = await writeZip(entries, path.join(temp.dir, '2.zip'))
    expect(second.sha256).toBe(first.sha256)
  })

  it('streams a file larger than the in-memory threshold, compressible or not', async () => {
    const big = path.join(temp.dir, 'big.bin')
    const noise = randomBytes(9 * 1024 * 1024)
    const text = Buffer.from('line of text that compresses well\n'.repeat(300_000))
    await writeFile(big, Buffer.concat([noise, text]))
    const noiseOnly = path.join(temp.dir, 'noise.bin')
    const noise2 = randomBytes(17 * 1024 * 1024)
    await writeFile(noiseOnly, noise2)
    const out = path.join(temp.dir, 'big.zip')
    const size = noise.length + text.length
    await writeZip(
      [
        { name: 'big.bin', source: { kind: 'file', path: big, size } },
        { name: 'noise.bin', source: { kind: 'file', path: noiseOnly, size: noise2.length } },
        { name: 'small.txt', source: { kind: 'buffer', data: Buffer.from('small') } }
      ],
      out
    )
    expect(execFileSync(requireTool('unzip', 'unzip'), ['-t', out], { encoding: 'utf8' })).toContain('No errors detected')
    const listing = execFileSync(requireTool('zipinfo', 'unzip'), [out], { encoding: 'utf8' })
    expect(listing).toMatch(/defN .* big\.bin/)
    expect(listing).toMatch(/stor .* noise\.bin/)
    const zip = await JSZip.loadAsync(await readFile(out))
    const back = await zip.file('big.bin')!.async('nodebuffer')
    expect(back.length).toBe(size)
    expect(createHash('sha256').update(back).digest('hex')).toBe(
      createHash('sha256')
        .update(Buffer.concat([noise, text]))
        .digest('hex')
    )
  })

  it('names a file that cannot be read, instead of failing with a bare system error', async () => {
    const gone = path.join(temp.dir, 'gone.php')
    const entries: ZipEntry[] = [{ name: 'p/gone.php', source: { kind: 'file', path: gone, size: 10 } }]
    await expect(writeZip(entries, path.join(temp.dir, 'x.zip'))).rejects.toThrow(
      'p/gone.php cannot be read (it was removed during the build)'
    )
    const folder: ZipEntry[] = [{ name: 'p/dir.php', source: { kind: 'file', path: temp.dir, size: 10 } }]
    await expect(writeZip(folder, path.join(temp.dir, 'y.zip'))).rejects.toThrow('p/dir.php cannot be read (it is a folder)')
  })

  it('never overwrites an existing file', async () => {
    const out = path.join(temp.dir, 'exists.zip')
    await writeFile(out, 'keep me')
    await expect(writeZip([{ name: 'a', source: { kind: 'buffer', data: Buffer.from('a') } }], out)).rejects.toThrow(/EEXIST/)
    expect(await readFile(out, 'utf8')).toBe('keep me')
  })
})
