import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SftpServer } from '../../src-shared/model.js'
import { READ_CHUNK_BYTES, READS_IN_FLIGHT } from '../../src-main/core/remote/sftp-pipeline.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'
import type { SshdServer } from '../support/sshd.js'
import { startSshd } from '../support/sshd.js'

// The pipelined reads and writes of SftpSession against a real sshd: what is read back must be the
// server's bytes to the last one, whatever the size and wherever a difference sits.

let sshd: SshdServer
let session: SftpSession
let counter = 0

function profile(server: SshdServer): SftpServer {
  const at = new Date(0).toISOString()
  return {
    kind: 'sftp',
    name: 'pipeline',
    host: server.host,
    port: server.port,
    user: server.user,
    auth: { kind: 'key', key_path: server.privateKeyPath, passphrase_env: null },
    remote_root: server.root,
    public_url: 'http://127.0.0.1/',
    host_key_fingerprint: server.hostKeyFingerprint,
    access_logs: [],
    created_at: at,
    updated_at: at
  }
}

beforeAll(async () => {
  sshd = await startSshd()
  session = await SftpSession.open(profile(sshd), { secret: async () => null })
})
afterAll(async () => {
  await session?.close()
  await sshd?.stop()
})

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** A file of `size` random bytes on the server (sshd's root is a local folder); its path there. */
async function serverFile(data: Buffer): Promise<string> {
  const file = path.join(sshd.root, `f${++counter}.bin`)
  await writeFile(file, data)
  return file
}

const window = READ_CHUNK_BYTES * READS_IN_FLIGHT
/** Sizes at the edges of a read request and of the window of reads in flight. */
const SIZES = [0, 1, READ_CHUNK_BYTES - 1, READ_CHUNK_BYTES, READ_CHUNK_BYTES + 1, window, window + 5, 3 * window + 7]

describe('SftpSession.hashRemote', () => {
  it.each(SIZES)('reads back every byte of a %i-byte file, with or without its expected size', async (size) => {
    const data = randomBytes(size)
    const file = await serverFile(data)
    expect(await session.hashRemote(file, size)).toEqual({ sha256: sha256(data), size })
    expect(await session.hashRemote(file)).toEqual({ sha256: sha256(data), size })
  })

  it('tells a copy that differs only in its last byte, or in its last chunk, from the original', async () => {
    const data = randomBytes(2 * window + 3)
    const lastByte = Buffer.from(data)
    lastByte[lastByte.length - 1]! ^= 0x01
    const lastChunk = Buffer.from(data)
    lastChunk.fill(0, lastChunk.length - READ_CHUNK_BYTES + 100)
    const original = (await session.hashRemote(await serverFile(data), data.length)).sha256
    expect(original).toBe(sha256(data))
    for (const copy of [lastByte, lastChunk]) {
      const read = await session.hashRemote(await serverFile(copy), data.length)
      expect(read).toEqual({ sha256: sha256(copy), size: data.length })
      expect(read.sha256).not.toBe(original)
    }
  })

  it('reads the real length of a file longer or shorter than expected', async () => {
    const data = randomBytes(window + 11)
    const file = await serverFile(data)
    // Longer: the byte past the expected end is there, so it reads on to the end.
    expect(await session.hashRemote(file, window)).toEqual({ sha256: sha256(data), size: data.length })
    expect(await session.hashRemote(file, 10)).toEqual({ sha256: sha256(data), size: data.length })
    // Shorter: it stops where the file ends.
    expect(await session.hashRemote(file, 3 * window)).toEqual({ sha256: sha256(data), size: data.length })
  })

  it('says what was missing', async () => {
    await expect(session.hashRemote(path.join(sshd.root, 'nothing-here.zip'), 10)).rejects.toMatchObject({ kind: 'remote-not-found' })
  })
})

describe('SftpSession.upload', () => {
  it.each([1, READ_CHUNK_BYTES, 255 * 1024, 5 * 1024 * 1024 + 3])(
    'reads back what it wrote (%i bytes), then closes and renames in one go',
    async (size) => {
      const data = randomBytes(size)
      const local = path.join(sshd.root, `local-${++counter}.bin`)
      await writeFile(local, data)
      const temp = path.join(sshd.root, `.up-${counter}.part`)
      const final = path.join(sshd.root, `up-${counter}.zip`)
      const sent: number[] = []
      const uploaded = await session.upload(local, temp, (bytes) => sent.push(bytes))
      expect({ sha256: uploaded.sha256, size: uploaded.size }).toEqual({ sha256: sha256(data), size })
      expect(sent.at(-1)).toBe(size)
      await uploaded.finish(final)
      expect(existsSync(temp)).toBe(false)
      expect((await readFile(final)).equals(data)).toBe(true)
    }
  )

  it('refuses to write over a file that is there, and a failed check closes without renaming', async () => {
    const local = path.join(sshd.root, `local-${++counter}.bin`)
    await writeFile(local, randomBytes(1000))
    const taken = path.join(sshd.root, `.taken-${counter}.part`)
    await writeFile(taken, 'someone else')
    await expect(session.upload(local, taken)).rejects.toMatchObject({ kind: 'remote-io' })
    expect(await readFile(taken, 'utf8')).toBe('someone else')

    const temp = path.join(sshd.root, `.kept-${counter}.part`)
    const uploaded = await session.upload(local, temp)
    await uploaded.finish(null)
    expect((await readFile(temp)).length).toBe(1000)
  })

  it('returns the hash of what the server holds when bytes change on the way (the publisher then refuses it)', async () => {
    const other = await SftpSession.open(profile(sshd), { secret: async () => null })
    try {
      // A fault on the way in: the last write of the upload reaches the server with one bit flipped.
      const sftp = (other as unknown as { sftp: SFTPWrapper }).sftp
      const write = sftp.write.bind(sftp)
      const data = randomBytes(3 * 255 * 1024 + 17)
      sftp.write = ((handle: Buffer, buffer: Buffer, offset: number, length: number, position: number, callback: never) => {
        if (position + length === data.length) {
          const flipped = Buffer.from(buffer.subarray(offset, offset + length))
          flipped[length - 1]! ^= 0x80
          return write(handle, flipped, 0, length, position, callback)
        }
        return write(handle, buffer, offset, length, position, callback)
      }) as SFTPWrapper['write']
      const local = path.join(sshd.root, `local-${++counter}.bin`)
      await writeFile(local, data)
      const temp = path.join(sshd.root, `.bent-${counter}.part`)
      const uploaded = await other.upload(local, temp)
      await uploaded.finish(null)
      const onServer = await readFile(temp)
      expect(onServer.equals(data)).toBe(false)
      expect({ sha256: uploaded.sha256, size: uploaded.size }).toEqual({ sha256: sha256(onServer), size: data.length })
    } finally {
      await other.close()
    }
  })
})

describe('SftpSession small files and links', () => {
  it('writes a file larger than one write request whole, and reads it back as text', async () => {
    const text = 'x'.repeat(300 * 1024) + 'the end'
    const file = path.join(sshd.root, `text-${++counter}.json`)
    await session.writeFile(file, Buffer.from(text))
    expect(await readFile(file, 'utf8')).toBe(text)
    expect(await session.readText(file)).toBe(text)
    expect(await session.readText(path.join(sshd.root, 'missing.json'))).toBeNull()
  })

  it('reads a link, and answers null for a plain file and for nothing', async () => {
    const target = path.join(sshd.root, `target-${++counter}.zip`)
    await writeFile(target, 'zip')
    const link = path.join(sshd.root, `link-${counter}.zip`)
    await symlink(path.basename(target), link)
    expect(await session.readlink(link)).toBe(path.basename(target))
    expect(await session.readlink(target)).toBeNull()
    expect(await session.readlink(path.join(sshd.root, 'no-link.zip'))).toBeNull()
  })

  it('lists a folder of many entries whole (several reads of the folder, two in flight)', async () => {
    const folder = path.join(sshd.root, `many-${++counter}`)
    await mkdir(folder)
    const names = Array.from({ length: 700 }, (_, i) => `file-${String(i).padStart(4, '0')}.txt`)
    await Promise.all(names.map((name) => writeFile(path.join(folder, name), name)))
    const listed = await session.list(folder)
    expect(listed.map((e) => e.name).sort()).toEqual(names)
    expect(listed.every((e) => e.stats.isFile() && e.stats.size === 13)).toBe(true)
    expect(await session.list(path.join(sshd.root, `empty-${counter}`)).catch((error: unknown) => error)).toMatchObject({
      kind: 'remote-not-found'
    })
    await mkdir(path.join(sshd.root, `empty-${counter}`))
    expect(await session.list(path.join(sshd.root, `empty-${counter}`))).toEqual([])
  })

  it('makes missing folders level by level', async () => {
    const deep = path.join(sshd.root, `a${++counter}`, 'b', 'c')
    await session.mkdirp(deep)
    await session.mkdirp(deep)
    expect(await readdir(path.dirname(deep))).toEqual(['c'])
  })
})
