import { describe, expect, it } from 'vitest';
import { reparameterize } from '@plugconv/core';
import { C2f_RepGhost, RepGhostBottleneck } from '../src/index.js';

describe('C2f_RepGhost structure', () => {
  it('has the reference implementation\'s state keys, and the deployed ones after switchToDeploy', () => {
    const m = new C2f_RepGhost(32, 32, 1, true);
    const keys = [...m.stateDict().keys()];
    expect(keys.filter((k) => k.startsWith('m.0.ghost1'))).toEqual([
      'm.0.ghost1.primary_conv.0.weight',
      'm.0.ghost1.primary_conv.1.weight',
      'm.0.ghost1.primary_conv.1.bias',
      'm.0.ghost1.primary_conv.1.running_mean',
      'm.0.ghost1.primary_conv.1.running_var',
      'm.0.ghost1.fusion_bn.0.weight',
      'm.0.ghost1.fusion_bn.0.bias',
      'm.0.ghost1.fusion_bn.0.running_mean',
      'm.0.ghost1.fusion_bn.0.running_var',
      'm.0.ghost1.cheap_operation.0.weight',
      'm.0.ghost1.cheap_operation.1.weight',
      'm.0.ghost1.cheap_operation.1.bias',
      'm.0.ghost1.cheap_operation.1.running_mean',
      'm.0.ghost1.cheap_operation.1.running_var',
    ]);
    reparameterize(m);
    const deployed = [...m.stateDict().keys()].filter((k) => k.startsWith('m.0.ghost1'));
    expect(deployed).toEqual([
      'm.0.ghost1.primary_conv.0.weight',
      'm.0.ghost1.primary_conv.1.weight',
      'm.0.ghost1.primary_conv.1.bias',
      'm.0.ghost1.primary_conv.1.running_mean',
      'm.0.ghost1.primary_conv.1.running_var',
      'm.0.ghost1.cheap_operation.weight',
      'm.0.ghost1.cheap_operation.bias',
    ]);
    m.dispose();
  });

  it('repeats its bottleneck n times and honours shortcut', () => {
    const m = new C2f_RepGhost(16, 32, 3, false);
    expect(m.m.items).toHaveLength(3);
    for (const b of m.m.items) {
      expect(b).toBeInstanceOf(RepGhostBottleneck);
      const rb = b as RepGhostBottleneck;
      expect([rb.inChs, rb.midChs, rb.outChs, rb.stride, rb.enableShortcut]).toEqual([16, 16, 16, 1, false]);
      expect(rb.shortcut.layers).toHaveLength(0);
    }
    // cv1 16*32+64, cv2 80*32+64, three bottlenecks of 2*(16*16 + 15*16)
    expect(m.numParams()).toBe(576 + 2624 + 3 * 992);
    m.dispose();
  });
});
