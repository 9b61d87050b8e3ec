/**
 * "View details" on a real WordPress 6.1 for a plugin whose texts are hostile (test/wordpress/support/hostile-plugin.ts):
 * released by our API to a real sshd + nginx, installed on the site, and read back through plugins_api, the
 * plugin-information screen, the Updates screen and the Plugins screen. No tag, handler or script URL of its
 * header or readme gets through, neither from our manifest nor from a hostile manifest written by anything else.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARTWORK, HOSTILE_MARK, SAFE_NAME, writeHostilePluginSource } from './support/hostile-plugin.js'
import { phpString } from './support/php-literal.js'
import type { PluginReleases } from './support/releases.js'
import { PLUGIN_SLUG } from './support/releases.js'
import type { SiteScenario } from './support/scenario.js'
import { startSiteScenario } from './support/scenario.js'
import type { WordPressSite } from './support/wordpress-site.js'

/** What would run in a browser: a script element, an event handler attribute, a script URL. */
const EXECUTABLE = /<script[^>]*>[^<]*alert|\son[a-z]+\s*=|javascript:|vbscript:/i

let scenario: SiteScenario
let site: WordPressSite
let releases: PluginReleases

beforeAll(async () => {
  const started = Date.now()
  scenario = await startSiteScenario({
    name: 'details',
    writeSource: writeHostilePluginSource,
    firstRelease: { version: '1.0.0', changelog: `First <script>${HOSTILE_MARK}</script> release.`, status: 'released' }
  })
  ;({ site, releases } = scenario)
  await releases.release({
    version: '1.1.0',
    changelog: `SECURITY: <img src=x onerror=${HOSTILE_MARK}> fixed.\n* Sells more.`,
    status: 'released'
  })
  console.log(`site, update server and two hostile releases ready in ${Date.now() - started} ms`)
})

afterAll(() => scenario?.stop())

function php<T = unknown>(code: string): Promise<T> {
  return scenario.php<T>(code)
}

/** plugins_api's answer for the plugin, with a cold updater cache (or the error message). */
async function pluginsApi(): Promise<Record<string, unknown> | string> {
  return php(`
    wprm_test_forget_manifest();
    require_once ABSPATH . 'wp-admin/includes/plugin-install.php';
    $info = plugins_api('plugin_information', array('slug' => ${phpString(PLUGIN_SLUG)}));
    echo json_encode(is_wp_error($info) ? $info->get_error_message() : $info);
  `)
}

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings)
  return []
}

describe('"View details" of a plugin with hostile texts, on a real WordPress', () => {
  it('our manifest carries no tag, handler or script URL in any text', async () => {
    const manifest = (await releases.manifest()) as unknown as Record<string, unknown>
    for (const text of strings(manifest)) {
      expect(text).not.toMatch(EXECUTABLE)
      expect(text).not.toContain(HOSTILE_MARK)
    }
    // "Tested up to: 6.1 <b …>" is prose, not a version: refused, as wordpress.org refuses it.
    expect(manifest).toMatchObject({ name: SAFE_NAME, author: 'Evil Corp', homepage: null, tested: null })
    // readme.txt's upgrade notice for 1.1.0, as plain text.
    expect(manifest.upgrade_notice).toBe('Upgrade now.')
  })

  it('plugins_api answers with the plain name and sanitized sections; the plugin-information screen shows <h2>Shop Tools</h2>', async () => {
    const info = await pluginsApi()
    expect(typeof info).toBe('object')
    for (const text of strings(info)) expect(text).not.toMatch(EXECUTABLE)
    expect(info).toMatchObject({ name: SAFE_NAME, version: '1.1.0', author: 'Evil Corp', homepage: '' })
    // readme.txt's sections, in wordpress.org's order (WordPress shows the tabs in this order).
    const sections = (info as { sections: Record<string, string> }).sections
    expect(Object.keys(sections)).toEqual(['description', 'installation', 'faq', 'screenshots', 'changelog', 'upgrade_notice'])
    expect(sections.description).toContain(
      '<p>Sells <strong>things</strong>, see <a href="https://example.com/docs">the docs</a> and <a>more</a>.</p>'
    )
    expect(sections.installation).toMatch(/^<ol>\n<li>Upload the folder to <code>\/wp-content\/plugins\/<\/code>\.<\/li>/)
    expect(sections.changelog).toMatch(
      /^<h4>1\.1\.0<\/h4>\n<p>SECURITY: +fixed\.<\/p>\n<ul>\n<li>Sells more\.<\/li>\n<\/ul>\n<h4>1\.0\.0<\/h4>/
    )

    const screen = await site.getAsAdmin(`/wp-admin/plugin-install.php?tab=plugin-information&plugin=${PLUGIN_SLUG}&section=changelog`)
    expect(screen.status).toBe(200)
    expect(screen.body).toContain(`<h2>${SAFE_NAME}</h2>`)
    expect(screen.body).not.toContain(HOSTILE_MARK)
    expect(screen.body).toContain('Sells more.')
  })

  it('lists the artwork of .wordpress-org/ beside the ZIP (not in it); View details shows banners and icons, the Updates row the icon', async () => {
    const manifest = (await releases.manifest()) as unknown as {
      banners: Record<string, string>
      icons: Record<string, string>
      screenshots: { number: number; url: string }[]
      download_url: string
    }
    const base = `${path.dirname(releases.manifestUrl)}/assets/`
    const rev = /\?rev=[0-9a-f]{12}$/
    expect(Object.keys(manifest.banners)).toEqual(['low', 'high'])
    expect(Object.keys(manifest.icons)).toEqual(['1x', '2x', 'svg'])
    expect(manifest.banners.low).toMatch(new RegExp(`^${base}banner-772x250\\.png\\?rev=`))
    for (const [name, url] of [
      ['banner-772x250.png', manifest.banners.low],
      ['banner-1544x500.png', manifest.banners.high],
      ['icon-128x128.png', manifest.icons['1x']],
      ['icon-256x256.png', manifest.icons['2x']],
      ['icon.svg', manifest.icons.svg],
      ['screenshot-1.png', manifest.screenshots[0]!.url]
    ] as const) {
      expect(url, name).toMatch(rev)
      const image = await fetch(url!)
      expect(image.status, name).toBe(200)
      expect(Buffer.from(await image.arrayBuffer())).toEqual(ARTWORK[name])
    }
    const zip = await JSZip.loadAsync(await (await fetch(manifest.download_url)).arrayBuffer())
    expect(Object.keys(zip.files).filter((n) => n.includes('.wordpress-org') || /banner|icon-|screenshot-/.test(n))).toEqual([])

    const info = (await pluginsApi()) as {
      banners: Record<string, string>
      icons: Record<string, string>
      sections: Record<string, string>
    }
    expect(info.banners).toEqual(manifest.banners)
    expect(info.icons).toEqual(manifest.icons)
    expect(info.sections.screenshots).toBe(
      `<ol>\n<li><a href="${manifest.screenshots[0]!.url}"><img src="${manifest.screenshots[0]!.url}" alt="The shop screen." /></a><p>The shop screen.</p></li>\n</ol>`
    )
    const screen = await site.getAsAdmin(`/wp-admin/plugin-install.php?tab=plugin-information&plugin=${PLUGIN_SLUG}`)
    expect(screen.body).toContain(`background-image: url( ${manifest.banners.low} );`)
    expect(screen.body).toContain(`background-image: url( ${manifest.banners.high} );`)

    await php(`wprm_test_check_for_updates(); echo json_encode(true);`)
    const updates = await site.getAsAdmin('/wp-admin/update-core.php')
    expect(updates.body).toContain(`<img src="${manifest.icons.svg}" alt="" />`)
  })

  it('uploads an image again only when it changed: an unchanged one at the same revision is not sent again', async () => {
    const published = (await releases.manifest()) as unknown as { icons: Record<string, string> }
    const onServer = path.join(releases.remoteDir, 'assets', 'icon.svg')
    await rm(onServer)
    await releases.publish()
    // The live manifest listed icon.svg at this revision: it was taken to be there, and not sent.
    expect(await readFile(onServer).catch(() => null)).toBeNull()
    const changed = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>')
    await writeFile(path.join(releases.sourceDir, '.wordpress-org', 'icon.svg'), changed)
    await releases.publish()
    const now = (await releases.manifest()) as unknown as { icons: Record<string, string> }
    expect(now.icons.svg).not.toBe(published.icons.svg)
    expect(await readFile(onServer)).toEqual(changed)
    expect(Buffer.from(await (await fetch(now.icons.svg!)).arrayBuffer())).toEqual(changed)
  })

  it('the Updates and Plugins screens carry nothing executable of it', async () => {
    await php(`wprm_test_check_for_updates(); echo json_encode(true);`)
    for (const screen of ['/wp-admin/update-core.php', '/wp-admin/plugins.php']) {
      const page = await site.getAsAdmin(screen)
      expect(page.status).toBe(200)
      expect(page.body).toContain('1.1.0')
      // WordPress shows the installed plugin's own header too (kses'd by core): nothing of either may run.
      expect(
        page.body.match(/<script[^>]*>[^<]*alert\(document\.domain\)|on[a-z]+=["']?alert\(document\.domain\)|javascript:alert/gi)
      ).toBeNull()
    }
  })

  it('the updater makes a hostile manifest safe on its own: name, author, homepage, tested, upgrade notice and sections', async () => {
    const manifestPath = path.join(releases.remoteDir, 'info.json')
    const published = await readFile(manifestPath, 'utf8')
    const ours = JSON.parse(published) as Record<string, unknown>
    const hostile = {
      ...ours,
      name: `Shop <img src=x onerror=${HOSTILE_MARK}> Tools`,
      author: `<script>${HOSTILE_MARK}</script>Evil <b onmouseover=${HOSTILE_MARK}>Corp</b>`,
      homepage: `https://example.com/"><script>${HOSTILE_MARK}</script>`,
      tested: `6.1<script>${HOSTILE_MARK}</script>`,
      upgrade_notice: `Upgrade <script>${HOSTILE_MARK}</script>now`,
      sections: {
        description: `<p onclick="${HOSTILE_MARK}">Hi</p><script>${HOSTILE_MARK}</script><a href="javascript:${HOSTILE_MARK}">x</a><img src=x onerror=${HOSTILE_MARK}>`,
        changelog: `<h4>1.1.0</h4><iframe src="https://evil.example/"></iframe><svg onload=${HOSTILE_MARK}></svg><ul><li>Sells more.</li></ul>`
      }
    }
    await writeFile(manifestPath, JSON.stringify(hostile))
    try {
      const info = await pluginsApi()
      expect(typeof info).toBe('object')
      for (const text of strings(info)) {
        expect(text).not.toMatch(EXECUTABLE)
        expect(text).not.toMatch(/<(script|iframe|svg)/i)
        expect(text).not.toContain(HOSTILE_MARK)
      }
      expect(info).toMatchObject({
        name: SAFE_NAME,
        author: 'Evil Corp',
        tested: '6.1'
      })
      const sections = (info as { sections: Record<string, string> }).sections
      // wp_kses keeps an <img> (the screen allows it); its address was no http(s) one, so it has none.
      expect(sections.description).toBe('<p>Hi</p><a>x</a><img>')
      expect(sections.changelog).toBe('<h4>1.1.0</h4><ul><li>Sells more.</li></ul>')

      const offer = await php<{ response: Record<string, unknown> | null }>(`echo json_encode(wprm_test_check_for_updates());`)
      expect(offer.response).toMatchObject({ new_version: '1.1.0', upgrade_notice: 'Upgrade now', tested: '6.1' })
      for (const text of strings(offer.response)) expect(text).not.toMatch(EXECUTABLE)

      const screen = await site.getAsAdmin(`/wp-admin/plugin-install.php?tab=plugin-information&plugin=${PLUGIN_SLUG}`)
      expect(screen.body).toContain(`<h2>${SAFE_NAME}</h2>`)
      expect(screen.body).not.toContain(HOSTILE_MARK)
    } finally {
      await writeFile(manifestPath, published)
    }
  })

  it('a malformed manifest whose error would quote markup is reported escaped', async () => {
    const manifestPath = path.join(releases.remoteDir, 'info.json')
    const published = await readFile(manifestPath, 'utf8')
    await writeFile(manifestPath, JSON.stringify({ ...JSON.parse(published), versions: { [`<script>${HOSTILE_MARK}</script>`]: 1 } }))
    try {
      const error = await pluginsApi()
      expect(typeof error).toBe('string')
      expect(error).toContain('is not an object')
      expect(error).not.toMatch(/<script/i)
      const log = await site.debugLog()
      expect(log).not.toMatch(/PHP (Fatal|Parse) error/)
      expect(log).not.toContain('wprm-updater.php')
    } finally {
      await writeFile(manifestPath, published)
    }
  })
})
