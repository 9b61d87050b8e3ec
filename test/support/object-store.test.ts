import { existsSync, readFileSync } from 'node:fs'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startObjectStore } from './object-store.js'
import type { ObjectStoreServer } from './object-store.js'

/** Whether a process is still there (and not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
}

describe('the Ceph object store of the tests', () => {
  let store: ObjectStoreServer | undefined
  let startMs = 0

  beforeAll(async () => {
    const started = performance.now()
    store = await startObjectStore({ bucket: 'harness-test' })
    startMs = performance.now() - started
  })
  afterAll(async () => {
    await store?.stop()
  })

  it('serves S3 on 127.0.0.1 for its user and bucket, and anonymous reads only once they are allowed', async () => {
    const s = store as ObjectStoreServer
    expect(s.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const s3 = s.client()
    try {
      await s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'a/hello.txt', Body: Buffer.from('hello'), ContentType: 'text/plain' }))
      const read = await s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: 'a/hello.txt' }))
      expect(await read.Body?.transformToString()).toBe('hello')
    } finally {
      s3.destroy()
    }
    const url = `${s.endpoint}/${s.bucket}/a/hello.txt`
    expect((await fetch(url)).status).toBe(403)
    await s.allowPublicRead()
    const anonymous = await fetch(url)
    expect(anonymous.status).toBe(200)
    expect(await anonymous.text()).toBe('hello')
    // For the record (not a goal: speed lives in the benchmark).
    console.log(`object store: started in ${Math.round(startMs)} ms, ${Math.round((await s.rssBytes()) / 2 ** 20)} MiB resident`)
  })

  it('stops its three daemons by pid and leaves no folder behind', async () => {
    const s = store as ObjectStoreServer
    const { mon, osd, rgw } = s.pids
    for (const pid of [mon, osd, rgw]) expect(alive(pid)).toBe(true)
    await s.stop()
    for (const pid of [mon, osd, rgw]) expect(alive(pid)).toBe(false)
    expect((await fetch(s.endpoint).catch(() => null))?.status).toBeUndefined()
    expect(existsSync(s.dir)).toBe(false)
    store = undefined
  })
})
