import { describe, expect, it } from 'vitest'
import { buildJob, publishJob, pruneJob, releaseJob, rollbackJob, verifyJob } from '../../src-shared/jobs.js'

describe('jobs as data', () => {
  it('carry the plugin, the kind and the versions, so faces never parse an id', () => {
    expect(releaseJob('hello', ['1.2.0', '1.3.0'])).toEqual({
      id: 'hello@1.2.0,1.3.0',
      slug: 'hello',
      kind: 'release',
      versions: ['1.2.0', '1.3.0']
    })
    expect(verifyJob('hello', '1.2.0')).toEqual({ id: 'hello@verify-1.2.0', slug: 'hello', kind: 'verify', versions: ['1.2.0'] })
  })

  it('keep the ids that the server lock notes of other workstations show', () => {
    expect([buildJob('a', '1.0.0'), publishJob('a'), pruneJob('a'), rollbackJob('a', '0.9.0')].map((job) => job.id)).toEqual([
      'a@1.0.0',
      'a@publish',
      'a@prune',
      'a@rollback-0.9.0'
    ])
  })
})
