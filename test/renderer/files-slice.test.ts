import { describe, expect, it } from 'vitest'
import type { FilePreview } from '../../src-preload/api'
import { previewKey } from '../../src-renderer/src/store/files-slice'
import { fail, fakeApi, ok, storeWith } from './fake-api'

const preview = (version: string): FilePreview => ({
  slug: 'hello',
  version,
  from: 'source',
  files: [{ path: 'hello.php', size: 10, change: 'changed' }],
  total_size: 10,
  excluded: [],
  unsafe: [],
  allowed: [],
  has_distignore: true,
  suggested_distignore: null,
  compared_with: '1.0.0',
  removed: [],
  warnings: []
})

describe('the files slice', () => {
  it('keeps one preview per slug and version, and an error where the preview would be', async () => {
    const fake = fakeApi({
      previewFiles: ({ version }) => (version === '9.9.9' ? fail('source-invalid', 'The main file is missing.') : ok(preview(version!)))
    })
    const store = storeWith(fake)
    await store.getState().loadFilePreview('hello', '1.1.0')
    await store.getState().loadFilePreview('hello', '9.9.9')
    const state = store.getState()
    expect(state.filePreviews[previewKey('hello', '1.1.0')]?.version).toBe('1.1.0')
    expect(state.filePreviewOps[previewKey('hello', '1.1.0')]).toEqual({ busy: false, error: null })
    expect(state.filePreviews[previewKey('hello', '9.9.9')]).toBeUndefined()
    expect(state.filePreviewOps[previewKey('hello', '9.9.9')]?.error?.message).toBe('The main file is missing.')
    expect(fake.calls).toEqual([
      ['previewFiles', { slug: 'hello', version: '1.1.0' }],
      ['previewFiles', { slug: 'hello', version: '9.9.9' }]
    ])
  })
})
