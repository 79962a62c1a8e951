// A small static file server for the browser benchmarks: folders mounted under URL prefixes, every response
// cross-origin isolated (COOP same-origin + COEP require-corp, and CORP same-origin on each file), so a page it
// serves gets `crossOriginIsolated === true`, SharedArrayBuffer and thus the threaded wasm builds of
// tfjs-backend-wasm and onnxruntime-web.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

/** The headers that make a document cross-origin isolated, plus the resource policy each served file carries. */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** Content types by file extension; anything else is application/octet-stream. */
export const CONTENT_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.yaml': 'text/yaml; charset=utf-8',
});

/**
 * The file a URL path names under `mounts` (URL prefix ending in '/' -> folder), or null when no mount takes it,
 * it leaves its folder (`..`, encoded or not) or is not a file. The longest matching prefix wins; a path ending in
 * '/' names its index.html.
 */
export function fileFor(mounts, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  const prefix = Object.keys(mounts)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return null;
  const dir = resolve(mounts[prefix]);
  const rel = path.slice(prefix.length) || 'index.html';
  const file = resolve(dir, rel.endsWith('/') ? join(rel, 'index.html') : rel);
  if (file !== dir && !file.startsWith(dir + sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

/**
 * Serves `mounts` on 127.0.0.1 (a free port unless `port` is given), every response with
 * {@link ISOLATION_HEADERS} and no caching. Resolves to the base URL and a close().
 */
export async function startStaticServer(mounts, { port = 0 } = {}) {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`static-server: mount '${prefix}' must start and end with '/'`);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`static-server: mount '${prefix}': ${dir} is not a folder`);
  }
  const server = createServer((req, res) => {
    const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
    const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(mounts, new URL(req.url ?? '/', 'http://x').pathname) : null;
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  const { port: actual } = server.address();
  return { url: `http://127.0.0.1:${actual}/`, close: () => new Promise((ok) => server.close(ok)) };
}
