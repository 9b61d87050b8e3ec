import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../src-preload/api.js'
import type { ArtworkFile } from '../../src-main/core/remote/artwork.js'
import { artworkOfManifest, findArtwork, manifestArtwork } from '../../src-main/core/remote/artwork.js'
import { planPublish } from '../../src-main/core/remote/publish-plan.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

const server = {
  kind: 'sftp',
  name: 'prod',
  remote_root: '/srv/plugins',
  public_url: 'https://updates.example.com/plugins/'
} as ServerProfile

describe('findArtwork', () => {
  it("takes wordpress.org's names from .wordpress-org/, then wporg-assets/, then assets/; a PNG over a JPEG; nothing else", async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      '.wordpress-org/banner-772x250.png': 'low',
      'assets/banner-772x250.png': 'ignored: .wordpress-org/ has one',
      'wporg-assets/banner-1544x500.jpg': 'high',
      'assets/icon-128x128.jpg': 'jpeg',
      'assets/icon-128x128.png': 'png',
      'assets/icon.svg': '<svg/>',
      'assets/screenshot-2.png': 's2',
      'assets/screenshot-1.jpg': 's1',
      'assets/screenshot-x.png': 'not a number',
      'assets/logo.png': 'runtime image',
      'assets/icon-256x256.png': ''
    })
    const files = await findArtwork(dir)
    expect(files!.map((f) => `${f.role}${f.number ?? ''} ${path.relative(dir, f.localPath)} ${f.size}`)).toEqual([
      'banner-high wporg-assets/banner-1544x500.jpg 4',
      'banner-low .wordpress-org/banner-772x250.png 3',
      'icon-1x assets/icon-128x128.png 3',
      'icon-svg assets/icon.svg 6',
      'screenshot1 assets/screenshot-1.jpg 2',
      'screenshot2 assets/screenshot-2.png 2'
    ])
    expect(await findArtwork(path.join(temp.dir, 'gone'))).toBeNull()
    expect(await findArtwork(await writePluginFolder(path.join(temp.dir, 'bare')))).toEqual([])
  })

  it("lists them in plugin-update-checker's fields with a revision, and reads a published manifest's defensively", async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'my plugin'), { 'assets/icon.svg': '<svg/>', 'assets/screenshot-1.png': 'x' })
    const artwork = manifestArtwork(server, 'my plugin', (await findArtwork(dir))!)
    expect(artwork).toEqual({
      banners: {},
      icons: { svg: expect.stringMatching(/^https:\/\/updates\.example\.com\/plugins\/my%20plugin\/assets\/icon\.svg\?rev=[0-9a-f]{12}$/) },
      screenshots: [{ number: 1, url: expect.stringMatching(/\/assets\/screenshot-1\.png\?rev=/) }]
    })
    expect(artworkOfManifest({ ...artwork, banners: 'x', icons: { svg: 5, '1x': 'u' }, screenshots: [{ number: 1 }] })).toEqual({
      banners: {},
      icons: { '1x': 'u' },
      screenshots: []
    })
  })
})

describe('planPublish with artwork', () => {
  const plugin = { slug: 'hello', name: 'Hello', manifest_version: 0, main_file: 'hello.php' } as PluginRecord
  const live = {
    plugin: 'hello',
    version: '1.0.0',
    status: 'released',
    changelog: 'x',
    file_path: '/dist/hello-v1.0.0.zip',
    file_size: 10,
    checksum: 'a'.repeat(64),
    checksum_md5: 'b'.repeat(32),
    revoked_at: null,
    force_update: false
  } as PluginVersionRecord
  const image = (name: string, role: ArtworkFile['role'], sha: string): ArtworkFile => ({
    role,
    number: null,
    name,
    localPath: `/src/assets/${name}`,
    size: 5,
    sha256: sha.repeat(64)
  })
  const plan = (local: readonly ArtworkFile[] | null, published: readonly ArtworkFile[]) =>
    planPublish({
      plugin,
      versions: [live],
      server,
      remote: { manifestVersion: 1, zips: new Map(), artwork: manifestArtwork(server, 'hello', published) },
      local: { zipsHere: new Set(['1.0.0']), latestZip: { mainFile: null, readme: null }, artwork: local },
      now: new Date(0),
      by: { user: 'test', host: 'test', workstation: 'test' }
    })

  it('uploads what the live manifest does not list at that revision, and lists all of it', () => {
    const icon = image('icon.svg', 'icon-svg', 'c')
    const banner = image('banner-772x250.png', 'banner-low', 'd')
    const result = plan([icon, banner], [icon, image('banner-772x250.png', 'banner-low', 'e')])
    expect(result.artwork.map((a) => [a.remoteName, a.action])).toEqual([
      ['assets/icon.svg', 'skip'],
      ['assets/banner-772x250.png', 'upload']
    ])
    expect(result.manifest.banners.low).toBe('https://updates.example.com/plugins/hello/assets/banner-772x250.png?rev=dddddddddddd')
    expect(result.manifest.icons.svg).toMatch(/\?rev=cccccccccccc$/)
  })

  it('keeps the published artwork when the source folder is not here', () => {
    const icon = image('icon.svg', 'icon-svg', 'c')
    const result = plan(null, [icon])
    expect(result.artwork).toEqual([])
    expect(result.manifest.icons).toEqual({ svg: 'https://updates.example.com/plugins/hello/assets/icon.svg?rev=cccccccccccc' })
  })
})
