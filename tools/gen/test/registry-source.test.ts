import { describe, expect, it } from 'vitest';
import { GenError } from '../src/errors.js';
import { registryAlias } from '../src/names.js';
import { addRegistryEntry, readRegistryEntries, renderRegistry, type RegistryEntry } from '../src/registry-source.js';

const entry = (dir: string): RegistryEntry => ({ packageName: `@plugconv/${dir}`, alias: registryAlias(`@plugconv/${dir}`) });
const six = ['dsconv', 'dwconv', 'dynamicconv', 'mobilenetv3', 'repghost', 'saconv'].map(entry);

describe('renderRegistry', () => {
  it("writes the six module packages exactly as packages/yolo's registry.generated.ts holds them", () => {
    const text = renderRegistry(six);
    expect(text).toContain("import { modules as dynamicconvModules } from '@plugconv/dynamicconv';\n");
    expect(text).toContain('export const registry = new Registry(\n  coreModules,\n  dsconvModules,\n  dwconvModules,\n');
    expect(text.endsWith('  saconvModules,\n);\n')).toBe(true);
    expect(renderRegistry([...six].reverse())).toBe(text);
  });

  it('names each import after the package (camelCase + Modules)', () => {
    expect(registryAlias('@plugconv/ghost-shuffle-conv')).toBe('ghostShuffleConvModules');
    expect(registryAlias('@plugconv/mobilenetv3')).toBe('mobilenetv3Modules');
  });
});

describe('addRegistryEntry (ts-morph, in memory)', () => {
  it('adds a package to an empty registry (core only) exactly as a rebuild would write it', () => {
    expect(addRegistryEntry(renderRegistry([]), entry('ghost-shuffle-conv'))).toBe(renderRegistry([entry('ghost-shuffle-conv')]));
  });

  it('adds packages in any order at their sorted place, matching a rebuild byte for byte (first, middle, last)', () => {
    const all = [...six, entry('aaa-conv'), entry('ghost-shuffle-conv'), entry('zzz')];
    for (const order of [all, [...all].reverse(), [all[7]!, all[0]!, all[8]!, all[3]!, all[6]!, all[1]!, all[5]!, all[2]!, all[4]!]]) {
      const text = order.reduce((t, e) => addRegistryEntry(t, e), renderRegistry([]));
      expect(text).toBe(renderRegistry(all));
    }
  });

  it('is idempotent: an existing entry changes nothing', () => {
    const text = renderRegistry(six);
    expect(addRegistryEntry(text, entry('dwconv'))).toBe(text);
    const once = addRegistryEntry(text, entry('ghost-shuffle-conv'));
    expect(addRegistryEntry(once, entry('ghost-shuffle-conv'))).toBe(once);
  });

  it('keeps a trailing comma, and adds none where the list has none', () => {
    const withComma = renderRegistry([entry('dsconv')]);
    expect(addRegistryEntry(withComma, entry('saconv'))).toContain('  dsconvModules,\n  saconvModules,\n);');
    const noComma = withComma.replace('  dsconvModules,\n);', '  dsconvModules\n);');
    expect(addRegistryEntry(noComma, entry('saconv'))).toContain('  dsconvModules,\n  saconvModules\n);');
    expect(addRegistryEntry(noComma, entry('aaa'))).toContain('  coreModules,\n  aaaModules,\n  dsconvModules\n);');
  });

  it('follows a one-line argument list, and an empty one', () => {
    const oneLine = "import { coreModules, Registry } from '@plugconv/core';\nexport const registry = new Registry(coreModules);\n";
    expect(addRegistryEntry(oneLine, entry('dsconv'))).toBe(
      "import { coreModules, Registry } from '@plugconv/core';\nimport { modules as dsconvModules } from '@plugconv/dsconv';\nexport const registry = new Registry(coreModules, dsconvModules);\n",
    );
    const empty = "import { Registry } from '@plugconv/core';\n\nexport const registry = new Registry();\n";
    expect(addRegistryEntry(empty, entry('dsconv'))).toBe(
      "import { Registry } from '@plugconv/core';\nimport { modules as dsconvModules } from '@plugconv/dsconv';\n\nexport const registry = new Registry(dsconvModules);\n",
    );
  });

  it('keeps comments, blank lines and unrelated code byte for byte', () => {
    const text = [
      '// header comment',
      "import { coreModules, Registry } from '@plugconv/core'; // core",
      '/* dsconv first */',
      "import { modules as dsconvModules } from '@plugconv/dsconv';",
      "import { modules as saconvModules } from '@plugconv/saconv';",
      '',
      'const extra = 1; // unrelated',
      '',
      '/** doc */',
      'export const registry = new Registry(',
      '  coreModules, // the blocks',
      '  // module packages:',
      '  dsconvModules,',
      '  saconvModules /* last */,',
      ');',
      'void extra;',
      '',
    ].join('\n');
    const out = addRegistryEntry(text, entry('repghost'));
    expect(out).toBe(
      text
        .replace("import { modules as saconvModules }", "import { modules as repghostModules } from '@plugconv/repghost';\nimport { modules as saconvModules }")
        .replace('  saconvModules /* last */,', '  repghostModules,\n  saconvModules /* last */,'),
    );
    expect(readRegistryEntries(out).map((e) => e.packageName)).toEqual(['@plugconv/dsconv', '@plugconv/repghost', '@plugconv/saconv']);
  });

  it('reuses the alias of an existing import that is not yet passed to the registry', () => {
    const text = renderRegistry([entry('dsconv')]).replace('  dsconvModules,\n', '');
    expect(addRegistryEntry(text, entry('dsconv'))).toBe(renderRegistry([entry('dsconv')]));
  });

  it('refuses a file without new Registry(...) and an alias another import already uses', () => {
    expect(() => addRegistryEntry('export const x = 1;\n', entry('dsconv'), 'reg.ts')).toThrow(GenError);
    expect(() => addRegistryEntry('export const x = 1;\n', entry('dsconv'), 'reg.ts')).toThrow(/reg.ts: no 'new Registry\(\.\.\.\)' found/);
    const taken = "import { dsconvModules } from './elsewhere.js';\n" + renderRegistry([]);
    expect(() => addRegistryEntry(taken, entry('dsconv'))).toThrow(/'dsconvModules' is already imported/);
  });
});
