/**
 * A static file server for pages under test and for `npm run playground`: serves one folder over
 * HTTP on 127.0.0.1 with the cross-origin isolation headers (COOP same-origin, COEP require-corp)
 * that a page needs for SharedArrayBuffer and so for threaded WebAssembly. `isolated: false`
 * leaves them out (the one-thread case). Nothing outside the folder is served.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.safetensors': 'application/octet-stream',
};

export interface ServeOptions {
  /** Send COOP/COEP so the page is cross-origin isolated (default true). */
  isolated?: boolean;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Host to bind (default 127.0.0.1). */
  host?: string;
  /**
   * More folders, by URL prefix: `{ '/tfjs/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist' }`
   * serves that folder's files under /tfjs/ (nothing outside it).
   */
  mounts?: Record<string, string>;
}

export interface StaticServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `root` until `close()`. */
export async function serveStatic(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const base = path.resolve(root);
  if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) {
    throw new Error(`serveStatic: ${base} is not a folder; build the page first`);
  }
  const isolated = options.isolated ?? true;
  const mounts = Object.entries(options.mounts ?? {}).map(([prefix, dir]) => {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`serveStatic: mount prefix '${prefix}' must start and end with '/'`);
    const folder = path.resolve(dir);
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`serveStatic: ${folder} (mounted at ${prefix}) is not a folder`);
    return { prefix, folder };
  });
  const server = http.createServer((req, res) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end('bad path');
      return;
    }
    const mount = mounts.find((m) => rel.startsWith(m.prefix));
    const folder = mount ? mount.folder : base;
    let file = path.join(folder, mount ? rel.slice(mount.prefix.length) : rel);
    if (file !== folder && !file.startsWith(folder + path.sep)) {
      res.writeHead(403, headers).end('outside the served folder');
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${rel}`);
        return;
      }
      const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(body.length) }).end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
