import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Conv, countMacs, isCountingMacs, isShapeOnly, Module, plainLayout, type Layout, type ModuleExample, type ModuleSpec } from '@plugconv/core';
import {
  checkBuild,
  checkFlops,
  checkForwardShape,
  checkFuseDeploy,
  checkGradients,
  checkNoLeaks,
  checkStateDictRoundTrip,
  CONTRACT_CHECKS,
  contractCases,
  ContractViolation,
  type ContractCase,
} from '@plugconv/test-harness/contract';

// The test of the contract test: a small Conv-like module that keeps the contract, and the same module with one
// deliberate flaw at a time. Each check must pass the sound module and fail the flaw it is there to catch.
type Flaw =
  | 'none'
  | 'wrong-channels'
  | 'non-finite'
  | 'state-outside-dict'
  | 'bad-key'
  | 'layout-not-inverse'
  | 'fuse-changes-output'
  | 'fuse-adds-parameters'
  | 'uncounted-conv'
  | 'counted-not-run'
  | 'shape-only-differs'
  | 'detached-parameter'
  | 'dead-parameter'
  | 'leak';

/** A layout whose toTorch doubles: stateDict -> loadStateDict does not give back what was there. */
const doublingLayout: Layout = { ...plainLayout, name: 'doubling', toTorch: (t) => tf.mul(t, 2) };

/** Conv(c1, c2, 3) with one optional flaw. */
class Probe extends Module {
  readonly conv: Conv;
  private readonly extra: tf.Variable | null = null;
  private readonly offset: tf.Tensor | null = null;
  private fused = false;

  constructor(
    c1: number,
    c2: number,
    readonly flaw: Flaw,
  ) {
    super();
    this.conv = this.addModule('conv', new Conv(c1, c2, 3));
    if (flaw === 'uncounted-conv') this.extra = this.addParameter('extra', tf.randomUniform([1, 1, c1, c2]));
    if (flaw === 'detached-parameter' || flaw === 'dead-parameter') this.extra = this.addParameter('scale', tf.ones([c2]));
    if (flaw === 'bad-key') this.extra = this.addParameter('scale-factor', tf.ones([c2]));
    if (flaw === 'layout-not-inverse') this.extra = this.addBuffer('scale', tf.ones([c2]), doublingLayout);
    if (flaw === 'state-outside-dict') this.offset = tf.keep(tf.randomUniform([c2]));
  }

  override get typeName(): string {
    return 'Probe';
  }

  forward(x: tf.Tensor): tf.Tensor {
    let y = this.conv.forward(x);
    switch (this.flaw) {
      case 'wrong-channels':
        return tf.slice(y, [0, 0, 0, 0], [-1, -1, -1, y.shape[3]! - 1]);
      case 'non-finite':
        return tf.div(y, 0);
      case 'state-outside-dict':
        return tf.add(y, this.offset!);
      case 'bad-key':
      case 'layout-not-inverse':
        return tf.mul(y, this.extra!);
      case 'uncounted-conv':
        return tf.add(y, tf.conv2d(x as tf.Tensor4D, this.extra as tf.Tensor4D, 1, 'same'));
      case 'counted-not-run':
        if (isCountingMacs()) countMacs(y.size, 'conv');
        return y;
      case 'shape-only-differs':
        if (isCountingMacs() && !isShapeOnly()) countMacs(y.size);
        return y;
      case 'detached-parameter':
        return tf.mul(y, tf.tensor(this.extra!.dataSync()));
      case 'dead-parameter':
        return tf.add(y, tf.mul(this.extra!, 0));
      case 'leak':
        tf.keep(tf.zeros([1]));
        return y;
      case 'fuse-changes-output':
        if (this.fused) y = tf.add(y, 0.01);
        return y;
      default:
        return y;
    }
  }

  /** Folds as Conv does; the fuse flaws then break the output or add a parameter. */
  fuse(): void {
    this.conv.fuse();
    this.fused = true;
    if (this.flaw === 'fuse-adds-parameters') this.addParameter('bias', tf.zeros([100]));
  }

  override dispose(): void {
    super.dispose();
    this.offset?.dispose();
  }
}

const EXAMPLE: ModuleExample = { args: [4, 8], input: [2, 6, 6, 4] };
const specOf = (flaw: Flaw, examples?: ModuleExample[]): ModuleSpec => ({
  name: `Probe_${flaw}`,
  rule: 'conv',
  package: '@plugconv/contract-probe',
  summary: 'a Conv with one deliberate flaw',
  signature: [
    { name: 'c1', type: 'int' },
    { name: 'c2', type: 'int' },
  ],
  create: (c1: number, c2: number) => new Probe(c1, c2, flaw),
  examples,
});
const caseOf = (flaw: Flaw, example = EXAMPLE): ContractCase => contractCases([specOf(flaw, [example])]).cases[0]!;


describe('the contract checks (test of the contract test)', () => {
  it.each(CONTRACT_CHECKS.map((c) => [c.name, c] as const))('%s passes a module that keeps the contract', async (_, check) => {
    const before = tf.memory().numTensors;
    await check.run(caseOf('none'));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a token without examples is named', () => {
    const { cases, missing } = contractCases([specOf('none', [EXAMPLE]), specOf('leak'), specOf('bad-key', [])]);
    expect(cases.map((c) => c.title)).toEqual(['Probe_none #1']);
    expect(missing).toEqual(['Probe_leak (@plugconv/contract-probe)', 'Probe_bad-key (@plugconv/contract-probe)']);
  });

  it('build: an example that does not fit the signature or whose input does not fit c1', async () => {
    await expect(checkBuild(caseOf('none', { args: [4], input: [2, 6, 6, 4] }))).rejects.toThrow(/Probe_none #1 \[@plugconv\/contract-probe\]: .*needs argument 'c2'/);
    await expect(checkBuild(caseOf('none', { args: [4, 8], input: [2, 6, 6, 3] }))).rejects.toThrow(/the input has 3 channels but c1 \(args\[0\]\) is 4/);
    await expect(checkBuild(caseOf('none', { args: [4, 8], input: [6, 6, 4] }))).rejects.toThrow(/must be NHWC/);
  });

  it('forward shape: c2 channels as the conv rule promises, finite values', async () => {
    await expect(checkForwardShape(caseOf('wrong-channels'))).rejects.toThrow(/the 'conv' rule promises a \[2, H, W, 8\] output, got \[2,6,6,7\]/);
    await expect(checkForwardShape(caseOf('non-finite'))).rejects.toThrow(/non-finite value/);
    await expect(checkForwardShape(caseOf('none', { ...EXAMPLE, output: [2, 3, 3, 8] }))).rejects.toThrow(/the eval output is \[2,6,6,8\], the example declares \[2,3,3,8\]/);
  });

  it('state-dict round trip: state outside the dict, a key PyTorch cannot have, a layout that does not invert', async () => {
    await expect(checkStateDictRoundTrip(caseOf('state-outside-dict'))).rejects.toThrow(/computes other outputs: some state lives outside the state dict/);
    await expect(checkStateDictRoundTrip(caseOf('bad-key'))).rejects.toThrow(/not PyTorch attribute paths: scale-factor/);
    await expect(checkStateDictRoundTrip(caseOf('layout-not-inverse'))).rejects.toThrow(/'scale' changes in the round trip/);
  });

  it('fuse and deploy: an output that moves, parameters that grow', async () => {
    await expect(checkFuseDeploy(caseOf('fuse-changes-output'))).rejects.toThrow(/fuse changed the eval output beyond the parity tolerance: max \|err\| 1\.000e-2/);
    await expect(checkFuseDeploy(caseOf('fuse-adds-parameters'))).rejects.toThrow(/fuse grew the parameters from 304 to 396/);
  });

  it('FLOPs: a conv that runs uncounted, MACs counted for nothing, shape-only counting that differs', async () => {
    // Conv(4, 8, 3) on 2x6x6: 576 outputs x 36 = 20736 MACs; the uncounted 1x1 conv adds 576 x 4 = 2304
    await expect(checkFlops(caseOf('uncounted-conv'))).rejects.toThrow(/as built: reports 20736 conv\+matmul MACs \(conv 20736, matmul 0\), the kernels that ran \(Conv2D\) did 23040/);
    await expect(checkFlops(caseOf('counted-not-run'))).rejects.toThrow(/reports 21312 conv\+matmul MACs .* did 20736/);
    await expect(checkFlops(caseOf('shape-only-differs'))).rejects.toThrow(/shape-only counting reports 2304 'other' MACs, a real forward 2880/);
  });

  it('gradients: a parameter used through a copy, a parameter on a dead branch', async () => {
    await expect(checkGradients(caseOf('detached-parameter'))).rejects.toThrow(/no gradient reaches trainable parameter 'scale' in a training-mode forward/);
    await expect(checkGradients(caseOf('dead-parameter'))).rejects.toThrow(/'scale' are zero everywhere in training and in eval mode/);
  });

  it('no leaks: a forward that keeps a tensor', async () => {
    const before = tf.memory().numTensors;
    await expect(checkNoLeaks(caseOf('leak'))).rejects.toThrow(ContractViolation);
    await expect(checkNoLeaks(caseOf('leak'))).rejects.toThrow(/1 tensors more after 1 eval-mode forwards \(1 per forward\): a forward leaks/);
    // the probe leaked 2 + 2 warm-ups and failures; nothing else stays behind
    expect(tf.memory().numTensors - before).toBe(4);
  });
});
