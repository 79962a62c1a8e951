import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel, decodeSafetensors, parseYoloConfig, runFixture, splitFixture, stateDictToTf, useBackend } from '@plugconv/core';
import { readCheckpointFile } from '@plugconv/core/node';
import { coreFixturePath } from '@plugconv/test-harness/paths';
import { registry } from './helpers.js';

// the ultralytics 8.2 checkpoint (a stripped best.pt in fp16) and what its weights compute in PyTorch, kept in core
const checkpoint = (name: string) => coreFixturePath(`checkpoints/${name}`);

describe('an ultralytics best.pt end to end', () => {
  it('yolov8-C2f-DSConv-t.pt: the model its YAML dict builds, with its weights, gives PyTorch output on cpu', async () => {
    await useBackend('cpu');
    const ck = readCheckpointFile(checkpoint('yolov8-C2f-DSConv-t.pt'), { task: 'detect' });
    expect(ck.semantics?.version).toBe('8.2');
    const model = buildModel(parseYoloConfig(JSON.stringify(ck.yaml), ck.source), { registry, warn: () => {}, ultralytics: ck.semantics?.version });
    const weights = stateDictToTf(ck.stateDict);
    const ref = splitFixture(decodeSafetensors(new Uint8Array(readFileSync(checkpoint('yolov8-C2f-DSConv-t.safetensors')))));
    try {
      model.loadStateDict(weights);
      expect(model.numParams()).toBe(ck.parameterCount);
      const r = runFixture(model, ref);
      expect(r.elements).toBe(84 * 84);
      expect(r.pass).toBe(true);
    } finally {
      model.dispose();
      for (const t of [...weights.values(), ref.input, ref.output]) t.dispose();
    }
  });
});
