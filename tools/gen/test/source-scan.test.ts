import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportsModules, tokensInSource } from '../src/source-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'gen-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pkg(name: string, files: Record<string, string>): string {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, 'src'), { recursive: true });
    writeFileSync(join(dir, name, 'src', f), text);
  }
  return join(dir, name, 'src', 'index.ts');
}

describe('exportsModules (which packages the registry lists)', () => {
  it('finds `modules` exported directly, renamed, re-exported, or through export *', () => {
    expect(exportsModules(pkg('a', { 'index.ts': "import type { ModuleSpec } from '@plugconv/core';\nexport const modules: ModuleSpec[] = [];\n" }))).toBe(true);
    expect(exportsModules(pkg('b', { 'index.ts': 'const specs = [];\nexport { specs as modules };\n' }))).toBe(true);
    expect(exportsModules(pkg('c', { 'index.ts': "export { modules } from './spec.js';\n", 'spec.ts': 'export const modules = [];\n' }))).toBe(true);
    expect(exportsModules(pkg('d', { 'index.ts': "export * from './spec.js';\n", 'spec.ts': 'export const modules = [];\n' }))).toBe(true);
  });

  it('ignores packages without it (core, the distribution, a type-only or unexported `modules`)', () => {
    expect(exportsModules(pkg('e', { 'index.ts': "export * from './x.js';\nexport const coreModules = [];\n", 'x.ts': 'export const other = 1;\n' }))).toBe(false);
    expect(exportsModules(pkg('f', { 'index.ts': 'const modules = [];\nvoid modules;\n' }))).toBe(false);
    expect(exportsModules(pkg('g', { 'index.ts': 'export type { modules } from "./t.js";\n' }))).toBe(false);
    expect(exportsModules(join(dir, 'missing', 'src', 'index.ts'))).toBe(false);
  });
});

describe('tokensInSource (YAML tokens already registered)', () => {
  it('reads ModuleSpec names given as literals or as consts of the file, and nothing else', () => {
    const text = `
const NAME = 'DWSConv';
export const specs = [
  { name: 'DSConv2D', rule: 'conv', package: PKG, create: () => null },
  { name: NAME, rule: 'conv', summary: 's', signature: [] },
  { name: \`C2f_X\`, rule: 'repeat', create: () => null },
  { name: 'not-a-spec', value: 1 },
];
`;
    expect(tokensInSource('spec.ts', text).map((t) => t.token)).toEqual(['DSConv2D', 'DWSConv', 'C2f_X']);
  });
});
