import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort, waitForPort } from './free-port.js'
import { spawnServer, stopProcessTree } from './process.js'
import { requireTool } from './require-tool.js'
import { makePublicDir, makeTempDir, removeTempDir } from './temp-dir.js'

/** Options for startNginx. */
export interface NginxOptions {
  /** Folder served at '/'; made world-readable because nginx workers do not run as root. */
  root: string
}

/** A private nginx serving one folder as static files on 127.0.0.1. */
export interface NginxServer {
  /** 'http://127.0.0.1:<port>/' */
  baseUrl: string
  port: number
  /** pid of the nginx master process. */
  pid: number
  /** nginx's access log (combined format, written unbuffered), in nginx's temp folder: the install statistics read it. */
  accessLogPath: string
  /** nginx's stderr plus its error_log, for failure messages. */
  stderr(): Promise<string>
  /** Stops master and workers, then deletes nginx's temp folder (not the served root). Never throws. */
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 15_000

// Written out rather than including /etc/nginx/mime.types, so that the types the publishing tests rely on are
// visible here and do not depend on the distribution's file.
const MIME_TYPES = {
  'text/html': 'html htm',
  'text/plain': 'txt sha256 md5 log',
  'text/css': 'css',
  'text/xml': 'xml',
  'application/javascript': 'js',
  'application/json': 'json',
  'application/zip': 'zip',
  'image/png': 'png',
  'image/jpeg': 'jpg jpeg',
  'image/svg+xml': 'svg'
}

/** nginx.conf with every writable path inside `dir`; `daemon off` comes from the command line. */
function nginxConfig(dir: string, root: string, port: number): string {
  const types = Object.entries(MIME_TYPES).map(([type, exts]) => `    ${type} ${exts};`)
  return `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  types {
${types.join('\n')}
  }
  default_type application/octet-stream;
  # The predefined combined format, unbuffered: the stats tests read each request as soon as it is answered.
  access_log ${join(dir, 'access.log')} combined;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${root};
    autoindex off;
    # '-latest.zip' is published as a symbolic link to the versioned zip.
    disable_symlinks off;
    # An attack on the server's files: beside a file, '<name>.moved' makes nginx redirect it to another host
    # (localhost instead of 127.0.0.1), as a changed web server config would (the signed-updater tests).
    if (-f $request_filename.moved) {
      return 302 http://localhost:$server_port$uri;
    }
  }
}
`
}

/** Starts nginx in the foreground (its master stays our child) serving `root` on a free loopback port. */
export async function startNginx(opts: NginxOptions): Promise<NginxServer> {
  const nginx = requireTool('nginx', 'nginx')
  const dir = await makeTempDir('nginx')
  // Workers (user nobody) must reach the temp paths and the served files.
  await makePublicDir(dir)
  await makePublicDir(opts.root)
  const port = await freePort()
  const configPath = join(dir, 'nginx.conf')
  await writeFile(configPath, nginxConfig(dir, opts.root, port))
  // -p and -e keep nginx away from /var/log/nginx and /usr/share/nginx, even before it has read the config.
  const proc = spawnServer(nginx, ['-p', dir, '-e', join(dir, 'error.log'), '-c', configPath, '-g', 'daemon off;'])
  const server: NginxServer = {
    baseUrl: `http://127.0.0.1:${port}/`,
    port,
    pid: proc.pid,
    accessLogPath: join(dir, 'access.log'),
    stderr: async () => proc.output() + (await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')),
    async stop() {
      await stopProcessTree(proc.pid)
      await removeTempDir(dir)
    }
  }
  try {
    await waitForPort(port, READY_TIMEOUT_MS, () => !proc.exited())
  } catch (error) {
    const logs = await server.stderr()
    await server.stop()
    throw new Error(`nginx did not start: ${(error as Error).message}\n${logs}`)
  }
  return server
}
