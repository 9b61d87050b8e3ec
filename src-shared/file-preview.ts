import type { ExclusionRule, FilePreview, UnsafeFile } from './model.js'

/** Reading a file preview the same way in every face: the CLI's `wprm files` and the desktop's list. */

/** Where a left-out path's rule comes from, in words: "default list: node_modules/", ".distignore line 3: /src/". */
export function describeExclusion(rule: ExclusionRule): string {
  return rule.source === 'default' ? `default list: ${rule.pattern}` : `.distignore line ${rule.line}: ${rule.pattern}`
}

/** The findings that would stop a build of this preview's version: those it does not allow. */
export function blockingFindings(preview: FilePreview): UnsafeFile[] {
  return preview.unsafe.filter((finding) => !preview.allowed.includes(finding.path))
}

/** How many files were added, changed and removed since the release the preview compares with. */
export function changeCounts(preview: FilePreview): { readonly added: number; readonly changed: number; readonly removed: number } {
  return {
    added: preview.files.filter((f) => f.change === 'added').length,
    changed: preview.files.filter((f) => f.change === 'changed').length,
    removed: preview.removed.length
  }
}
