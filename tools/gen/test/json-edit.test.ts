import { describe, expect, it } from 'vitest';
import { addArrayString, addDependency, addReference } from '../src/json-edit.js';

const pkg = `{
  "name": "@plugconv/yolo",
  "exports": {
    ".": { "development": "./src/index.ts", "default": "./dist/index.js" }
  },
  "files": ["dist", "src"],
  "dependencies": {
    "@plugconv/core": "workspace:*",
    "@plugconv/dsconv": "workspace:*",
    "commander": "14.0.3"
  },
  "peerDependencies": {
    "@tensorflow/tfjs-core": "^4.22.0"
  }
}
`;

describe('addDependency', () => {
  it('inserts in name order, keeping every other line (compact lines included) as it is', () => {
    const out = addDependency(pkg, '@plugconv/ghost-shuffle-conv', 'workspace:*');
    expect(out).toBe(pkg.replace('    "commander"', '    "@plugconv/ghost-shuffle-conv": "workspace:*",\n    "commander"'));
    expect(addDependency(pkg, 'zod', '1.0.0')).toBe(pkg.replace('"commander": "14.0.3"\n', '"commander": "14.0.3",\n    "zod": "1.0.0"\n'));
    expect(addDependency(pkg, '@aaa/x', '1')).toBe(pkg.replace('    "@plugconv/core"', '    "@aaa/x": "1",\n    "@plugconv/core"'));
  });

  it('is idempotent and leaves an existing entry alone whatever its version', () => {
    const once = addDependency(pkg, '@plugconv/ghost-shuffle-conv', 'workspace:*');
    expect(addDependency(once, '@plugconv/ghost-shuffle-conv', 'workspace:*')).toBe(once);
    expect(addDependency(pkg, 'commander', '1.0.0')).toBe(pkg);
  });

  it('handles inline and empty objects and a missing section', () => {
    expect(addDependency('{ "dependencies": { "b": "1" } }', 'a', '2')).toBe('{ "dependencies": { "a": "2", "b": "1" } }');
    expect(addDependency('{ "dependencies": {} }', 'a', '2')).toBe('{ "dependencies": { "a": "2" } }');
    expect(addDependency('{\n  "name": "x"\n}\n', 'a', '2')).toBe('{\n  "name": "x",\n  "dependencies": {\n    "a": "2"\n  }\n}\n');
  });

  it('names the file when it is not JSON', () => {
    expect(() => addDependency('{ "a": ', 'x', '1', 'dependencies', 'packages/yolo/package.json')).toThrow(/packages\/yolo\/package.json: not valid JSON/);
  });
});

describe('addReference', () => {
  const tsconfig = `{
  "extends": "../../tsconfig.base.json",
  // project references, one per package
  "references": [
    { "path": "../core" },
    { "path": "../dsconv" },
    { "path": "../saconv" }, // trailing comma and a comment
  ]
}
`;
  it('inserts in path order with the array layout, keeping comments and the trailing comma', () => {
    expect(addReference(tsconfig, '../ghost-shuffle-conv')).toBe(tsconfig.replace('    { "path": "../saconv" }', '    { "path": "../ghost-shuffle-conv" },\n    { "path": "../saconv" }'));
    expect(addReference(tsconfig, '../zz')).toBe(tsconfig.replace('{ "path": "../saconv" },', '{ "path": "../saconv" },\n    { "path": "../zz" },'));
  });

  it('is idempotent (../x, ../x/ and ../x/tsconfig.json are one reference) and ignores a tsconfig without references', () => {
    expect(addReference(tsconfig, '../dsconv/')).toBe(tsconfig);
    expect(addReference(tsconfig, '../dsconv/tsconfig.json')).toBe(tsconfig);
    const none = '{ "include": ["src"] }';
    expect(addReference(none, '../x')).toBe(none);
  });

  it('follows a one-line array', () => {
    expect(addReference('{ "references": [{ "path": "../core" }] }', '../x')).toBe('{ "references": [{ "path": "../core" }, { "path": "../x" }] }');
  });
});

describe('addArrayString', () => {
  it("adds a package to typedoc.json's entryPoints in order, once", () => {
    const typedoc = '{\n  "entryPoints": [\n    "packages/core",\n    "packages/dsconv",\n    "packages/yolo"\n  ],\n  "out": "docs/api"\n}\n';
    const out = addArrayString(typedoc, 'entryPoints', 'packages/ghost-shuffle-conv');
    expect(out).toBe(typedoc.replace('    "packages/yolo"', '    "packages/ghost-shuffle-conv",\n    "packages/yolo"'));
    expect(addArrayString(out, 'entryPoints', 'packages/ghost-shuffle-conv')).toBe(out);
    expect(addArrayString('{ "out": "x" }', 'entryPoints', 'p')).toBe('{ "out": "x" }');
  });
});
