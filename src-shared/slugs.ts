/** Rules about plugin slugs that more than one face needs. */

/** Folder names that name a layout, not a plugin: a source kept in `…/my-plugin/src` is not "src". */
const LAYOUT_FOLDER_NAMES: ReadonlySet<string> = new Set(['src', 'trunk', 'build', 'dist', 'plugin'])

/** True for a folder whose name is a layout's (src, trunk, build, dist, plugin), not the plugin's: its slug comes from elsewhere. */
export function isLayoutFolderName(name: string): boolean {
  return LAYOUT_FOLDER_NAMES.has(name.toLowerCase())
}

/** Main file names that say nothing of the plugin either. */
export function isLayoutFileStem(stem: string): boolean {
  return LAYOUT_FOLDER_NAMES.has(stem) || ['index', 'main', 'init', 'load'].includes(stem)
}
