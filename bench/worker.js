// One measurement of our code, in a fresh process: `node bench/worker.js '<json task>'`.
//
// A fresh process per run means the peak RSS reported (getrusage's ru_maxrss, what GNU time
// reports as %M for the native tools) belongs to this one build alone, not to earlier runs' heaps.
// The timer covers the work only, not Node's start-up or module loading: in the app the builder
// runs in a process that is already up.
//
// Prints one JSON line: { seconds, maxRssKiB, ...what the task returned } (builds add `phases`:
// seconds spent walking the source, writing the ZIP, and placing it in the dist folder).

import { performance } from 'node:perf_hooks'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const core = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'src-main', 'core')
const load = (name) => import(pathToFileURL(path.join(core, name)).href)

/** A plugin build exactly as the app does it: walk, rewrite the version, zip, hash, place. */
async function buildPlugin(task, { buildVersionZip }) {
  const now = new Date(0).toISOString()
  const plugin = {
    slug: task.slug,
    name: task.name,
    platform: 'wordpress',
    source_dir: task.sourceDir,
    main_file: task.mainFile,
    version_constant: task.constant,
    dist_dir: task.distDir,
    expected_strings: [],
    forbidden_strings: [],
    created_at: now,
    updated_at: now
  }
  // Progress events mark the phases: the last 'scan' event ends the walk, the 'hash' event ends writeZip.
  const start = performance.now()
  const marks = {}
  const onProgress = (event) => {
    if (event.phase === 'scan' || event.phase === 'hash') marks[event.phase] = performance.now()
  }
  const result = await buildVersionZip({ plugin, version: '1.0.0', job: 'bench', onProgress })
  const end = performance.now()
  const phases = { scan: (marks.scan - start) / 1000, zip: (marks.hash - marks.scan) / 1000, place: (end - marks.hash) / 1000 }
  return { zipPath: result.file_path, size: result.file_size, sha256: result.checksum, md5: result.checksum_md5, phases }
}

/** A folder without a plugin header (WordPress core): the walk and the writer, without the packager. */
async function buildFolder(task, { collectSourceEntries }, { writeZip }) {
  const start = performance.now()
  const sources = await collectSourceEntries(task.sourceDir)
  const scanned = performance.now()
  const entries = [{ name: `${task.prefix}/`, source: null }]
  for (const entry of sources) {
    entries.push(
      entry.kind === 'directory'
        ? { name: `${task.prefix}/${entry.relPath}/`, source: null }
        : { name: `${task.prefix}/${entry.relPath}`, source: { kind: 'file', path: entry.absPath, size: entry.size } }
    )
  }
  const result = await writeZip(entries, task.outPath, { level: 6 })
  const phases = { scan: (scanned - start) / 1000, zip: (performance.now() - scanned) / 1000, place: 0 }
  return { zipPath: task.outPath, size: result.size, sha256: result.sha256, md5: result.md5, phases }
}

async function hash(task, { hashFile }) {
  return hashFile(task.file)
}

async function main() {
  const task = JSON.parse(process.argv[2])
  // Load before starting the clock.
  const modules = {
    package: async () => [await load('packager.js')],
    folder: async () => [await load('source-files.js'), await load('zip-writer.js')],
    hash: async () => [await load('checksums.js')],
    baseline: async () => [await load('packager.js'), await load('zip-writer.js')]
  }
  const run = { package: buildPlugin, folder: buildFolder, hash, baseline: async () => ({}) }[task.mode]
  const loaded = await modules[task.mode]()
  const start = performance.now()
  const result = await run(task, ...loaded)
  const seconds = (performance.now() - start) / 1000
  process.stdout.write(JSON.stringify({ seconds, maxRssKiB: process.resourceUsage().maxRSS, ...result }) + '\n')
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`)
  process.exit(1)
})
