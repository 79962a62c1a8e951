import { describe, expect, it } from 'vitest';
import { CONTRACT_CHECKS, contractCases } from '@plugconv/test-harness/contract';
import { registry } from '../src/registry.generated.js';

// The module contract over every registered YAML token (core's blocks and every module package, a generated one
// included as soon as it registers), on the small examples each spec declares: build, forward shape, state-dict
// round trip, fuse/deploy, FLOPs against the kernels that ran, gradients on cpu, no leaked tensors. What each
// check measures: tools/test-harness/src/contract.ts. The checks failing on broken modules: contract-checks.test.ts.
const specs = registry.all();
const { cases, missing } = contractCases(specs);

describe('the module contract over the registry', () => {
  it(`covers every registered token (${specs.length} tokens, ${cases.length} examples)`, () => {
    expect(missing, 'tokens whose spec declares no examples (add `examples` to the ModuleSpec)').toEqual([]);
    expect(new Set(cases.map((c) => c.spec.name)).size).toBe(specs.length);
  });

  describe.each(cases.map((c) => [c.title, c] as const))('%s', (_, c) => {
    it.each(CONTRACT_CHECKS.map((check) => [check.name, check] as const))('%s', async (_, check) => {
      await check.run(c);
    });
  });
});
