import type { FilePreview } from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** The key of one version's preview: `<slug>@<version>`. */
export function previewKey(slug: string, version: string): string {
  return `${slug}@${version}`
}

/** What a version's ZIP would hold, for the New-version form and the release confirmation. */
export interface FilesSlice {
  readonly filePreviews: Readonly<Record<string, FilePreview>>
  readonly filePreviewOps: Readonly<Record<string, Op>>
  /** Asks the core what the ZIP of `version` would hold now (nothing is written). */
  loadFilePreview(slug: string, version: string): Promise<void>
}

/** The files slice: previews by slug and version; a newer answer replaces an older one. */
export const createFilesSlice: SliceCreator<FilesSlice> =
  ({ api }) =>
  (set) => ({
    filePreviews: {},
    filePreviewOps: {},
    loadFilePreview: async (slug, version) => {
      const key = previewKey(slug, version)
      set((s) => ({ filePreviewOps: withKey(s.filePreviewOps, key, BUSY) }))
      const result = await settle(() => api.previewFiles({ slug, version }))
      set((s) =>
        result.ok
          ? { filePreviews: withKey(s.filePreviews, key, result.value), filePreviewOps: withKey(s.filePreviewOps, key, IDLE) }
          : { filePreviewOps: withKey(s.filePreviewOps, key, failed(result.error)) }
      )
    }
  })
