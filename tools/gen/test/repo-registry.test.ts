import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planRegistry, registeredTokens } from '../src/sync.js';
import { registry } from '../../../packages/yolo/src/registry.generated.js';

const root = realpathSync(fileURLToPath(new URL('../../../', import.meta.url)));

describe("this repository's registry", () => {
  it('is what pnpm gen registry writes (registry.generated.ts, yolo dependencies and references)', () => {
    const { entries, changes } = planRegistry(root);
    expect([...changes.keys()]).toEqual([]);
    expect(entries.map((e) => e.packageName)).toEqual(expect.arrayContaining(['@plugconv/dsconv', '@plugconv/dwconv', '@plugconv/dynamicconv', '@plugconv/mobilenetv3', '@plugconv/repghost', '@plugconv/saconv']));
  });

  it("finds every registered YAML token by scanning the spec sources (how pnpm gen module refuses clashes)", () => {
    const scanned = registeredTokens(root);
    for (const spec of registry.all()) expect(scanned.get(spec.name), spec.name).toBe(spec.package);
  });
});
