/** The names of the files a build writes: the same in the dist folder and on the server. */

/** The file name of a version's ZIP. */
export function zipFileName(slug: string, version: string): string {
  return `${slug}-v${version}.zip`
}

/** The file name of the link to the newest live version. */
export function latestLinkName(slug: string): string {
  return `${slug}-latest.zip`
}
