import { describe, expect, it } from 'vitest';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

// The browser-safe build: what a bundler targeting a browser gets from `@plugconv/yolo/browser`, and from the
// package root under the `browser` condition, bundles with esbuild for platform browser (which refuses Node
// builtins) and pulls in no Node-only source file. The Node entry, bundled the same way, must fail on a builtin:
// that is what this test would report if the browser entry grew a Node import.
const yoloDir = fileURLToPath(new URL('..', import.meta.url));
const NODE_ONLY_SOURCES = /packages\/yolo\/src\/(configs|cli|bench|zoo|zoo-report|node-backends|predict\/image-io|predict\/weights-file|commands\/.*)\.ts$|packages\/core\/src\/node(\.ts|\/)/;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Bundles `import * from spec` for a browser (workspace sources through the development condition). */
async function bundleForBrowser(spec: string): Promise<Metafile> {
  const result = await build({
    stdin: { contents: `export * from '${spec}';`, resolveDir: yoloDir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    conditions: ['development'],
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/** The bundle's source files and the imports it kept external (none should be left for a browser). */
function inputsOf(meta: Metafile): { files: string[]; imports: string[] } {
  const files = Object.keys(meta.inputs);
  const imports = files.flatMap((f) => meta.inputs[f]!.imports.map((i) => i.path));
  return { files, imports };
}

describe('the browser entry bundles for a browser', () => {
  it.each(['@plugconv/yolo/browser', '@plugconv/yolo'])('%s: no Node builtin, no Node-only source, registry and predict included', async (spec) => {
    const { files, imports } = inputsOf(await bundleForBrowser(spec));
    expect(files.some((f) => f.endsWith('packages/yolo/src/browser.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('packages/yolo/src/registry.generated.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('packages/yolo/src/predict/predict.ts'))).toBe(true);
    expect(files.some((f) => f.endsWith('packages/saconv/src/saconv2d.ts'))).toBe(true);
    expect(files.filter((f) => NODE_ONLY_SOURCES.test(f))).toEqual([]);
    expect(imports.filter((i) => BUILTINS.has(i))).toEqual([]);
  });

  it('the Node entry does not: bundling it for a browser fails on its Node builtins', async () => {
    const failure = await bundleForBrowser('./src/index.ts').then(
      () => null,
      (e: { errors: { text: string; location: { file: string } | null }[] }) => e,
    );
    expect(failure).not.toBeNull();
    const unresolved = failure!.errors.map((e) => `${e.location?.file}: ${e.text}`);
    expect(unresolved.filter((e) => /yolo\/src\/(configs|predict\/image-io)\.ts: Could not resolve "node:fs"/.test(e))).toHaveLength(2);
  });
});

describe('the Node entry', () => {
  it('keeps loadModel, the registry and the predict pipeline at the package root', async () => {
    const yolo = await import('@plugconv/yolo');
    expect(typeof yolo.loadModel).toBe('function');
    expect(typeof yolo.predictImage).toBe('function');
    expect(typeof yolo.readImage).toBe('function');
    expect(yolo.registry.has('C2f_SAConv')).toBe(true);
    const browser = await import('@plugconv/yolo/browser');
    expect(browser.registry).toBe(yolo.registry);
    expect('loadModel' in browser).toBe(false);
  });
});
