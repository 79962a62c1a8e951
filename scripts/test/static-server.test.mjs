// The browser benchmarks' static server: cross-origin isolation headers on every response, mounts, no escape
// from a mounted folder. `node --test scripts/test/static-server.test.mjs`
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileFor, ISOLATION_HEADERS, startStaticServer } from '../bench/static-server.mjs';

describe('static-server', () => {
  let work;
  let server;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'plugconv-static-'));
    mkdirSync(join(work, 'site', 'sub'), { recursive: true });
    mkdirSync(join(work, 'ort'));
    writeFileSync(join(work, 'site', 'index.html'), '<!doctype html><p>hi</p>');
    writeFileSync(join(work, 'site', 'sub', 'index.html'), 'sub');
    writeFileSync(join(work, 'site', 'app.js'), 'export const a = 1;');
    writeFileSync(join(work, 'ort', 'ort.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    writeFileSync(join(work, 'secret.txt'), 'outside');
    server = await startStaticServer({ '/': join(work, 'site'), '/ort/': join(work, 'ort') });
  });
  after(() => server?.close());

  it('sends COOP same-origin, COEP require-corp and CORP same-origin with the index page', async () => {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin');
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), '<!doctype html><p>hi</p>');
  });

  it('serves a mounted folder under its prefix, wasm as application/wasm, with the same headers', async () => {
    const res = await fetch(new URL('ort/ort.wasm', server.url));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/wasm');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 0x61, 0x73, 0x6d]);
    const js = await fetch(new URL('app.js', server.url));
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await (await fetch(new URL('sub/', server.url))).text(), 'sub');
  });

  it('answers 404 (still isolated) for a missing file and for paths leaving the folder', async () => {
    for (const path of ['nope.js', '..%2Fsecret.txt', 'ort/..%2F..%2Fsecret.txt', 'sub']) {
      const res = await fetch(new URL(path, server.url));
      assert.equal(res.status, 404, path);
      assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin', path);
    }
    assert.equal(fileFor({ '/': join(work, 'site') }, '/../secret.txt'), null);
    assert.equal(fileFor({ '/': join(work, 'site') }, '/%E0%A4%A'), null);
    assert.equal(fileFor({ '/': join(work, 'site'), '/ort/': join(work, 'ort') }, '/ort/ort.wasm'), join(work, 'ort', 'ort.wasm'));
  });

  it('refuses a mount that is not a folder or not a /prefix/', async () => {
    await assert.rejects(startStaticServer({ '/x/': join(work, 'secret.txt') }), /not a folder/);
    await assert.rejects(startStaticServer({ x: work }), /must start and end with '\/'/);
    assert.deepEqual(Object.keys(ISOLATION_HEADERS), ['Cross-Origin-Opener-Policy', 'Cross-Origin-Embedder-Policy', 'Cross-Origin-Resource-Policy']);
  });
});
