import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PLUGIN_SLUG, UPDATER_PATH } from './releases.js'

/**
 * A plugin whose every text that reaches wp-admin is hostile: the header's name, author and URI, and the
 * readme's sections. Released by our own API, it proves that no tag or handler survives into
 * `plugins_api` or onto the site's screens.
 */

/** What a script that got through would do: each one calls this, so a page that contains it ran none. */
export const HOSTILE_MARK = 'alert(document.domain)'

/** The name as a site should show it: the `<img>` stripped, nothing escaped away that was text. */
export const SAFE_NAME = 'Shop Tools'

export function hostileMainFile(manifestUrl: string): string {
  return `<?php
/**
 * Plugin Name: Shop <img src=x onerror=${HOSTILE_MARK}> Tools
 * Plugin URI: javascript:${HOSTILE_MARK}
 * Description: A <script>${HOSTILE_MARK}</script>shop.
 * Author: <script>${HOSTILE_MARK}</script>Evil <b onmouseover=${HOSTILE_MARK}>Corp</b>
 * Version: 1.0.0
 * Requires at least: 6.0
 * Requires PHP: 7.4
 * Update URI: ${manifestUrl}
 */

define('HELLO_WPRM_VERSION', '1.0.0');

require_once __DIR__ . '/wprm-updater.php'; WPRM_Updater_1_0::register( __FILE__, '${manifestUrl}' );
`
}

/** A readme.txt in wordpress.org's format whose sections carry scripts, handlers and script URLs. */
export function hostileReadme(): string {
  return `=== Shop <img src=x onerror=${HOSTILE_MARK}> Tools ===
Contributors: wprm
Tags: shop, test
Requires at least: 6.0
Tested up to: 6.1 <b onmouseover=${HOSTILE_MARK}>x</b>
Requires PHP: 7.4
Stable tag: 1.0.0
License: GPLv2 or later

A shop that tries <script>${HOSTILE_MARK}</script> everything.

== Description ==

Sells **things**, see [the docs](https://example.com/docs) and [more](javascript:${HOSTILE_MARK}).

<p onclick="${HOSTILE_MARK}">Click</p> <iframe src="https://evil.example/"></iframe>
<img src="x" onerror="${HOSTILE_MARK}">

== Installation ==

1. Upload the folder to \`/wp-content/plugins/\`.
2. Activate it <a href="javascript:${HOSTILE_MARK}">here</a>.

== Frequently Asked Questions ==

= Is it <script>${HOSTILE_MARK}</script> safe? =

Yes <svg onload=${HOSTILE_MARK}>.

== Screenshots ==

1. The <b onmouseover=${HOSTILE_MARK}>shop</b> screen.

== Changelog ==

= 1.1.0 =
* Sells more <script>${HOSTILE_MARK}</script>.
* Fixed [a link](javascript:${HOSTILE_MARK}).

= 1.0.0 =
* First release.

== Upgrade Notice ==

= 1.1.0 =
Upgrade <script>${HOSTILE_MARK}</script> now.
`
}

/** A 1×1 PNG: WordPress shows artwork by URL, so any real image will do. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg+M/wHwAEBgIApD5fRAAAAABJRU5ErkJggg==', 'base64')

/** wordpress.org artwork as plugin repositories keep it, in `.wordpress-org/`. */
export const ARTWORK: Readonly<Record<string, Buffer>> = {
  'banner-772x250.png': PNG,
  'banner-1544x500.png': Buffer.concat([PNG, Buffer.from('2x')]),
  'icon-128x128.png': Buffer.concat([PNG, Buffer.from('1x')]),
  'icon-256x256.png': Buffer.concat([PNG, Buffer.from('2x icon')]),
  'icon.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128"/></svg>'),
  'screenshot-1.png': Buffer.concat([PNG, Buffer.from('shot')])
}

/** Writes the hostile plugin's source folder: its main file, readme.txt, artwork and a copy of the updater. */
export async function writeHostilePluginSource(dir: string, manifestUrl: string): Promise<void> {
  await mkdir(path.join(dir, '.wordpress-org'), { recursive: true })
  await writeFile(path.join(dir, `${PLUGIN_SLUG}.php`), hostileMainFile(manifestUrl))
  await writeFile(path.join(dir, 'readme.txt'), hostileReadme())
  for (const [name, bytes] of Object.entries(ARTWORK)) await writeFile(path.join(dir, '.wordpress-org', name), bytes)
  await copyFile(UPDATER_PATH, path.join(dir, 'wprm-updater.php'))
}
