/** What a plugin's source needs so that sites can update it: our PHP updater, registered. */

/** The file name of the updater, in our resources and in a plugin's source. */
export const UPDATER_FILE = 'wprm-updater.php'

/** The build's warning for a plugin that sites could not update: no updater, or never registered. */
export function updaterWarning(slug: string, hasUpdaterFile: boolean, mainText: string): string | null {
  if (hasUpdaterFile && /WPRM_Updater_\w+::register\s*\(/.test(mainText)) return null
  return hasUpdaterFile
    ? `The plugin carries ${UPDATER_FILE} but its main file never registers it: sites will not see updates. Install the updater again (on the plugin's page, or \`wprm updater install ${slug}\`) for the line to add.`
    : `The plugin does not carry the WP Release Manager updater: sites will not see updates from your server. Install it (on the plugin's page, or \`wprm updater install ${slug}\`).`
}
