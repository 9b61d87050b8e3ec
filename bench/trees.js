// Deterministic source trees for the benchmark.
//
// Every byte comes from a seeded PRNG, so two machines (or two runs) benchmark exactly the same
// files. Text is assembled from a vocabulary of PHP/JS/CSS tokens with per-file identifier pools:
// it repeats the way real code does, so deflate finds about the same ratio as on WordPress core
// (~4x), instead of the ~1.3x of random text or the ~100x of a repeated line. Images are random
// bytes behind a PNG signature: they do not compress, like real PNG/JPEG/WOFF2 files.
//
// The trees are kept outside the repository (see run.js): eslint would otherwise lint them.
//
// No name used here is dropped by the builder's default excludes (tests/, .git, *.bak, ...), so
// Info-ZIP and our builder archive the very same files.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'

/** Bump when the generator changes: trees with an older marker are regenerated. */
const GENERATOR_VERSION = 4

/** The trees the benchmark builds. `plugin` says how our side builds it (buildVersionZip or writeZip). */
export const GENERATED_TREES = [
  {
    slug: 'bench-plugin',
    label: 'plugin (150 files, 1.5 MB)',
    seed: 0x5eed0001,
    files: 150,
    textBytes: 1_200_000,
    imageBytes: 300_000,
    image: { min: 20_000, max: 100_000 },
    maxDepth: 3,
    dirs: 12,
    plugin: { name: 'Bench Plugin', mainFile: 'bench-plugin.php', constant: 'BENCH_PLUGIN_VERSION' }
  },
  {
    slug: 'bench-large',
    label: 'large (3,000 files, 90 MB)',
    seed: 0x5eed0002,
    files: 3000,
    textBytes: 60_000_000,
    imageBytes: 30_000_000,
    image: { min: 20_000, max: 1_000_000 },
    maxDepth: 4,
    dirs: 160,
    plugin: { name: 'Bench Large', mainFile: 'bench-large.php', constant: 'BENCH_LARGE_VERSION' }
  },
  // Released whole against a far server (bench/far.js), not zipped on their own rows.
  {
    slug: 'bench-tiny',
    label: 'tiny plugin (a ZIP of about 100 KB)',
    releaseOnly: true,
    seed: 0x5eed0003,
    files: 24,
    textBytes: 260_000,
    imageBytes: 30_000,
    image: { min: 10_000, max: 16_000 },
    maxDepth: 2,
    dirs: 4,
    plugin: { name: 'Bench Tiny', mainFile: 'bench-tiny.php', constant: 'BENCH_TINY_VERSION' }
  },
  {
    slug: 'bench-media',
    label: 'media plugin (a ZIP of about 20 MB)',
    releaseOnly: true,
    seed: 0x5eed0004,
    files: 260,
    textBytes: 6_000_000,
    imageBytes: 18_500_000,
    image: { min: 100_000, max: 1_500_000 },
    maxDepth: 3,
    dirs: 20,
    plugin: { name: 'Bench Media', mainFile: 'bench-media.php', constant: 'BENCH_MEDIA_VERSION' }
  }
]

export const WORDPRESS_SOURCE = '/usr/share/wordpress'

/** sfc32: small, fast, and good enough that deflate cannot find patterns in its output. */
export function createRandom(seed) {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    const t = (a + b + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 16; i++) next() // let the seed spread through the state
  const random = {
    u32: next,
    float: () => next() / 4294967296,
    int: (min, max) => min + Math.floor(random.float() * (max - min + 1)),
    pick: (list) => list[Math.floor(random.float() * list.length)],
    // Squaring skews toward the start of the list: a few tokens are frequent, most are rare (as in code).
    skewed: (list) => list[Math.floor(random.float() ** 2 * list.length)],
    logUniform: (min, max) => Math.round(Math.exp(Math.log(min) + random.float() * (Math.log(max) - Math.log(min))))
  }
  return random
}

const WORDS = (
  'post user meta option query cache term taxonomy comment site network plugin theme widget menu admin ' +
  'screen field value key data request response setting filter action hook callback args defaults item ' +
  'items list table row column image media attachment size width height url path file dir name title ' +
  'content excerpt status type id parent child order limit offset page count total error message notice ' +
  'nonce capability role block editor style script handle version locale text domain format date time ' +
  'author link template sidebar nav header footer search result node element event target state props ' +
  'config options context index length start end current default global local remote upload download ' +
  'export import update delete create insert get set add remove register enqueue render sanitize escape ' +
  'validate prepare parse build load save fetch process check is has can should revision draft publish ' +
  'schedule cron transient session cookie login password email mail feed rss xml json rest route endpoint ' +
  'controller schema property permission access token signature hash salt random number string array object ' +
  'boolean integer float null empty filtered raw html attr class selector rule font color border margin ' +
  'padding display position layout grid flex wrapper container panel modal dialog button input form label'
).split(' ')

const SENTENCE_WORDS = [
  ...WORDS,
  ...'the a an of to for with this that when if returns optional required is are be by on in from or and not it its which may will'.split(
    ' '
  )
]

const PHP_TYPES = ['string', 'int', 'bool', 'array', 'object', 'mixed', 'WP_Post', 'WP_Error', 'WP_Query', 'null', 'callable']
const CSS_PROPS = [
  'display',
  'margin',
  'padding',
  'color',
  'background',
  'border',
  'font-size',
  'line-height',
  'width',
  'height',
  'position',
  'top',
  'left',
  'z-index',
  'overflow',
  'text-align',
  'box-shadow',
  'transition'
]
const CSS_VALUES = [
  '0',
  'auto',
  'none',
  'block',
  'inline-block',
  'flex',
  'relative',
  'absolute',
  'hidden',
  'center',
  'inherit',
  '1px solid #dcdcde',
  '#2271b1',
  '#fff',
  '#1d2327',
  '100%',
  'transparent'
]

/** Identifiers as they look in WordPress: snake_case functions, camelCase JS, a prefix per file. */
function identifier(random, style) {
  const parts = []
  for (let i = random.int(1, 3); i > 0; i--) parts.push(random.skewed(WORDS))
  if (style === 'camel') return parts.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join('')
  return parts.join('_')
}

function sentence(random, min, max) {
  const words = []
  for (let i = random.int(min, max); i > 0; i--) words.push(random.skewed(SENTENCE_WORDS))
  const text = words.join(' ')
  return text[0].toUpperCase() + text.slice(1) + '.'
}

/** A few dozen names per file, reused with a skew: real files talk about a handful of things. */
function filePool(random, style, size) {
  const pool = []
  for (let i = 0; i < size; i++) pool.push(identifier(random, style))
  return pool
}

function phpLine(random, pool, fns, depth) {
  const v = () => random.skewed(pool)
  const f = () => random.skewed(fns)
  switch (random.int(0, 13)) {
    case 0:
      return { line: `if ( ! empty( $${v()} ) ) {`, depth: 1 }
    case 1:
      return { line: `foreach ( $${v()} as $${v()} => $${v()} ) {`, depth: 1 }
    case 2:
      return depth > 0 ? { line: '}', depth: -1 } : { line: `$${v()} = array();`, depth: 0 }
    case 3:
      return { line: `return $${v()};`, depth: 0 }
    case 4:
      return { line: `// ${sentence(random, 4, 12)}`, depth: 0 }
    case 5:
      return { line: `$${v()}['${random.skewed(WORDS)}'] = ${random.int(0, 100)};`, depth: 0 }
    case 6:
      return { line: `$this->${v()} = $${v()};`, depth: 0 }
    case 7:
      return { line: `echo esc_html( $${v()} );`, depth: 0 }
    case 8:
      return { line: `} elseif ( '${random.skewed(WORDS)}' === $${v()} ) {`, depth: 0 }
    case 9:
      return {
        line: `/**\n * ${sentence(random, 6, 16)}\n *\n * @param ${random.pick(PHP_TYPES)} $${v()} ${sentence(random, 3, 8)}\n * @return ${random.pick(PHP_TYPES)}\n */\nfunction ${f()}( $${v()}, $${v()} = null ) {`,
        depth: 1
      }
    default:
      return { line: `$${v()} = ${f()}( $${v()}, '${random.skewed(WORDS)}' );`, depth: 0 }
  }
}

function jsLine(random, pool, fns, depth) {
  const v = () => random.skewed(pool)
  const f = () => random.skewed(fns)
  switch (random.int(0, 11)) {
    case 0:
      return { line: `if ( ${v()} && ${v()}.${v()} ) {`, depth: 1 }
    case 1:
      return { line: `${v()}.forEach( ( ${v()} ) => {`, depth: 1 }
    case 2:
      return depth > 0 ? { line: '}', depth: -1 } : { line: `let ${v()} = [];`, depth: 0 }
    case 3:
      return { line: `return ${v()};`, depth: 0 }
    case 4:
      return { line: `// ${sentence(random, 4, 12)}`, depth: 0 }
    case 5:
      return { line: `${v()}.${v()} = ${random.int(0, 1000)};`, depth: 0 }
    case 6:
      return { line: `function ${f()}( ${v()}, ${v()} ) {`, depth: 1 }
    case 7:
      return { line: `${v()}.addEventListener( '${random.skewed(WORDS)}', ${f()} );`, depth: 0 }
    default:
      return { line: `const ${v()} = ${f()}( ${v()}, '${random.skewed(WORDS)}' );`, depth: 0 }
  }
}

/** Half keywords, half numbers and colours: real style sheets are full of one-off values. */
function cssValue(random) {
  switch (random.int(0, 3)) {
    case 0:
      return `${random.int(0, 48)}px`
    case 1:
      return `#${random.u32().toString(16).padStart(8, '0').slice(0, 6)}`
    default:
      return random.skewed(CSS_VALUES)
  }
}

function cssBlock(random, pool) {
  const lines = [`.${random.skewed(pool).replace(/_/g, '-')} .${random.skewed(pool).replace(/_/g, '-')} {`]
  for (let i = random.int(1, 6); i > 0; i--) lines.push(`\t${random.skewed(CSS_PROPS)}: ${cssValue(random)};`)
  lines.push('}', '')
  return lines.join('\n')
}

/** Text of about `size` bytes (ASCII, so chars are bytes) in the language of `ext`. */
function codeText(random, ext, size, globalFns) {
  const pool = filePool(random, ext === 'js' ? 'camel' : 'snake', random.int(40, 90))
  // Functions come from a shared API (as wp_* functions do) plus some of the file's own.
  const fns = [
    ...filePool(random, ext === 'js' ? 'camel' : 'snake', 10),
    ...globalFns.slice(random.int(0, globalFns.length - 40)).slice(0, 40)
  ]
  const chunks = [
    ext === 'php'
      ? `<?php\n/**\n * ${sentence(random, 5, 12)}\n *\n * @package ${random.pick(pool)}\n */\n\n`
      : `/**\n * ${sentence(random, 5, 12)}\n */\n\n`
  ]
  let length = chunks[0].length
  let depth = 0
  while (length < size) {
    let text
    if (ext === 'css') {
      text = cssBlock(random, pool)
    } else {
      const next = ext === 'php' ? phpLine(random, pool, fns, depth) : jsLine(random, pool, fns, depth)
      if (next.depth < 0) depth--
      text =
        next.line
          .split('\n')
          .map((l) => '\t'.repeat(depth) + l)
          .join('\n') + '\n'
      if (next.depth > 0 && depth < 6) depth++
    }
    chunks.push(text)
    length += text.length
  }
  return chunks.join('').slice(0, size)
}

/** Incompressible bytes with a PNG signature in front. */
function imageBytes(random, size) {
  const data = Buffer.allocUnsafe(size + 3)
  for (let i = 0; i < size; i += 4) data.writeUInt32LE(random.u32(), i)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(data, 0)
  return data.subarray(0, size)
}

/** A folder tree like a plugin's or WordPress's: each folder hangs under a random earlier one. */
function folderTree(random, count, maxDepth) {
  const dirs = [{ rel: '', depth: 0 }]
  const taken = new Set([''])
  while (dirs.length < count + 1) {
    const parent = random.pick(dirs)
    if (parent.depth >= maxDepth) continue
    const name = random.skewed(WORDS) + (random.float() < 0.3 ? `-${random.skewed(WORDS)}` : '')
    const rel = parent.rel === '' ? name : `${parent.rel}/${name}`
    if (taken.has(rel)) continue
    taken.add(rel)
    dirs.push({ rel, depth: parent.depth + 1 })
  }
  return dirs.map((d) => d.rel)
}

/** File sizes drawn log-uniformly, then scaled so the total is the budget. */
function textSizes(random, count, budget) {
  const raw = Array.from({ length: count }, () => random.logUniform(300, 200_000))
  const scale = budget / raw.reduce((a, b) => a + b, 0)
  return raw.map((s) => Math.max(64, Math.round(s * scale)))
}

function imageSizes(random, budget, { min, max }) {
  const sizes = []
  let left = budget
  while (left >= min) {
    const size = Math.min(left, random.logUniform(min, max))
    sizes.push(size)
    left -= size
  }
  return sizes
}

function mainFile(spec) {
  const { name, constant } = spec.plugin
  return `<?php
/**
 * Plugin Name: ${name}
 * Description: Generated by bench/trees.js for the build benchmark.
 * Version: 1.0.0
 * Requires at least: 6.0
 * Requires PHP: 7.4
 * Author: WP Release Manager
 * Text Domain: ${spec.slug}
 */

defined( 'ABSPATH' ) || exit;

define('${constant}', '1.0.0');

require_once __DIR__ . '/includes/loader.php';
`
}

function readme(spec) {
  return `=== ${spec.plugin.name} ===\nStable tag: 1.0.0\nRequires at least: 6.0\nLicense: GPLv2 or later\n\nGenerated for the build benchmark.\n`
}

function writeTree(root, spec) {
  const random = createRandom(spec.seed)
  const globalFns = filePool(random, 'snake', 400).map((n) => `wp_${n}`)
  const dirs = folderTree(random, spec.dirs, spec.maxDepth)
  const images = imageSizes(random, spec.imageBytes, spec.image)
  const fixed = 3 // main file, readme.txt, includes/loader.php
  const texts = textSizes(random, spec.files - images.length - fixed, spec.textBytes)

  const write = (rel, data) => {
    const file = path.join(root, rel)
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, data)
  }
  write(spec.plugin.mainFile, mainFile(spec))
  write('readme.txt', readme(spec))
  write('includes/loader.php', codeText(random, 'php', 4000, globalFns))
  texts.forEach((size, i) => {
    const ext = random.pick(['php', 'php', 'php', 'js', 'js', 'css'])
    const dir = random.pick(dirs)
    const name = `${dir === '' ? '' : dir + '/'}${random.skewed(WORDS)}-${i}.${ext}`
    write(name, codeText(random, ext, size, globalFns))
  })
  images.forEach((size, i) => write(`${random.pick(dirs) || 'images'}/${random.skewed(WORDS)}-${i}.png`, imageBytes(random, size)))
}

function markerPath(treesDir, slug) {
  // Outside the tree itself, so neither tool archives it.
  return path.join(treesDir, `${slug}.complete`)
}

/** Makes the tree unless a complete one of the same generator version is there already. */
function ensure(treesDir, slug, stamp, make) {
  const root = path.join(treesDir, slug)
  const marker = markerPath(treesDir, slug)
  if (existsSync(marker) && existsSync(root) && readFileSync(marker, 'utf8') === stamp) return { root, made: false }
  // A partial tree (interrupted run) or an old generator's: start again.
  rmSync(marker, { force: true })
  rmSync(root, { recursive: true, force: true })
  make(root)
  writeFileSync(marker, stamp)
  return { root, made: true }
}

/** The generated trees, then WordPress core when it is installed. */
export function prepareTrees(treesDir, log) {
  mkdirSync(treesDir, { recursive: true })
  const trees = []
  for (const spec of GENERATED_TREES) {
    const stamp = JSON.stringify({ GENERATOR_VERSION, spec })
    const { root, made } = ensure(treesDir, spec.slug, stamp, (dir) => writeTree(dir, spec))
    if (made) log(`generated ${root}`)
    trees.push({ name: spec.slug, label: spec.label, root, plugin: spec.plugin, releaseOnly: spec.releaseOnly === true })
  }
  if (existsSync(WORDPRESS_SOURCE)) {
    // The Debian package links many files to /usr/share/javascript etc.; a dereferenced copy lets
    // zip and our builder see exactly the same regular files.
    const stamp = JSON.stringify({ GENERATOR_VERSION, source: WORDPRESS_SOURCE })
    const { root, made } = ensure(treesDir, 'wordpress', stamp, (dir) => execFileSync('cp', ['-rL', WORDPRESS_SOURCE, dir]))
    if (made) log(`copied ${WORDPRESS_SOURCE} to ${root}`)
    trees.push({ name: 'wordpress-core', label: 'wordpress-core (real files)', root, plugin: null })
  }
  return trees
}
