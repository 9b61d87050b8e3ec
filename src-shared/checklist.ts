/**
 * The release checklist, as every face knows it: which checks there are, in which order, and what each
 * is about. The verifier runs one function per entry and numbers its checks from here, so the count a
 * face shows ("3 of 11") and the checks that run cannot drift apart.
 */

/** One check of the release checklist (README: Verification). */
export interface ChecklistDefinition {
  /** 1-based, in running order; a `VerifyCheck` carries the same id. */
  readonly id: number
  /** A stable name the verifier keys its check function to. */
  readonly key: string
  /** The check in general; a report's title names the actual version and link. */
  readonly title: string
  /** What the check looks at and why it matters. */
  readonly about: string
}

/** The checks, in running order. */
export const CHECKLIST = [
  {
    id: 1,
    key: 'zip-present',
    title: "The version's ZIP exists locally and on the server, with the recorded size",
    about: 'The released file is still in the dist folder and on the server, and neither was truncated or replaced by one of another size.'
  },
  {
    id: 2,
    key: 'latest-link',
    title: 'The -latest.zip link points to the newest live version, locally and on the server',
    about: 'Links shared by hand lead to the version sites are offered, and the file they name exists.'
  },
  {
    id: 3,
    key: 'download',
    title: 'The download URL answers 200 with the recorded size and SHA-256',
    about: 'What sites download over HTTP is byte for byte what was released.'
  },
  {
    id: 4,
    key: 'manifest-latest',
    title: 'The manifest names the expected latest version, its download URL and checksum; the updater accepts it',
    about:
      'The manifest sites read over HTTP offers the newest live version with the checksum they verify, and our updater accepts it (the manifest schema, the 2 MiB cap).'
  },
  {
    id: 5,
    key: 'manifest-name',
    title: "The manifest's name is the plugin's name",
    about: 'Sites show the update under the right plugin name.'
  },
  {
    id: 6,
    key: 'zip-version',
    title: "Inside the ZIP, the main file's Version header and constant say the version",
    about:
      'WordPress reads the installed version from the header: a mismatch offers the same update forever. The top folder must be the slug.'
  },
  {
    id: 7,
    key: 'main-file-strings',
    title: "Expected strings are in the ZIP's text files, forbidden ones are not",
    about:
      'The build carries the production settings (for example the live API host) and none of the staging ones, in any of its text files; the check says where each was found and how many files it searched.'
  },
  {
    id: 8,
    key: 'signature',
    title: "The manifest's signature is valid with the plugin's key",
    about:
      "Sites that carry the key install only what it signed: the signature file beside info.json (named after its SHA-256) must be a valid Ed25519 signature of its exact bytes by the plugin's key. Passes with a note for a plugin that is not signed."
  },
  {
    id: 9,
    key: 'expiry',
    title: 'The manifest does not expire within 7 days',
    about:
      'Sites refuse a signed manifest once it has expired (a frozen server): publish again (`wprm publish <slug> --refresh`) before it does. Passes with a note for a plugin that is not signed.'
  },
  {
    id: 10,
    key: 'record',
    title: 'The database record is complete and consistent',
    about: 'Status, path, size, checksums and release date are recorded, and the local ZIP still matches its checksums.'
  },
  {
    id: 11,
    key: 'rollout',
    title: "The manifest lists the version's channel, stepping stone and rollout as recorded",
    about:
      'Sites work out from these fields who is offered the version: a pre-release only on the beta channel, a stepping stone before anything newer, a rollout to the share of sites and at the times recorded (halted or not).'
  }
] as const satisfies readonly ChecklistDefinition[]

/** The name of one check of the checklist. */
export type ChecklistKey = (typeof CHECKLIST)[number]['key']

/** How many checks the checklist has, so a face can show "3 of 11". */
export const CHECKLIST_LENGTH: number = CHECKLIST.length

/** True for the id of the checklist's last check: the verification has finished once it is reported. */
export function isLastCheck(id: number): boolean {
  return id === CHECKLIST.at(-1)?.id
}
