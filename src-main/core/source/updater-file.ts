import { WprmError } from '../errors.js'

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

/**
 * A signed plugin whose main file does not pass its public key to the updater's register() call: sites would
 * install a build that trusts no key (or another one) and refuse every signed manifest after it. Null when the
 * key is there.
 */
export function unregisteredKeyProblem(slug: string, mainFile: string, mainText: string, publicKey: string): WprmError | null {
  const registration = /WPRM_Updater_\w+::register\s*\(([\s\S]*?)\)\s*;/.exec(mainText)
  if (registration !== null && registration[1]!.includes(publicKey)) return null
  return new WprmError(
    'source-invalid',
    `${slug} is signed, but ${mainFile} ${registration === null ? 'never registers the updater' : "registers the updater without the plugin's public key"}: sites running this build could not verify its updates. Nothing was built.`,
    `Run \`wprm updater install ${slug}\` and put the line it prints (with the key) into ${mainFile}.`
  )
}
